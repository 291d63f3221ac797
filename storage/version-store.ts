/**
 * Version history: full snapshots kept beside a document's log. A version holds its own bytes (a
 * Yjs update of the whole document as it was, given by the caller), independent of the log and of
 * the document's compacted snapshot, so neither compaction nor later appends can change or remove
 * what a kept version needs.
 */

export type VersionKind = 'auto' | 'named' | 'before-restore';

/** Every kind of version. */
export const VERSION_KINDS: readonly VersionKind[] = ['auto', 'named', 'before-restore'];

export interface VersionRecord {
  /** 1 to 64 characters of `A-Z a-z 0-9 _ -`, unique within its document. */
  readonly id: string;
  readonly docName: string;
  /** When the version was taken, in whole milliseconds since the epoch. */
  readonly createdAt: number;
  readonly kind: VersionKind;
  /** A name for it (at most 200 characters, no control characters), or null. */
  readonly label: string | null;
  /** Who changed the document since the version before: link ids or names the server saw (at most 256, each 1 to 200 characters). */
  readonly authors: readonly string[];
  /** Length of the snapshot in bytes, set by the store. */
  readonly sizeBytes: number;
}

/** A version as the caller gives it; the store measures its size. */
export type NewVersion = Omit<VersionRecord, 'sizeBytes'>;

export interface StoredVersion {
  readonly version: VersionRecord;
  /** The bytes given to `saveVersion`, unchanged. */
  readonly snapshot: Uint8Array;
}

export interface VersionStore {
  /**
   * Stores a version of a document that is live or in the trash, with its snapshot (1 byte to
   * `MAX_VERSION_BYTES`), in one atomic write, and resolves to the record as stored. Rejects with
   * `StoreConflictError` when the document already has a version with this id, and with
   * `DocStatusError` when the document is missing or purged; nothing is written then.
   */
  saveVersion(version: NewVersion, snapshot: Uint8Array): Promise<VersionRecord>;
  /** The document's versions without their snapshots, newest first (by `createdAt`, then id descending). */
  listVersions(docName: string): Promise<VersionRecord[]>;
  /** One version with its snapshot, or null when the document has no version with that id. */
  loadVersion(docName: string, versionId: string): Promise<StoredVersion | null>;
  /**
   * Removes these versions of the document (record and snapshot together) in one atomic write and
   * resolves to how many existed. Ids the document has no version for are ignored. Allowed in the
   * trash too (retention thinning).
   */
  deleteVersions(docName: string, versionIds: readonly string[]): Promise<number>;
}
