/**
 * The Socket.IO events of the collaboration namespace, typed for both ends so that an event name
 * or payload cannot drift between client and server. Every document message names the document
 * by the name it was joined with (a document id or a view key, see doc-id.ts).
 */
import type { QuireErrorPayload } from './errors.js';

/** The Socket.IO namespace Quire's collaboration traffic lives on. */
export const QUIRE_NAMESPACE = '/quire';

export type Role = 'edit' | 'view';

export type JoinReply =
  | { readonly ok: true; readonly role: Role }
  | { readonly ok: false; readonly error: QuireErrorPayload };

/** Reply to a sync message that carries changes: sent once they are durable in storage. */
export type SaveReply = { readonly ok: true } | { readonly ok: false; readonly error: QuireErrorPayload };

export interface ClientToServerEvents {
  /** Join a document. `token` goes to the operator's token verifier when one is configured. */
  join: (doc: string, token: string | null, ack: (reply: JoinReply) => void) => void;
  leave: (doc: string) => void;
  /**
   * A y-protocols sync message. Step 2 and update messages should carry an ack: it is called
   * with `{ ok: true }` once everything in them is durable, or with the error that refused them.
   */
  sync: (doc: string, message: Uint8Array, ack?: (reply: SaveReply) => void) => void;
  /** A y-protocols awareness update for client ids this connection controls. */
  awareness: (doc: string, update: Uint8Array) => void;
}

export interface ServerToClientEvents {
  sync: (doc: string, message: Uint8Array) => void;
  awareness: (doc: string, update: Uint8Array) => void;
  /** A refusal of something this connection sent that had no ack to carry it. */
  'quire-error': (error: QuireErrorPayload) => void;
  /** The server removed this connection from a document (link revoked, document deleted). */
  kicked: (doc: string, error: QuireErrorPayload) => void;
}
