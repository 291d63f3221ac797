/**
 * The one small interface the measurements drive every server through, so that a workload is
 * written once and runs the same way against Quire, y-websocket and Hocuspocus.
 */
import { newDocId } from '../../shared/doc-id.js';
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';

export const PEER_NAMES = ['quire', 'y-websocket', 'hocuspocus'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

export const PEER_LABELS: Readonly<Record<PeerName, string>> = {
  quire: 'Quire',
  'y-websocket': 'y-websocket',
  hocuspocus: 'Hocuspocus',
};

export function isPeerName(value: unknown): value is PeerName {
  return typeof value === 'string' && (PEER_NAMES as readonly string[]).includes(value);
}

/** A client of one document on one server, over its own connection. */
export interface BenchClient {
  /** The Y.Doc the client keeps in sync with the server. */
  readonly doc: Y.Doc;
  /** Opens the connection (clients are created unconnected). */
  connect(): void;
  /** Resolves once the first handshake with the server completed after `connect()`. */
  whenSynced(): Promise<void>;
  /** Closes the connection and releases every handle; the doc stays readable. */
  destroy(): void;
}

export interface ClientOptions {
  /** The document to sync; a fresh Y.Doc when absent. */
  readonly doc?: Y.Doc;
  /**
   * The name the client announces in its presence before it connects, as an editor page does;
   * null: no presence state at all. Absent: the provider's default (which differs: Quire's
   * provider announces its empty state, while a y-protocols state that was never changed has
   * clock 0, which servers ignore, so y-websocket's and Hocuspocus's clients stay unseen).
   */
  readonly presence?: string | null;
}

/** Sets what `options.presence` asks for on a client's awareness, before it connects. */
export function announcePresence(awareness: Awareness | null | undefined, options: ClientOptions): void {
  if (awareness === null || awareness === undefined || options.presence === undefined) return;
  if (options.presence === null) awareness.setLocalState(null);
  else awareness.setLocalStateField('user', { name: options.presence });
}

/** A running server: one process, or several nodes sharing a document (the cross-node case). */
export interface ServerHandle {
  readonly peer: PeerName;
  /**
   * Base URL of each node, in start order. Single-process servers have one. Workloads put the
   * writer on the first and readers on the last, so a two-node server measures cross-node relay.
   */
  readonly urls: readonly string[];
  /** Process ids to read CPU time and RSS from (every node). */
  readonly pids: readonly number[];
  /** What was started, in words, for the report. */
  readonly description: string;
  /** Stops every process and waits for it to exit. */
  stop(): Promise<void>;
  /**
   * Makes documents exist before clients join them. Quire serves only documents that were
   * created (a joined name that was never created is refused `not-found`); the peers create a
   * room on first join and leave this out.
   */
  createDocs?(docNames: readonly string[]): Promise<void>;
}

/** New document names for a workload, created on the server when it needs that. */
export async function newDocs(server: ServerHandle, count: number): Promise<string[]> {
  const docNames = Array.from({ length: count }, () => newDocId());
  await server.createDocs?.(docNames);
  return docNames;
}

/** How a stored document is laid out before a cold load. */
export type StoredLayout = 'compacted' | 'log';

export type PrepareResult =
  | { readonly supported: true; readonly what: string }
  | { readonly supported: false; readonly reason: string };

export interface LaunchOptions {
  /** A directory the server persists to and loads from; no persistence when absent. */
  readonly dataDir?: string;
}

/** Starts one kind of server and fills its storage; the client side lives in clients.ts. */
export interface ServerLauncher {
  readonly peer: PeerName;
  launch(options: LaunchOptions): Promise<ServerHandle>;
  /**
   * Writes one document under each of `docNames` into `dataDir` the way this server's own
   * persistence would hold it, so that a server launched on that directory loads it on the first
   * join. `records` are consecutive Yjs updates whose merge is the document: for `compacted` one
   * record (the whole state), for `log` the history as many entries, each stored on its own.
   */
  prepareStoredDoc(dataDir: string, docNames: readonly string[], records: readonly Uint8Array[], layout: StoredLayout): Promise<PrepareResult>;
}

/** Uniform first URL (writer side). */
export function writerUrl(server: ServerHandle): string {
  const url = server.urls[0];
  if (url === undefined) throw new RangeError(`The ${server.peer} server handle has no URL.`);
  return url;
}

/** Uniform last URL (reader side). */
export function readerUrl(server: ServerHandle): string {
  const url = server.urls[server.urls.length - 1];
  if (url === undefined) throw new RangeError(`The ${server.peer} server handle has no URL.`);
  return url;
}
