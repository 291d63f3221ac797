/**
 * The storage boundary. A DocStore keeps, per document, an append-only log of Yjs updates and one
 * snapshot (the merge of the entries compacted away), the document's view-link token, its links
 * (link-store.ts), versions (version-store.ts) and blobs (blob-store.ts), and where it is in its
 * life: live, in the trash, or purged to a tombstone (trash-store.ts). It knows nothing of sockets
 * or rooms. Every backend passes the contract suite in doc-store-contract.ts.
 *
 * Guarantees every backend gives:
 * - `append` resolves only after every entry of the batch is durably written; it rejects
 *   otherwise, and then none of the batch may be counted as saved.
 * - `compact` merges what storage holds (never what some process has in memory), replaces the
 *   snapshot and the log entries it read in one atomic step, and leaves entries appended while it
 *   ran in place. Two compactions of one document at once lose nothing.
 * - A document that fails to load rejects; it is never reported as empty.
 * - Storage failures propagate as rejections; nothing is swallowed.
 * - A malformed argument (document id, view token, link, version or blob id, token hash, label,
 *   content type, time, size out of bounds) rejects with a RangeError before storage is touched;
 *   see record-checks.ts for the formats and bounds.
 * - A document "is stored" when it has a snapshot or a log entry; a view token alone does not
 *   make `load`, `stat` or `list` report it.
 * - A call the document's status forbids rejects with `DocStatusError`, a duplicate with
 *   `StoreConflictError` (store-errors.ts); their messages never name a document or a token.
 */

import type { BlobStore } from './blob-store.js';
import type { LinkStore } from './link-store.js';
import type { TrashStore } from './trash-store.js';
import type { VersionStore } from './version-store.js';

/**
 * Merges Yjs updates, given in the order they apply (a snapshot first, when there is one), into
 * one update of the whole document.
 */
export type MergeUpdates = (parts: readonly Uint8Array[]) => Promise<Uint8Array>;

export interface AppendEntry {
  readonly docName: string;
  readonly update: Uint8Array;
}

export interface StoredDoc {
  /**
   * The snapshot and every log entry merged into one Yjs update; empty doc →
   * `Y.encodeStateAsUpdate(new Y.Doc())`. Merged when first read: a caller that builds a Y.Doc
   * should apply `parts` instead, which is about twice as fast for a long log.
   */
  readonly update: Uint8Array;
  /**
   * What is stored, as read: the snapshot (when there is one), then every log entry in order.
   * Applying them one after another, in one transaction, gives the same document as `update`.
   */
  readonly parts: readonly Uint8Array[];
  /** How many log entries were read besides the snapshot (a hint for when to compact). */
  readonly logEntries: number;
  /** Bytes read (snapshot plus log). */
  readonly storedBytes: number;
}

export interface CompactResult {
  /** Log entries merged into the snapshot and removed. */
  readonly entriesMerged: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

export interface DocSummary {
  readonly docName: string;
  /** Bytes stored for the document (snapshot plus log). */
  readonly storedBytes: number;
  /** Time of the last append or compaction, in ms since the epoch. */
  readonly updatedAt: number;
}

export interface DocStore extends LinkStore, VersionStore, TrashStore, BlobStore {
  /** Loads a document (also one in the trash). Resolves to null when nothing at all is stored for it. */
  load(docName: string): Promise<StoredDoc | null>;
  /**
   * Durably appends a batch of updates (any documents) as one write: all of it or nothing. A
   * missing document becomes live; a trashed one stays in the trash with the entries stored. When
   * any document of the batch is purged the whole batch rejects with a `DocStatusError` naming
   * each purged document, and nothing is written: a caller that retries failed batches must drop
   * those documents' entries instead (the refusal is permanent).
   */
  append(entries: readonly AppendEntry[]): Promise<void>;
  /**
   * Merges the snapshot and the log entries stored now into a new snapshot. Versions are never
   * touched. `merge` does the merging (default: here, on the calling thread); a server passes one
   * that runs in a worker thread, since merging decodes the whole document.
   */
  compact(docName: string, merge?: MergeUpdates): Promise<CompactResult>;
  /**
   * Same as `purge(docName, Date.now())`: removes every stored byte and leaves a tombstone.
   * @deprecated Call `trash` to delete a document and `purge` (or `purgeTrash`) to destroy it.
   */
  delete(docName: string): Promise<void>;
  /** Summaries of the live documents (not those in the trash), ordered by id. */
  list(): Promise<DocSummary[]>;
  /** Summary of one document (also one in the trash), or null when nothing is stored for it. */
  stat(docName: string): Promise<DocSummary | null>;

  /** The document's current view token, or null when it has none yet. */
  getViewToken(docName: string): Promise<string | null>;
  /**
   * Sets the document's view token, replacing the previous one atomically: the old token stops
   * resolving in the same write. Setting the token a document already has is a no-op; a token
   * that belongs to another document rejects with `StoreConflictError`, a purged document with
   * `DocStatusError`.
   */
  setViewToken(docName: string, token: string): Promise<void>;
  /** The document a view token belongs to, or null. */
  resolveViewToken(token: string): Promise<string | null>;

  /** Resolves when the backend answers a trivial request; rejects otherwise. For /readyz. */
  ping(): Promise<void>;
  /** Waits for calls already made, then releases every handle. Further calls reject; close itself may be called again. */
  close(): Promise<void>;
}
