/**
 * What room logic knows of a client connection. Transports (Socket.IO today, plain y-websocket
 * tomorrow) implement these two interfaces; nothing above them imports a transport library.
 */
import type { QuireErrorPayload } from '../shared/errors.js';

export interface Connection {
  /** Unique among the live connections of its transport. */
  readonly id: string;
  /** The client's address as the transport saw it (for limits and logs). */
  readonly remoteAddress: string;
  readonly transport: Transport;
  sendSync(doc: string, message: Uint8Array): void;
  sendAwareness(doc: string, update: Uint8Array): void;
  /** Reports a refusal that had no acknowledgement to travel in. */
  sendError(error: QuireErrorPayload): void;
  /** Tells the client it was removed from a document. The caller removes it from the room. */
  sendKicked(doc: string, error: QuireErrorPayload): void;
  /** Marks the connection so that cluster-wide operations (`Transport.kickTagged`) find it. */
  addTag(tag: string): void;
  removeTag(tag: string): void;
  /** Closes the whole connection. */
  close(): void;
}

export interface Transport {
  /** Sends one sync message to many connections of this transport, encoding it once where it can. */
  sendSyncToMany(connections: readonly Connection[], doc: string, message: Uint8Array): void;
  sendAwarenessToMany(connections: readonly Connection[], doc: string, update: Uint8Array): void;
  /**
   * On every node of the cluster: tells the connections carrying `tag` why they are removed from
   * a document, then closes them.
   */
  kickTagged(tag: string, error: QuireErrorPayload & { readonly doc: string }): void;
}

/** Tag of every connection in a document. */
export function docTag(docId: string): string {
  return `doc:${docId}`;
}

/** Tag of every connection that joined through a view token. */
export function viewTokenTag(token: string): string {
  return `view:${token}`;
}
