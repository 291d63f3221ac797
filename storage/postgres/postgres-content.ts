/**
 * The content of PostgresDocStore's documents: `quire_updates` (the log, one row per update,
 * ordered by a global bigserial `seq`) and `quire_snapshots` (one row per compacted document),
 * compaction, and the listing of live documents.
 */

import type { PoolClient } from 'pg';
import { mergeStored } from '../store-support.js';
import { DocStatusError } from '../store-errors.js';
import type { AppendEntry, CompactResult, DocSummary, MergeUpdates, StoredDoc } from '../doc-store.js';
import { toBuffer, type PostgresSession, type Queryable } from './postgres-session.js';

interface DocRow {
  kind: number;
  /** bigint, which pg returns as a decimal string. */
  seq: string;
  data: Buffer;
}

interface SummaryRow {
  doc_id: string;
  stored_bytes: string;
  updated_at: number;
}

export class PostgresContent {
  readonly #s: PostgresSession;

  constructor(session: PostgresSession) {
    this.#s = session;
  }

  async load(docName: string): Promise<StoredDoc | null> {
    const rows = await this.#readDoc(this.#s.pool, docName);
    if (rows.length === 0) return null;
    const { snapshot, log } = splitRows(rows);
    return mergeStored(snapshot, log.map((row) => row.data));
  }

  /**
   * One statement, so one round trip: `quire_append` takes the documents' append gates, then
   * inserts the whole batch unless a document of it is purged (postgres-schema.ts, migration 2).
   */
  async append(entries: readonly AppendEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const purged = await this.#s.pool.query<{ doc_id: string }>(`SELECT doc_id FROM ${this.#s.t.appendFunction}($1::text[], $2::bytea[]) AS doc_id`, [
      entries.map((entry) => entry.docName),
      entries.map((entry) => toBuffer(entry.update)),
    ]);
    if (purged.rows.length > 0) {
      throw new DocStatusError(purged.rows.map((row) => ({ docName: row.doc_id, status: 'purged' as const })), 'append to a purged document');
    }
  }

  async compact(docName: string, merge: MergeUpdates): Promise<CompactResult> {
    return this.#s.withDocLock(docName, async (client) => {
      const rows = await this.#readDoc(client, docName);
      const { snapshot, log } = splitRows(rows);
      const bytesBefore = rows.reduce((sum, row) => sum + row.data.length, 0);
      if (log.length === 0) return { entriesMerged: 0, bytesBefore, bytesAfter: bytesBefore };
      const entries = log.map((row) => row.data);
      const compacted = await merge(snapshot === undefined ? entries : [snapshot, ...entries]);
      await client.query(
        `INSERT INTO ${this.#s.t.snapshots} (doc_id, data, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (doc_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
        [docName, toBuffer(compacted)],
      );
      // Only the rows read above: anything appended since stays in the log.
      await client.query(`DELETE FROM ${this.#s.t.updates} WHERE doc_id = $1 AND seq = ANY($2::bigint[])`, [docName, log.map((row) => row.seq)]);
      return { entriesMerged: log.length, bytesBefore, bytesAfter: compacted.length };
    });
  }

  async list(): Promise<DocSummary[]> {
    const result = await this.#s.pool.query<SummaryRow>(
      `${this.#summarySql(`WHERE NOT EXISTS (SELECT 1 FROM ${this.#s.t.docStates} AS states WHERE states.doc_id = stored.doc_id)`)}
       ORDER BY doc_id COLLATE "C"`,
    );
    return result.rows.map(toSummary);
  }

  async stat(docName: string): Promise<DocSummary | null> {
    const result = await this.#s.pool.query<SummaryRow>(this.#summarySql('WHERE doc_id = $1'), [docName]);
    const row = result.rows[0];
    return row === undefined ? null : toSummary(row);
  }

  /** Deletes the log and the snapshot. Call in a purge's transaction. */
  async purge(client: PoolClient, docName: string): Promise<void> {
    await client.query(`DELETE FROM ${this.#s.t.updates} WHERE doc_id = $1`, [docName]);
    await client.query(`DELETE FROM ${this.#s.t.snapshots} WHERE doc_id = $1`, [docName]);
  }

  /** Snapshot (kind 0) and log rows (kind 1) of a document, read by one statement, so from one snapshot. */
  async #readDoc(client: Queryable, docName: string): Promise<DocRow[]> {
    const result = await client.query<DocRow>(
      `SELECT 0 AS kind, 0::bigint AS seq, data FROM ${this.#s.t.snapshots} WHERE doc_id = $1
       UNION ALL
       SELECT 1 AS kind, seq, data FROM ${this.#s.t.updates} WHERE doc_id = $1
       ORDER BY kind, seq`,
      [docName],
    );
    return result.rows;
  }

  #summarySql(where: string): string {
    return `SELECT doc_id, sum(bytes)::text AS stored_bytes, floor(extract(epoch FROM max(at)) * 1000)::float8 AS updated_at
      FROM (
        SELECT doc_id, octet_length(data) AS bytes, created_at AS at FROM ${this.#s.t.updates}
        UNION ALL
        SELECT doc_id, octet_length(data) AS bytes, updated_at AS at FROM ${this.#s.t.snapshots}
      ) AS stored ${where}
      GROUP BY doc_id`;
  }
}

function splitRows(rows: readonly DocRow[]): { snapshot: Buffer | undefined; log: DocRow[] } {
  const first = rows[0];
  const snapshot = first !== undefined && first.kind === 0 ? first.data : undefined;
  return { snapshot, log: snapshot === undefined ? [...rows] : rows.slice(1) };
}

function toSummary(row: SummaryRow): DocSummary {
  return { docName: row.doc_id, storedBytes: Number(row.stored_bytes), updatedAt: Number(row.updated_at) };
}
