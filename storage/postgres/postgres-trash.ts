/**
 * The life of PostgresDocStore's documents: `quire_doc_states` holds a row for a trashed document
 * and the tombstone of a purged one (no row: missing or live, told apart by whether content is
 * stored). A purge runs every module's deletions and writes the tombstone in one transaction,
 * holding the document's lock and, exclusively, its append gate.
 */

import type { PoolClient } from 'pg';
import { DocStatusError } from '../store-errors.js';
import type { DocStatus, TrashEntry } from '../trash-store.js';
import type { PostgresSession } from './postgres-session.js';

/** What a purge asks of each module: delete everything it stores for the document, in this transaction. */
export interface PostgresPurgeable {
  purge(client: PoolClient, docName: string): Promise<void>;
}

type StoredState = { readonly state: 'trashed' | 'purged'; readonly since: number } | null;

export class PostgresTrash {
  readonly #s: PostgresSession;
  readonly #parts: readonly PostgresPurgeable[];

  constructor(session: PostgresSession, parts: readonly PostgresPurgeable[]) {
    this.#s = session;
    this.#parts = parts;
  }

  status(docName: string): Promise<DocStatus> {
    return this.#s.status(this.#s.pool, docName);
  }

  async trash(docName: string, at: number): Promise<void> {
    await this.#s.withDocLock(docName, async (client) => {
      const status = await this.#s.status(client, docName);
      if (status === 'trashed') return;
      if (status !== 'live') throw new DocStatusError([{ docName, status }], 'move the document to the trash');
      await client.query(`INSERT INTO ${this.#s.t.docStates} (doc_id, state, since) VALUES ($1, 'trashed', $2)`, [docName, at]);
    });
  }

  async untrash(docName: string): Promise<void> {
    await this.#s.withDocLock(docName, async (client) => {
      const status = await this.#s.status(client, docName);
      if (status === 'live') return;
      if (status !== 'trashed') throw new DocStatusError([{ docName, status }], 'restore the document from the trash');
      await client.query(`DELETE FROM ${this.#s.t.docStates} WHERE doc_id = $1`, [docName]);
    });
  }

  async listTrash(): Promise<TrashEntry[]> {
    const t = this.#s.t;
    const result = await this.#s.pool.query<{ doc_id: string; since: string; stored_bytes: string; other_bytes: string }>(
      `SELECT states.doc_id, states.since,
         (coalesce((SELECT sum(octet_length(data)) FROM ${t.updates} WHERE doc_id = states.doc_id), 0)
          + coalesce((SELECT octet_length(data) FROM ${t.snapshots} WHERE doc_id = states.doc_id), 0))::text AS stored_bytes,
         (coalesce((SELECT sum(octet_length(snapshot)) FROM ${t.versions} WHERE doc_id = states.doc_id), 0)
          + coalesce((SELECT sum(octet_length(data)) FROM ${t.blobs} WHERE doc_id = states.doc_id), 0))::text AS other_bytes
       FROM ${t.docStates} AS states WHERE states.state = 'trashed'
       ORDER BY states.since, states.doc_id COLLATE "C"`,
    );
    return result.rows.map((row) => {
      const storedBytes = Number(row.stored_bytes);
      return { docName: row.doc_id, deletedAt: Number(row.since), storedBytes, totalBytes: storedBytes + Number(row.other_bytes) };
    });
  }

  async purge(docName: string, at: number): Promise<void> {
    await this.#purgeIf(docName, at, () => true);
  }

  async purgeTrash(deletedBefore: number, at: number): Promise<string[]> {
    const due = await this.#s.pool.query<{ doc_id: string }>(
      `SELECT doc_id FROM ${this.#s.t.docStates} WHERE state = 'trashed' AND since < $1 ORDER BY doc_id COLLATE "C"`,
      [deletedBefore],
    );
    const purged: string[] = [];
    for (const { doc_id: docName } of due.rows) {
      // Checked again under the lock: a document restored since the listing stays.
      const done = await this.#purgeIf(docName, at, (stored) => stored?.state === 'trashed' && stored.since < deletedBefore);
      if (done) purged.push(docName);
    }
    return purged;
  }

  /** Purges the document when `when` accepts its stored state; resolves to whether it did. */
  async #purgeIf(docName: string, at: number, when: (stored: StoredState) => boolean): Promise<boolean> {
    const t = this.#s.t;
    return this.#s.withDocLock(
      docName,
      async (client) => {
        const result = await client.query<{ state: 'trashed' | 'purged'; since: string }>(`SELECT state, since FROM ${t.docStates} WHERE doc_id = $1`, [docName]);
        const row = result.rows[0];
        const stored: StoredState = row === undefined ? null : { state: row.state, since: Number(row.since) };
        if (stored?.state === 'purged' || !when(stored)) return false;
        for (const part of this.#parts) await part.purge(client, docName);
        await client.query(
          `INSERT INTO ${t.docStates} (doc_id, state, since) VALUES ($1, 'purged', $2)
           ON CONFLICT (doc_id) DO UPDATE SET state = 'purged', since = excluded.since`,
          [docName, at],
        );
        return true;
      },
      { appendGate: true },
    );
  }
}
