/**
 * Versions of PostgresDocStore: `quire_versions`, one row per version with its snapshot, keyed by
 * (doc_id, version_id). Apart from the log and the document snapshot, so compaction never touches
 * them; listing reads no snapshot (a TOASTed value is fetched only when selected).
 */

import type { PoolClient } from 'pg';
import { StoreConflictError } from '../store-errors.js';
import type { NewVersion, StoredVersion, VersionKind, VersionRecord } from '../version-store.js';
import { toBuffer, type PostgresSession } from './postgres-session.js';

interface VersionRow {
  doc_id: string;
  version_id: string;
  created_at: string;
  kind: VersionKind;
  label: string | null;
  authors: string[];
  size_bytes: number;
}

const COLUMNS = 'doc_id, version_id, created_at, kind, label, authors, octet_length(snapshot) AS size_bytes';

export class PostgresVersions {
  readonly #s: PostgresSession;

  constructor(session: PostgresSession) {
    this.#s = session;
  }

  async save(version: NewVersion, snapshot: Uint8Array): Promise<VersionRecord> {
    return this.#s.withDocLock(version.docName, async (client) => {
      await this.#s.assertStored(client, version.docName, 'save a version');
      const inserted = await client.query(
        `INSERT INTO ${this.#s.t.versions} (doc_id, version_id, created_at, kind, label, authors, snapshot)
         VALUES ($1, $2, $3, $4, $5, $6::text[], $7) ON CONFLICT DO NOTHING`,
        [version.docName, version.id, version.createdAt, version.kind, version.label, [...version.authors], toBuffer(snapshot)],
      );
      if (inserted.rowCount !== 1) throw new StoreConflictError('The document already has a version with this id.');
      const { id, docName, createdAt, kind, label, authors } = version;
      return { id, docName, createdAt, kind, label, authors: [...authors], sizeBytes: snapshot.length };
    });
  }

  async list(docName: string): Promise<VersionRecord[]> {
    const result = await this.#s.pool.query<VersionRow>(
      `SELECT ${COLUMNS} FROM ${this.#s.t.versions} WHERE doc_id = $1 ORDER BY created_at DESC, version_id COLLATE "C" DESC`,
      [docName],
    );
    return result.rows.map(toVersion);
  }

  async load(docName: string, versionId: string): Promise<StoredVersion | null> {
    const result = await this.#s.pool.query<VersionRow & { snapshot: Buffer }>(
      `SELECT ${COLUMNS}, snapshot FROM ${this.#s.t.versions} WHERE doc_id = $1 AND version_id = $2`,
      [docName, versionId],
    );
    const row = result.rows[0];
    return row === undefined ? null : { version: toVersion(row), snapshot: row.snapshot };
  }

  async delete(docName: string, versionIds: readonly string[]): Promise<number> {
    if (versionIds.length === 0) return 0;
    const result = await this.#s.pool.query(`DELETE FROM ${this.#s.t.versions} WHERE doc_id = $1 AND version_id = ANY($2::text[])`, [docName, [...versionIds]]);
    return result.rowCount ?? 0;
  }

  /** Deletes every version of the document. Call in a purge's transaction. */
  async purge(client: PoolClient, docName: string): Promise<void> {
    await client.query(`DELETE FROM ${this.#s.t.versions} WHERE doc_id = $1`, [docName]);
  }
}

function toVersion(row: VersionRow): VersionRecord {
  return {
    id: row.version_id,
    docName: row.doc_id,
    createdAt: Number(row.created_at),
    kind: row.kind,
    label: row.label,
    authors: row.authors,
    sizeBytes: Number(row.size_bytes),
  };
}
