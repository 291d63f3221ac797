/**
 * Presence under a name the server vouches for: a client that joined with a signed token shows
 * the token's `name`, whatever name its awareness state carries. The server rewrites the `user`
 * field's `name` of every state in the update before the room applies and relays it.
 */
import * as encoding from 'lib0/encoding';
import { decodeAwarenessUpdate } from '../../shared/protocol.js';

/** The update with `user.name` set to `name` in every state; malformed bytes are returned as they are (the room refuses them). */
export function stampName(update: Uint8Array, name: string): Uint8Array {
  const entries = decodeAwarenessUpdate(update);
  if (entries === null) return update;
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) {
    const state: unknown = JSON.parse(entry.stateJson);
    let stateJson = entry.stateJson;
    if (typeof state === 'object' && state !== null && !Array.isArray(state)) {
      const user: unknown = (state as Record<string, unknown>)['user'];
      const stamped = typeof user === 'object' && user !== null && !Array.isArray(user) ? { ...user, name } : { name };
      stateJson = JSON.stringify({ ...state, user: stamped });
    }
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    encoding.writeVarString(encoder, stateJson);
  }
  return encoding.toUint8Array(encoder);
}
