/**
 * The shared backend for scale-out: PostgreSQL through a `pg` Pool. Several Quire processes may
 * use one database at once; compaction, deletion and token changes of a document serialise on a
 * per-document transaction-level advisory lock, so two nodes compacting together lose nothing.
 *
 * Tables (see postgres-schema.ts): `quire_updates` (the log, one row per update, ordered by a
 * global bigserial `seq`), `quire_snapshots` (one row per compacted document) and
 * `quire_view_tokens`. A document "is stored" when it has a snapshot or a log entry.
 */

import pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import { migrate, tableNames, type TableNames } from './postgres-schema.js';
import { assertDocId, assertViewToken, compactUpdates, mergeStored, OperationTracker } from './store-support.js';
import type { AppendEntry, CompactResult, DocStore, DocSummary, StoredDoc } from './doc-store.js';

export interface PostgresDocStoreOptions {
  /** Schema holding Quire's tables, created if missing. Default: unqualified names (search_path, usually `public`). */
  readonly schema?: string;
  /** Most connections the pool opens (default 10). */
  readonly maxConnections?: number;
  /** How long connecting may take before `open()` or a query rejects (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * Called when an idle pooled connection fails (for example the server restarted). The pool
   * drops that connection and opens another on demand; without this option the error is ignored
   * rather than crashing the process.
   */
  readonly onIdleError?: (error: Error) => void;
}

interface DocRow {
  kind: number;
  /** bigint, which pg returns as a decimal string. */
  seq: string;
  data: Buffer;
}

/** A {@link DocStore} on PostgreSQL. */
export class PostgresDocStore implements DocStore {
  readonly #pool: Pool;
  readonly #t: TableNames;
  readonly #operations = new OperationTracker('PostgresDocStore');
  #closing: Promise<void> | null = null;

  private constructor(pool: Pool, tables: TableNames) {
    this.#pool = pool;
    this.#t = tables;
  }

  /**
   * Connects, checks the server answers, and creates or migrates the schema. Rejects within about
   * `connectTimeoutMs` when the server cannot be reached, with a message that names the server
   * but never the password.
   */
  static async open(connectionString: string, options: PostgresDocStoreOptions = {}): Promise<PostgresDocStore> {
    const tables = tableNames(options.schema ?? null);
    const where = describeConnection(connectionString);
    const pool = new pg.Pool({
      connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
    });
    const onIdleError = options.onIdleError;
    pool.on('error', (error) => onIdleError?.(error));
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      await pool.end().catch(() => undefined);
      const detail = error instanceof Error ? error.message : String(error);
      throw new Error(`Cannot connect to PostgreSQL at ${where}: ${redact(detail, connectionString)}`, { cause: error });
    }
    try {
      await migrate(pool, tables);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return new PostgresDocStore(pool, tables);
  }

  async load(docId: string): Promise<StoredDoc | null> {
    assertDocId(docId);
    return this.#operations.track(async () => {
      const rows = await this.#readDoc(this.#pool, docId);
      if (rows.length === 0) return null;
      const { snapshot, log } = splitRows(rows);
      return mergeStored(snapshot, log.map((row) => row.data));
    });
  }

  async append(entries: readonly AppendEntry[]): Promise<void> {
    for (const entry of entries) assertDocId(entry.docId);
    return this.#operations.track(async () => {
      if (entries.length === 0) return;
      // One statement for the whole batch: it commits entirely or not at all.
      await this.#pool.query(`INSERT INTO ${this.#t.updates} (doc_id, data) SELECT * FROM unnest($1::text[], $2::bytea[])`, [
        entries.map((entry) => entry.docId),
        entries.map((entry) => toBuffer(entry.update)),
      ]);
    });
  }

  async compact(docId: string): Promise<CompactResult> {
    assertDocId(docId);
    return this.#operations.track(() =>
      this.#transaction(docId, async (client) => {
        const rows = await this.#readDoc(client, docId);
        const { snapshot, log } = splitRows(rows);
        const bytesBefore = rows.reduce((sum, row) => sum + row.data.length, 0);
        if (log.length === 0) return { entriesMerged: 0, bytesBefore, bytesAfter: bytesBefore };
        const parts = log.map((row) => row.data);
        const compacted = compactUpdates(snapshot, parts);
        await client.query(
          `INSERT INTO ${this.#t.snapshots} (doc_id, data, updated_at) VALUES ($1, $2, now())
           ON CONFLICT (doc_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
          [docId, toBuffer(compacted)],
        );
        // Only the rows read above: anything appended since stays in the log.
        await client.query(`DELETE FROM ${this.#t.updates} WHERE doc_id = $1 AND seq = ANY($2::bigint[])`, [
          docId,
          log.map((row) => row.seq),
        ]);
        return { entriesMerged: log.length, bytesBefore, bytesAfter: compacted.length };
      }),
    );
  }

  async delete(docId: string): Promise<void> {
    assertDocId(docId);
    return this.#operations.track(() =>
      this.#transaction(docId, async (client) => {
        await client.query(`DELETE FROM ${this.#t.updates} WHERE doc_id = $1`, [docId]);
        await client.query(`DELETE FROM ${this.#t.snapshots} WHERE doc_id = $1`, [docId]);
        await client.query(`DELETE FROM ${this.#t.viewTokens} WHERE doc_id = $1`, [docId]);
      }),
    );
  }

  async list(): Promise<DocSummary[]> {
    return this.#operations.track(async () => {
      const result = await this.#pool.query<{ doc_id: string; stored_bytes: string; updated_at: number }>(
        `${this.#summarySql('')} ORDER BY doc_id COLLATE "C"`,
      );
      return result.rows.map(toSummary);
    });
  }

  async stat(docId: string): Promise<DocSummary | null> {
    assertDocId(docId);
    return this.#operations.track(async () => {
      const result = await this.#pool.query<{ doc_id: string; stored_bytes: string; updated_at: number }>(
        this.#summarySql('WHERE doc_id = $1'),
        [docId],
      );
      const row = result.rows[0];
      return row === undefined ? null : toSummary(row);
    });
  }

  async getViewToken(docId: string): Promise<string | null> {
    assertDocId(docId);
    return this.#operations.track(async () => {
      const result = await this.#pool.query<{ token: string }>(`SELECT token FROM ${this.#t.viewTokens} WHERE doc_id = $1`, [docId]);
      return result.rows[0]?.token ?? null;
    });
  }

  async setViewToken(docId: string, token: string): Promise<void> {
    assertDocId(docId);
    assertViewToken(token);
    return this.#operations.track(() =>
      this.#transaction(docId, async (client) => {
        const owner = await client.query<{ doc_id: string }>(`SELECT doc_id FROM ${this.#t.viewTokens} WHERE token = $1`, [token]);
        const ownerId = owner.rows[0]?.doc_id;
        if (ownerId === docId) return;
        if (ownerId !== undefined) throw new Error('That view token already belongs to another document.');
        await client.query(`DELETE FROM ${this.#t.viewTokens} WHERE doc_id = $1`, [docId]);
        // A concurrent claim of the same token by another document fails here on the primary key.
        await client.query(`INSERT INTO ${this.#t.viewTokens} (token, doc_id) VALUES ($1, $2)`, [token, docId]);
      }),
    );
  }

  async resolveViewToken(token: string): Promise<string | null> {
    assertViewToken(token);
    return this.#operations.track(async () => {
      const result = await this.#pool.query<{ doc_id: string }>(`SELECT doc_id FROM ${this.#t.viewTokens} WHERE token = $1`, [token]);
      return result.rows[0]?.doc_id ?? null;
    });
  }

  async ping(): Promise<void> {
    return this.#operations.track(async () => {
      await this.#pool.query('SELECT 1');
    });
  }

  /** Waits for the operations already started, then closes every connection. Later calls (except close) reject. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#operations.close();
      await this.#pool.end();
    })();
    return this.#closing;
  }

  /** Snapshot (kind 0) and log rows (kind 1) of a document, read by one statement, so from one snapshot. */
  async #readDoc(client: Pool | PoolClient, docId: string): Promise<DocRow[]> {
    const result = await client.query<DocRow>(
      `SELECT 0 AS kind, 0::bigint AS seq, data FROM ${this.#t.snapshots} WHERE doc_id = $1
       UNION ALL
       SELECT 1 AS kind, seq, data FROM ${this.#t.updates} WHERE doc_id = $1
       ORDER BY kind, seq`,
      [docId],
    );
    return result.rows;
  }

  #summarySql(where: string): string {
    return `SELECT doc_id, sum(bytes)::text AS stored_bytes, floor(extract(epoch FROM max(at)) * 1000)::float8 AS updated_at
      FROM (
        SELECT doc_id, octet_length(data) AS bytes, created_at AS at FROM ${this.#t.updates}
        UNION ALL
        SELECT doc_id, octet_length(data) AS bytes, updated_at AS at FROM ${this.#t.snapshots}
      ) AS stored ${where}
      GROUP BY doc_id`;
  }

  /** Runs `work` in a transaction holding the document's advisory lock; commits or rolls back. */
  async #transaction<T>(docId: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    // An error on a checked-out connection would otherwise be an unhandled 'error' event.
    let clientError: Error | null = null;
    const onError = (error: Error): void => {
      clientError = error;
    };
    client.on('error', onError);
    let destroy = false;
    try {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [`quire:${this.#t.schema ?? ''}`, docId]);
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          destroy = true;
        });
        throw error;
      }
    } catch (error) {
      if (clientError !== null) destroy = true;
      throw error;
    } finally {
      client.off('error', onError);
      client.release(destroy || clientError !== null);
    }
  }
}

function splitRows(rows: readonly DocRow[]): { snapshot: Buffer | undefined; log: DocRow[] } {
  const first = rows[0];
  const snapshot = first !== undefined && first.kind === 0 ? first.data : undefined;
  return { snapshot, log: snapshot === undefined ? [...rows] : rows.slice(1) };
}

function toSummary(row: { doc_id: string; stored_bytes: string; updated_at: number }): DocSummary {
  return { docId: row.doc_id, storedBytes: Number(row.stored_bytes), updatedAt: Number(row.updated_at) };
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `host:port/database as user`, never the password; rejects strings that are not postgres URLs. */
function describeConnection(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new Error('Invalid PostgreSQL connection string: expected postgres://user:password@host:port/database.');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`Invalid PostgreSQL connection string: the scheme is ${url.protocol}, expected postgres: or postgresql:.`);
  }
  const user = url.username === '' ? '' : ` as ${decodeURIComponent(url.username)}`;
  return `${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname}${user}`;
}

/** Removes the password from a message, in case a driver error ever echoes it. */
function redact(message: string, connectionString: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(connectionString).password);
  } catch {
    return message;
  }
  return password === '' ? message : message.split(password).join('***');
}
