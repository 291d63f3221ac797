/** Blobs of PostgresDocStore: `quire_blobs`, one row per blob with its bytes, keyed by (doc_id, blob_id). */

import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { BlobSummary, NewBlob, StoredBlob } from '../blob-store.js';
import { StoreConflictError } from '../store-errors.js';
import { toBuffer, type PostgresSession } from './postgres-session.js';

interface BlobRow {
  blob_id: string;
  content_type: string;
  size_bytes: number;
  created_at: string;
}

const COLUMNS = 'blob_id, content_type, octet_length(data) AS size_bytes, created_at';

export class PostgresBlobs {
  readonly #s: PostgresSession;

  constructor(session: PostgresSession) {
    this.#s = session;
  }

  async put(docName: string, blob: NewBlob): Promise<void> {
    const t = this.#s.t;
    const bytes = toBuffer(blob.bytes);
    await this.#s.withDocLock(docName, async (client) => {
      await this.#s.assertStored(client, docName, 'store a blob');
      // Compared by digest, so the bytes cross the wire once.
      const existing = await client.query<{ content_type: string; digest: Buffer }>(
        `SELECT content_type, sha256(data) AS digest FROM ${t.blobs} WHERE doc_id = $1 AND blob_id = $2`,
        [docName, blob.id],
      );
      const row = existing.rows[0];
      if (row !== undefined) {
        if (row.content_type === blob.contentType && row.digest.equals(createHash('sha256').update(bytes).digest())) return;
        throw new StoreConflictError('The document already has a different blob with this id; blobs never change.');
      }
      await client.query(`INSERT INTO ${t.blobs} (doc_id, blob_id, content_type, created_at, data) VALUES ($1, $2, $3, $4, $5)`, [
        docName,
        blob.id,
        blob.contentType,
        blob.createdAt,
        bytes,
      ]);
    });
  }

  async get(docName: string, blobId: string): Promise<StoredBlob | null> {
    const result = await this.#s.pool.query<BlobRow & { data: Buffer }>(
      `SELECT ${COLUMNS}, data FROM ${this.#s.t.blobs} WHERE doc_id = $1 AND blob_id = $2`,
      [docName, blobId],
    );
    const row = result.rows[0];
    return row === undefined ? null : { ...toSummary(row), bytes: row.data };
  }

  async list(docName: string): Promise<BlobSummary[]> {
    const result = await this.#s.pool.query<BlobRow>(
      `SELECT ${COLUMNS} FROM ${this.#s.t.blobs} WHERE doc_id = $1 ORDER BY created_at, blob_id COLLATE "C"`,
      [docName],
    );
    return result.rows.map(toSummary);
  }

  async delete(docName: string, blobId: string): Promise<boolean> {
    const result = await this.#s.pool.query(`DELETE FROM ${this.#s.t.blobs} WHERE doc_id = $1 AND blob_id = $2`, [docName, blobId]);
    return (result.rowCount ?? 0) > 0;
  }

  /** Deletes every blob of the document. Call in a purge's transaction. */
  async purge(client: PoolClient, docName: string): Promise<void> {
    await client.query(`DELETE FROM ${this.#s.t.blobs} WHERE doc_id = $1`, [docName]);
  }
}

function toSummary(row: BlobRow): BlobSummary {
  return { id: row.blob_id, contentType: row.content_type, sizeBytes: Number(row.size_bytes), createdAt: Number(row.created_at) };
}
