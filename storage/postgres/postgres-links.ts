/**
 * Links of PostgresDocStore: `quire_links`, keyed by (doc_id, link_id), with a unique index on
 * token_hash for findLink. Columns are bound one by one, so nothing a caller adds to a record (a
 * token in clear, say) is ever stored.
 */

import type { PoolClient } from 'pg';
import type { LinkRecord, LinkRole, LinkUse } from '../link-store.js';
import { StoreConflictError } from '../store-errors.js';
import { toMillis, type PostgresSession } from './postgres-session.js';

interface LinkRow {
  doc_id: string;
  link_id: string;
  token_hash: string;
  role: LinkRole;
  label: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  legacy: boolean;
}

const COLUMNS = 'doc_id, link_id, token_hash, role, label, created_at, expires_at, last_used_at, revoked_at, legacy';

export class PostgresLinks {
  readonly #s: PostgresSession;

  constructor(session: PostgresSession) {
    this.#s = session;
  }

  async create(link: LinkRecord): Promise<void> {
    await this.#s.withDocLock(link.docName, async (client) => {
      await this.#s.assertStored(client, link.docName, 'create a link');
      // DO NOTHING covers both unique keys; a racing insert of the same hash is waited for first.
      const inserted = await client.query(
        `INSERT INTO ${this.#s.t.links} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
        [link.docName, link.id, link.tokenHash, link.role, link.label, link.createdAt, link.expiresAt, link.lastUsedAt, link.revokedAt, link.legacy],
      );
      if (inserted.rowCount !== 1) throw new StoreConflictError('A link with this id (in this document) or this token hash exists already.');
    });
  }

  async find(tokenHash: string): Promise<LinkRecord | null> {
    const result = await this.#s.pool.query<LinkRow>(`SELECT ${COLUMNS} FROM ${this.#s.t.links} WHERE token_hash = $1`, [tokenHash]);
    const row = result.rows[0];
    return row === undefined ? null : toLink(row);
  }

  async list(docName: string): Promise<LinkRecord[]> {
    const result = await this.#s.pool.query<LinkRow>(
      `SELECT ${COLUMNS} FROM ${this.#s.t.links} WHERE doc_id = $1 ORDER BY created_at, link_id COLLATE "C"`,
      [docName],
    );
    return result.rows.map(toLink);
  }

  /** One statement: the row lock makes it atomic against another revocation or a purge. */
  async revoke(docName: string, linkId: string, at: number): Promise<LinkRecord | null> {
    const result = await this.#s.pool.query<LinkRow>(
      `UPDATE ${this.#s.t.links} SET revoked_at = coalesce(revoked_at, $3) WHERE doc_id = $1 AND link_id = $2 RETURNING ${COLUMNS}`,
      [docName, linkId, at],
    );
    const row = result.rows[0];
    return row === undefined ? null : toLink(row);
  }

  async touch(uses: readonly LinkUse[]): Promise<void> {
    const latest = new Map<string, LinkUse>();
    for (const use of uses) {
      const key = `${use.docName}/${use.linkId}`;
      const seen = latest.get(key);
      if (seen === undefined || use.at > seen.at) latest.set(key, use);
    }
    if (latest.size === 0) return;
    const batch = [...latest.values()];
    const params = [batch.map((use) => use.docName), batch.map((use) => use.linkId), batch.map((use) => use.at)];
    const t = this.#s.t;
    await this.#s.transaction(async (client) => {
      // Rows locked in one order first, so two nodes touching the same links cannot deadlock.
      await client.query(
        `SELECT 1 FROM ${t.links} WHERE (doc_id, link_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
         ORDER BY doc_id COLLATE "C", link_id COLLATE "C" FOR UPDATE`,
        params.slice(0, 2),
      );
      // GREATEST ignores NULL: a first use sets the time, later ones never move it back.
      await client.query(
        `UPDATE ${t.links} AS links SET last_used_at = GREATEST(links.last_used_at, uses.at)
         FROM unnest($1::text[], $2::text[], $3::bigint[]) AS uses (doc_id, link_id, at)
         WHERE links.doc_id = uses.doc_id AND links.link_id = uses.link_id`,
        params,
      );
    });
  }

  /** Deletes the document's links. Call in a purge's transaction. */
  async purge(client: PoolClient, docName: string): Promise<void> {
    await client.query(`DELETE FROM ${this.#s.t.links} WHERE doc_id = $1`, [docName]);
  }
}

function toLink(row: LinkRow): LinkRecord {
  return {
    id: row.link_id,
    docName: row.doc_id,
    role: row.role,
    tokenHash: row.token_hash,
    label: row.label,
    createdAt: Number(row.created_at),
    expiresAt: toMillis(row.expires_at),
    lastUsedAt: toMillis(row.last_used_at),
    revokedAt: toMillis(row.revoked_at),
    legacy: row.legacy,
  };
}
