/** View tokens of PostgresDocStore: `quire_view_tokens`, one row per document, the token its key. */

import type { PoolClient } from 'pg';
import { DocStatusError, StoreConflictError } from '../store-errors.js';
import type { PostgresSession } from './postgres-session.js';

export class PostgresViewTokens {
  readonly #s: PostgresSession;

  constructor(session: PostgresSession) {
    this.#s = session;
  }

  async get(docName: string): Promise<string | null> {
    const result = await this.#s.pool.query<{ token: string }>(`SELECT token FROM ${this.#s.t.viewTokens} WHERE doc_id = $1`, [docName]);
    return result.rows[0]?.token ?? null;
  }

  async set(docName: string, token: string): Promise<void> {
    const t = this.#s.t;
    await this.#s.withDocLock(docName, async (client) => {
      if ((await this.#s.status(client, docName)) === 'purged') throw new DocStatusError([{ docName, status: 'purged' }], 'set the view token');
      const owner = await client.query<{ doc_id: string }>(`SELECT doc_id FROM ${t.viewTokens} WHERE token = $1`, [token]);
      const ownerId = owner.rows[0]?.doc_id;
      if (ownerId === docName) return;
      if (ownerId !== undefined) throw new StoreConflictError('That view token already belongs to another document.');
      await client.query(`DELETE FROM ${t.viewTokens} WHERE doc_id = $1`, [docName]);
      // A concurrent claim of the same token by another document fails here on the primary key.
      await client.query(`INSERT INTO ${t.viewTokens} (token, doc_id) VALUES ($1, $2)`, [token, docName]);
    });
  }

  async resolve(token: string): Promise<string | null> {
    const result = await this.#s.pool.query<{ doc_id: string }>(`SELECT doc_id FROM ${this.#s.t.viewTokens} WHERE token = $1`, [token]);
    return result.rows[0]?.doc_id ?? null;
  }

  /** Deletes the view token. Call in a purge's transaction. */
  async purge(client: PoolClient, docName: string): Promise<void> {
    await client.query(`DELETE FROM ${this.#s.t.viewTokens} WHERE doc_id = $1`, [docName]);
  }
}
