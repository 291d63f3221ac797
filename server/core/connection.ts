/**
 * What room logic knows of a client connection. Transports (Socket.IO today, plain y-websocket
 * tomorrow) implement these two interfaces; nothing above them imports a transport library.
 */
import type { QuireErrorPayload } from '../../shared/errors.js';

export interface Connection {
  /** Unique among the live connections of its transport. */
  readonly id: string;
  /** The client's address as the transport saw it (for limits and logs). */
  readonly remoteAddress: string;
  /** Headers of the request that opened the connection (for the `authorize` hook). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly transport: Transport;
  sendSync(docName: string, message: Uint8Array): void;
  sendAwareness(docName: string, update: Uint8Array): void;
  /** Reports a refusal that had no acknowledgement to travel in. */
  sendError(error: QuireErrorPayload): void;
  /** Tells the client it was removed from a document. The caller removes it from the room. */
  sendKicked(docName: string, error: QuireErrorPayload): void;
  /**
   * Marks the connection so that cluster-wide operations (`Transport.kickTagged`) find it.
   * `docName` is the name the client joined with under this tag, when a kick must name it (link
   * tokens, which the server keeps only hashed).
   */
  addTag(tag: string, docName?: string): void;
  removeTag(tag: string): void;
  /** Closes the whole connection. */
  close(): void;
}

export interface Transport {
  /**
   * Sends one sync message to many connections of this transport, encoding it once where it can;
   * `except`, when given, is one of them that is left out (the sender of what is relayed).
   */
  sendSyncToMany(connections: readonly Connection[], docName: string, message: Uint8Array, except?: Connection): void;
  sendAwarenessToMany(connections: readonly Connection[], docName: string, update: Uint8Array, except?: Connection): void;
  /**
   * On every node of the cluster: tells the connections carrying `tag` why they are removed from
   * a document, then closes them.
   */
  kickTagged(tag: string, error: QuireErrorPayload & { readonly docName: string }): void;
}

/** Tag of every connection in a document. */
export function docTag(docName: string): string {
  return `doc:${docName}`;
}

/** Tag of every connection that joined a document through one of its links. */
export function linkTag(docName: string, linkId: string): string {
  return `link:${docName}:${linkId}`;
}

/** Tag of every connection that joined through a view token. */
export function viewTokenTag(token: string): string {
  return `view:${token}`;
}

/** How many of `connections` a message to all but `except` (one of them, if given) reaches. */
export function recipientCount(connections: readonly Connection[], except: Connection | undefined): number {
  return connections.length - (except === undefined ? 0 : 1);
}

/** The one connection of `connections` a message to all but `except` reaches, if it reaches one only. */
export function soleRecipient(connections: readonly Connection[], except: Connection | undefined): Connection | null {
  return recipientCount(connections, except) === 1 ? (connections.find((connection) => connection !== except) ?? null) : null;
}
