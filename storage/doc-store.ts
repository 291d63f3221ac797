/**
 * The storage boundary. A DocStore keeps, per document, an append-only log of Yjs updates and one
 * snapshot (the merge of the entries compacted away), plus the document's view-link token. It
 * knows nothing of sockets or rooms. Every backend passes the contract suite in
 * doc-store-contract.ts.
 *
 * Guarantees every backend gives:
 * - `append` resolves only after every entry of the batch is durably written; it rejects
 *   otherwise, and then none of the batch may be counted as saved.
 * - `compact` merges what storage holds (never what some process has in memory), replaces the
 *   snapshot and the log entries it read in one atomic step, and leaves entries appended while it
 *   ran in place. Two compactions of one document at once lose nothing.
 * - A document that fails to load rejects; it is never reported as empty.
 * - Storage failures propagate as rejections; nothing is swallowed.
 * - A malformed document id or view token rejects with a RangeError before storage is touched.
 * - A document "is stored" when it has a snapshot or a log entry; a view token alone does not
 *   make `load`, `stat` or `list` report it.
 */

export interface AppendEntry {
  readonly docId: string;
  readonly update: Uint8Array;
}

export interface StoredDoc {
  /** The snapshot and every log entry merged into one Yjs update; empty doc → `Y.encodeStateAsUpdate(new Y.Doc())`. */
  readonly update: Uint8Array;
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
  readonly docId: string;
  /** Bytes stored for the document (snapshot plus log). */
  readonly storedBytes: number;
  /** Time of the last append or compaction, in ms since the epoch. */
  readonly updatedAt: number;
}

export interface DocStore {
  /** Loads a document. Resolves to null when nothing at all is stored for it. */
  load(docId: string): Promise<StoredDoc | null>;
  /** Durably appends a batch of updates (any documents) as one write. */
  append(entries: readonly AppendEntry[]): Promise<void>;
  /** Merges the snapshot and the log entries stored now into a new snapshot. */
  compact(docId: string): Promise<CompactResult>;
  /** Removes every stored byte of a document, its view token included. */
  delete(docId: string): Promise<void>;
  /** Summaries of the stored documents, ordered by id. */
  list(): Promise<DocSummary[]>;
  /** Summary of one document, or null when nothing is stored for it. */
  stat(docId: string): Promise<DocSummary | null>;

  /** The document's current view token, or null when it has none yet. */
  getViewToken(docId: string): Promise<string | null>;
  /**
   * Sets the document's view token, replacing the previous one atomically: the old token stops
   * resolving in the same write. Setting the token a document already has is a no-op; a token
   * that belongs to another document rejects.
   */
  setViewToken(docId: string, token: string): Promise<void>;
  /** The document a view token belongs to, or null. */
  resolveViewToken(token: string): Promise<string | null>;

  /** Resolves when the backend answers a trivial request; rejects otherwise. For /readyz. */
  ping(): Promise<void>;
  /** Waits for calls already made, then releases every handle. Further calls reject; close itself may be called again. */
  close(): Promise<void>;
}
