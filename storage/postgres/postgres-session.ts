/**
 * What every PostgresDocStore module shares: the pool, the table names, transactions, the
 * per-document advisory locks, and the reading of a document's status.
 *
 * Two transaction-level advisory locks per document, so that nodes serialise:
 * - the document lock (exclusive): compaction, view tokens, creating links, versions and blobs,
 *   trash and untrash, purge;
 * - the append gate: shared by appends (inside the `quire_append` function, see
 *   postgres-schema.ts), exclusive for a purge (which holds the document lock first), so an append
 *   is either committed before a purge (and removed by it) or sees the tombstone, and appends
 *   never wait for a compaction.
 */

import type { Pool, PoolClient } from 'pg';
import { DocStatusError } from '../store-errors.js';
import type { DocStatus } from '../trash-store.js';
import type { TableNames } from '../postgres-schema.js';

/** A pool or a client in a transaction: both run queries. */
export type Queryable = Pool | PoolClient;

export class PostgresSession {
  readonly pool: Pool;
  readonly t: TableNames;

  constructor(pool: Pool, tables: TableNames) {
    this.pool = pool;
    this.t = tables;
  }

  /** Runs `work` in a transaction holding the document's lock (and, for a purge, its append gate); commits or rolls back. */
  withDocLock<T>(docName: string, work: (client: PoolClient) => Promise<T>, options: { readonly appendGate?: boolean } = {}): Promise<T> {
    return this.transaction(async (client) => {
      const { doc, appendGate } = this.t.lockSpaces;
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [doc, docName]);
      if (options.appendGate === true) await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [appendGate, docName]);
      return work(client);
    });
  }

  /** Runs `work` in a transaction; commits or rolls back. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
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

  async status(client: Queryable, docName: string): Promise<DocStatus> {
    const result = await client.query<{ state: 'trashed' | 'purged' | null; stored: boolean }>(
      `SELECT (SELECT state FROM ${this.t.docStates} WHERE doc_id = $1) AS state,
              EXISTS (SELECT 1 FROM ${this.t.snapshots} WHERE doc_id = $1) OR EXISTS (SELECT 1 FROM ${this.t.updates} WHERE doc_id = $1) AS stored`,
      [docName],
    );
    const row = result.rows[0];
    if (row?.state != null) return row.state;
    return row?.stored === true ? 'live' : 'missing';
  }

  /** Rejects unless the document is live or in the trash. Call holding the document's lock. */
  async assertStored(client: PoolClient, docName: string, action: string): Promise<void> {
    const status = await this.status(client, docName);
    if (status === 'missing' || status === 'purged') throw new DocStatusError([{ docName, status }], action);
  }
}

export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A bigint column (which pg returns as a decimal string) as a number; null stays null. */
export function toMillis(value: string | number | null): number | null {
  return value === null ? null : Number(value);
}
