/**
 * The life of a document: trash instead of instant destruction, and tombstones.
 *
 *   missing ──append──▶ live ──trash──▶ trashed ──purge──▶ purged (a tombstone, for ever)
 *                        ▲                │
 *                        └────untrash─────┘          (purge also works from missing and live)
 *
 * - live: something is stored (a snapshot or a log entry) and the document is not in the trash.
 * - trashed: everything is kept (content, versions, links, blobs, view token) and `load`, `stat`,
 *   the view token and `findLink` still answer (the server decides what to serve), but `list`
 *   leaves the document out. Appends are still stored: changes in flight when the document was
 *   trashed are kept for a restore.
 * - purged: every stored byte is gone (log, snapshot, versions, links, view token, blobs); a
 *   tombstone stays, so the id can never be written to again or resurrected by a client with an
 *   old copy: every write (`append`, `setViewToken`, `createLink`, `saveVersion`, `putBlob`) to it
 *   rejects with `DocStatusError`, also after the store is reopened.
 */

export type DocStatus = 'missing' | 'live' | 'trashed' | 'purged';

export interface TrashEntry {
  readonly docName: string;
  /** When the document was trashed, in whole milliseconds since the epoch. */
  readonly deletedAt: number;
  /** Bytes of its content (snapshot plus log), as in `DocSummary`. */
  readonly storedBytes: number;
  /** Everything purging frees: content, version snapshots and blobs. */
  readonly totalBytes: number;
}

export interface TrashStore {
  /** Where the document is in its life (see above). */
  status(docName: string): Promise<DocStatus>;
  /**
   * Moves a live document to the trash at `at`, keeping everything stored. A document already in
   * the trash stays there with its first deletion time. Rejects with `DocStatusError` when the
   * document is missing or purged.
   */
  trash(docName: string, at: number): Promise<void>;
  /**
   * Takes a document out of the trash: it is live again, with everything it had. A live document
   * stays as it is. Rejects with `DocStatusError` when the document is missing or purged.
   */
  untrash(docName: string): Promise<void>;
  /** The documents in the trash, oldest deletion first (then by id). */
  listTrash(): Promise<TrashEntry[]>;
  /**
   * Removes every stored byte of a document, whatever its status, in one atomic write, and leaves
   * a tombstone dated `at`. Purging a purged document changes nothing (its tombstone keeps its
   * time). Appends racing with a purge are either stored before it (and removed by it) or refused.
   */
  purge(docName: string, at: number): Promise<void>;
  /**
   * Purges, each in its own atomic write, every document trashed before `deletedBefore`, and
   * resolves to their ids in id order. A document restored meanwhile is left alone.
   */
  purgeTrash(deletedBefore: number, at: number): Promise<string[]>;
}
