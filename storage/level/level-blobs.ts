/**
 * Blobs of LevelDocStore: `b/<doc>/<blobId>` holds a blob's record as JSON (content type, size,
 * creation time) and `B/<doc>/<blobId>` its bytes, written and removed together in one batch.
 */

import type { BatchOperation } from '../level-db.js';
import type { BlobSummary, NewBlob, StoredBlob } from '../blob-store.js';
import { StoreConflictError } from '../store-errors.js';
import { assertStored, type LevelContext } from './level-context.js';
import { blobBytesKey, blobBytesPrefix, blobKey, blobsPrefix, compareAscii, lastSegment, lockOf, under } from './level-keys.js';

export class LevelBlobs {
  readonly #ctx: LevelContext;

  constructor(ctx: LevelContext) {
    this.#ctx = ctx;
  }

  async put(docName: string, blob: NewBlob): Promise<void> {
    const { db } = this.#ctx;
    await this.#ctx.locks.run(lockOf.doc(docName), async () => {
      await assertStored(db, docName, 'store a blob');
      const [record, bytes] = await db.getMany([blobKey(docName, blob.id), blobBytesKey(docName, blob.id)]);
      if (record !== undefined) {
        if (decodeBlob(blob.id, record).contentType === blob.contentType && bytes !== undefined && Buffer.from(blob.bytes.buffer, blob.bytes.byteOffset, blob.bytes.byteLength).equals(bytes)) return;
        throw new StoreConflictError('The document already has a different blob with this id; blobs never change.');
      }
      const summary: BlobSummary = { id: blob.id, contentType: blob.contentType, sizeBytes: blob.bytes.length, createdAt: blob.createdAt };
      await db.batch(
        [
          { type: 'put', key: blobKey(docName, blob.id), value: encodeBlob(summary) },
          { type: 'put', key: blobBytesKey(docName, blob.id), value: blob.bytes },
        ],
        this.#ctx.sync,
      );
    });
  }

  async get(docName: string, blobId: string): Promise<StoredBlob | null> {
    // getMany reads both keys from one snapshot: a record and its bytes always come together.
    const [record, bytes] = await this.#ctx.db.getMany([blobKey(docName, blobId), blobBytesKey(docName, blobId)]);
    if (record === undefined || bytes === undefined) return null;
    return { ...decodeBlob(blobId, record), bytes };
  }

  async list(docName: string): Promise<BlobSummary[]> {
    const entries = await this.#ctx.db.entries(under(blobsPrefix(docName)));
    return entries.map(([key, value]) => decodeBlob(lastSegment(key), value)).sort((a, b) => a.createdAt - b.createdAt || compareAscii(a.id, b.id));
  }

  async delete(docName: string, blobId: string): Promise<boolean> {
    return this.#ctx.locks.run(lockOf.doc(docName), async () => {
      const { db } = this.#ctx;
      if ((await db.get(blobKey(docName, blobId))) === undefined) return false;
      await db.batch(
        [
          { type: 'del', key: blobKey(docName, blobId) },
          { type: 'del', key: blobBytesKey(docName, blobId) },
        ],
        this.#ctx.sync,
      );
      return true;
    });
  }

  /** Bytes of the document's blobs, from their records. */
  async storedBytes(docName: string): Promise<number> {
    return (await this.list(docName)).reduce((sum, blob) => sum + blob.sizeBytes, 0);
  }

  /** Deletes every blob of the document. Call holding the document's lock. */
  async purgeOperations(docName: string): Promise<BatchOperation[]> {
    const operations: BatchOperation[] = [];
    const drop = (key: string): void => {
      operations.push({ type: 'del', key });
    };
    await this.#ctx.db.scan({ ...under(blobsPrefix(docName)), values: false }, drop);
    await this.#ctx.db.scan({ ...under(blobBytesPrefix(docName)), values: false }, drop);
    return operations;
  }
}

function encodeBlob(summary: BlobSummary): string {
  return JSON.stringify({ contentType: summary.contentType, sizeBytes: summary.sizeBytes, createdAt: summary.createdAt });
}

function decodeBlob(id: string, value: Buffer): BlobSummary {
  const { contentType, sizeBytes, createdAt } = JSON.parse(value.toString('utf8')) as BlobSummary;
  return { id, contentType, sizeBytes, createdAt };
}
