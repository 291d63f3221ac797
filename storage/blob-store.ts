/**
 * Blobs: small binary objects (images) stored with a document. A blob is immutable: its id always
 * names the same bytes, so a version that refers to it shows what it showed then. Blobs stay while
 * the document is in the trash and go with it when it is purged.
 */

export interface BlobSummary {
  /** 1 to 64 characters of `A-Z a-z 0-9 _ -`, unique within its document. */
  readonly id: string;
  /** A media type `type/subtype` (at most 127 characters, no parameters), stored as given. */
  readonly contentType: string;
  readonly sizeBytes: number;
  /** Whole milliseconds since the epoch. */
  readonly createdAt: number;
}

export interface StoredBlob extends BlobSummary {
  readonly bytes: Uint8Array;
}

/** A blob as the caller gives it; the store measures its size. */
export interface NewBlob {
  readonly id: string;
  readonly contentType: string;
  /** 1 byte to `MAX_BLOB_BYTES`. */
  readonly bytes: Uint8Array;
  readonly createdAt: number;
}

export interface BlobStore {
  /**
   * Stores a blob of a document that is live or in the trash. Putting a blob again with the same
   * content type and bytes changes nothing (a retried upload succeeds); other content under an id
   * the document already uses rejects with `StoreConflictError`. Rejects with `DocStatusError` when
   * the document is missing or purged; nothing is written then.
   */
  putBlob(docName: string, blob: NewBlob): Promise<void>;
  /** One blob with its bytes, or null when the document has no blob with that id. */
  getBlob(docName: string, blobId: string): Promise<StoredBlob | null>;
  /** The document's blobs without their bytes, oldest first (by `createdAt`, then id). */
  listBlobs(docName: string): Promise<BlobSummary[]>;
  /** Removes one blob; resolves to whether it existed. Allowed in the trash too. */
  deleteBlob(docName: string, blobId: string): Promise<boolean>;
}
