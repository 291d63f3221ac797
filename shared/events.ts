/**
 * The Socket.IO events of the collaboration namespace, typed for both ends so that an event name
 * or payload cannot drift between client and server. Every document message names the document
 * by the name it was joined with (a document id or a view key, see doc-id.ts).
 */
import type { QuireErrorPayload } from './errors.js';

/** The Socket.IO namespace Quire's collaboration traffic lives on. */
export const QUIRE_NAMESPACE = '/quire';

/**
 * What a link lets its holder do, in order of power: `owner` ⊇ `edit` ⊇ `view`. Owners also
 * manage the document's links; editors change the document; viewers read it.
 */
export type Role = 'owner' | 'edit' | 'view';

export const ROLE_RANK: Readonly<Record<Role, number>> = { view: 0, edit: 1, owner: 2 };

/** Whether `role` includes everything `needed` allows (an owner may edit, an editor may view). */
export function roleIncludes(role: Role, needed: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[needed];
}

/** Whether a connection or request with `role` may change the document. */
export function mayEdit(role: Role): boolean {
  return roleIncludes(role, 'edit');
}

export type JoinReply =
  | { readonly ok: true; readonly role: Role }
  | { readonly ok: false; readonly error: QuireErrorPayload };

/** Reply to a sync message that carries changes: sent once they are durable in storage. */
export type SaveReply = { readonly ok: true } | { readonly ok: false; readonly error: QuireErrorPayload };

/** What a client may say when it joins, besides the token. */
export interface JoinOptions {
  /**
   * A secret the client keeps for as long as it is the same client (a browser keeps it with its
   * offline copy). Reconnecting with it, the client takes back its presence and its Yjs client
   * ids at once; nobody else can write under those ids. 16 to 128 URL-safe characters.
   */
  readonly session?: string;
  /**
   * The Yjs client ids of the client's document (at most 8). Each one this document holds nothing
   * of yet, and nobody owns, becomes this session's before the handshake sends offline work
   * written under it. (A live change introducing an id at clock 0 claims it too.)
   */
  readonly clientIds?: readonly number[];
}

/**
 * Reply to `verify`: whether the server holds, durably, everything in the client's snapshot
 * (state vector and delete set). When it does not, it sends its state vector, so that the client
 * can send what it lacks as a step 2.
 */
export type VerifyReply =
  | { readonly ok: true; readonly covered: true }
  | { readonly ok: true; readonly covered: false; readonly stateVector: Uint8Array }
  | { readonly ok: false; readonly error: QuireErrorPayload };

export interface ClientToServerEvents {
  /** Join a document. `token` goes to the `authorize` hook, when there is one. */
  join: (docName: string, token: string | null, options: JoinOptions | undefined, ack: (reply: JoinReply) => void) => void;
  leave: (docName: string) => void;
  /**
   * A y-protocols sync message. Step 2 and update messages should carry an ack: it is called
   * with `{ ok: true }` once everything in them is durable, or with the error that refused them.
   */
  sync: (docName: string, message: Uint8Array, ack?: (reply: SaveReply) => void) => void;
  /** A y-protocols awareness update for client ids this connection controls. */
  awareness: (docName: string, update: Uint8Array) => void;
  /** Asks whether the server durably holds everything in `snapshot` (Y.encodeSnapshot). */
  verify: (docName: string, snapshot: Uint8Array, ack: (reply: VerifyReply) => void) => void;
}

export interface ServerToClientEvents {
  sync: (docName: string, message: Uint8Array) => void;
  awareness: (docName: string, update: Uint8Array) => void;
  /** A refusal of something this connection sent that had no ack to carry it. */
  'quire-error': (error: QuireErrorPayload) => void;
  /** The server removed this connection from a document (link revoked, document deleted). */
  kicked: (docName: string, error: QuireErrorPayload) => void;
}
