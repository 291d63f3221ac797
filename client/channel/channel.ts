/**
 * What DocProvider needs of a connection to the server: Quire's collaboration events
 * (shared/events.ts) sent and received, connection state, and reconnection with backoff. Two
 * channels carry them: Quire's own WebSocket framing (websocket-channel.ts), the fast path, and
 * Socket.IO (socketio-channel.ts), which also works where WebSockets are refused;
 * fallback-channel.ts tries the first and falls back to the second.
 */
import type { QuireErrorPayload } from '../../shared/errors.js';
import type { JoinOptions, JoinReply, SaveReply, VerifyReply } from '../../shared/events.js';
import type { TypedEmitter } from '../typed-emitter.js';

export interface ChannelEvents {
  /** A connection is open; nothing is joined on it yet. */
  connect: [];
  /** The open connection ended (by either side, or the network). */
  disconnect: [];
  /** A connection attempt failed before it opened (refused, or the server unreachable). */
  'connect-failed': [];
  /** A new attempt to connect starts after a drop or a failure. */
  reconnecting: [];
  sync: [docName: string, message: Uint8Array];
  awareness: [docName: string, update: Uint8Array];
  'quire-error': [error: QuireErrorPayload];
  kicked: [docName: string, error: QuireErrorPayload];
}

export type ChannelKind = 'websocket' | 'socket.io';

export interface Channel extends Pick<TypedEmitter<ChannelEvents>, 'on' | 'off'> {
  readonly kind: ChannelKind;
  readonly connected: boolean;
  /** What carries the connection now, for diagnostics: 'websocket', or Socket.IO's 'polling' / 'websocket'. */
  readonly transportName: string | null;
  /** Connects, and keeps reconnecting (with backoff) after drops until `close()`. */
  open(): void;
  /** Disconnects and stops reconnecting. */
  close(): void;
  /** Drops the current connection, as if the network failed, and connects again at once. */
  restart(): void;
  /** Closes for good and removes every listener. */
  destroy(): void;
  /**
   * The events. Messages sent while not connected are dropped (their acknowledgements never
   * come): the provider only sends once joined, and rejoins after every reconnect.
   */
  join(docName: string, token: string | null, options: JoinOptions, ack: (reply: JoinReply) => void): void;
  leave(docName: string): void;
  sync(docName: string, message: Uint8Array, ack?: (reply: SaveReply) => void): void;
  /** `sync` of an update message carrying `update` (a local change), encoded as the channel sends it best. */
  syncUpdate(docName: string, update: Uint8Array, ack: (reply: SaveReply) => void): void;
  awareness(docName: string, update: Uint8Array): void;
  verify(docName: string, snapshot: Uint8Array, ack: (reply: VerifyReply) => void): void;
}

/** Reconnection backoff: jittered exponential, as both channels use it. */
export interface Backoff {
  readonly delayMs: number;
  readonly delayMaxMs: number;
}

/** The wait before reconnection attempt `attempt` (0 first): delay × 2^attempt, capped, ±50 %. */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  const base = Math.min(backoff.delayMaxMs, backoff.delayMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.5 + Math.random()));
}
