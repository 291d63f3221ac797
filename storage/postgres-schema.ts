/**
 * The PostgreSQL schema of PostgresDocStore and its migrations. Migrations form an ordered list;
 * each runs once, in its own transaction, and records its version in `quire_schema_version`. The
 * whole run holds a session advisory lock, so nodes starting together migrate one after another.
 */

import type { Pool, PoolClient } from 'pg';

/** Fully qualified (quoted) table names for one schema, or unqualified when no schema is given. */
export interface TableNames {
  readonly schema: string | null;
  readonly version: string;
  readonly updates: string;
  readonly snapshots: string;
  readonly viewTokens: string;
  readonly docStates: string;
  readonly links: string;
  readonly versions: string;
  readonly blobs: string;
  /** The function that appends a batch unless a document of it is purged (migration 2). */
  readonly appendFunction: string;
  /** The first key of each kind of per-document advisory lock (see postgres/postgres-session.ts). */
  readonly lockSpaces: { readonly doc: string; readonly appendGate: string };
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function tableNames(schema: string | null): TableNames {
  if (schema !== null && !SCHEMA_NAME.test(schema)) {
    throw new RangeError(`Invalid PostgreSQL schema name ${JSON.stringify(schema)}: use letters, digits and _ (at most 63).`);
  }
  const qualify = (table: string): string => (schema === null ? table : `"${schema}".${table}`);
  return {
    schema,
    version: qualify('quire_schema_version'),
    updates: qualify('quire_updates'),
    snapshots: qualify('quire_snapshots'),
    viewTokens: qualify('quire_view_tokens'),
    docStates: qualify('quire_doc_states'),
    links: qualify('quire_links'),
    versions: qualify('quire_versions'),
    blobs: qualify('quire_blobs'),
    appendFunction: qualify('quire_append'),
    // The document lock's space is unchanged since the first release, so nodes of both versions agree.
    lockSpaces: { doc: `quire:${schema ?? ''}`, appendGate: `quire-append:${schema ?? ''}` },
  };
}

/** Migration n (1-based) is `MIGRATIONS[n - 1]`. Append new ones; never edit a released one. */
const MIGRATIONS: ReadonlyArray<(t: TableNames) => string> = [
  (t) => `
    CREATE TABLE ${t.updates} (
      seq bigserial PRIMARY KEY,
      doc_id text NOT NULL,
      data bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX quire_updates_doc_seq ON ${t.updates} (doc_id, seq);
    CREATE TABLE ${t.snapshots} (
      doc_id text PRIMARY KEY,
      data bytea NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE ${t.viewTokens} (
      token text PRIMARY KEY,
      doc_id text NOT NULL UNIQUE
    );
  `,
  // 2: links, versions, trash and tombstones, blobs. Times are whole ms since the epoch (bigint),
  // so they come back exactly as given. Sizes are octet_length(), which reads no TOASTed value.
  (t) => `
    -- A trashed document, or the tombstone of a purged one; no row: missing or live.
    CREATE TABLE ${t.docStates} (
      doc_id text PRIMARY KEY,
      state text NOT NULL CHECK (state IN ('trashed', 'purged')),
      since bigint NOT NULL
    );
    CREATE INDEX quire_doc_states_trashed ON ${t.docStates} (since) WHERE state = 'trashed';
    -- Links hold the SHA-256 of their token, never the token; the unique index serves findLink.
    CREATE TABLE ${t.links} (
      doc_id text NOT NULL,
      link_id text NOT NULL,
      token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
      role text NOT NULL CHECK (role IN ('owner', 'edit', 'view')),
      label text,
      created_at bigint NOT NULL,
      expires_at bigint,
      last_used_at bigint,
      revoked_at bigint,
      legacy boolean NOT NULL,
      PRIMARY KEY (doc_id, link_id),
      CONSTRAINT quire_links_token_hash_key UNIQUE (token_hash)
    );
    CREATE TABLE ${t.versions} (
      doc_id text NOT NULL,
      version_id text NOT NULL,
      created_at bigint NOT NULL,
      kind text NOT NULL CHECK (kind IN ('auto', 'named', 'before-restore')),
      label text,
      authors text[] NOT NULL,
      snapshot bytea NOT NULL,
      PRIMARY KEY (doc_id, version_id)
    );
    CREATE TABLE ${t.blobs} (
      doc_id text NOT NULL,
      blob_id text NOT NULL,
      content_type text NOT NULL,
      created_at bigint NOT NULL,
      data bytea NOT NULL,
      PRIMARY KEY (doc_id, blob_id)
    );
    -- Images are compressed already; do not spend CPU trying again.
    ALTER TABLE ${t.blobs} ALTER COLUMN data SET STORAGE EXTERNAL;
    -- One round trip per batch, as a plain INSERT was: take the documents' append gates (shared, in
    -- one order; a purge takes a gate exclusively), then, in a fresh snapshot (each statement of a
    -- volatile function in READ COMMITTED takes one), refuse the batch if any document is purged,
    -- else insert it. Returns the purged documents; nothing is inserted when there are any.
    CREATE FUNCTION ${t.appendFunction}(doc_ids text[], updates bytea[]) RETURNS SETOF text
    LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock_shared(hashtext('${t.lockSpaces.appendGate}'), gates.gate)
      FROM (SELECT DISTINCT hashtext(doc_id) AS gate FROM unnest(doc_ids) AS doc_id ORDER BY 1) AS gates;
      RETURN QUERY SELECT states.doc_id FROM ${t.docStates} AS states
        WHERE states.doc_id = ANY(doc_ids) AND states.state = 'purged' ORDER BY states.doc_id COLLATE "C";
      IF FOUND THEN
        RETURN;
      END IF;
      INSERT INTO ${t.updates} (doc_id, data) SELECT * FROM unnest(doc_ids, updates);
    END
    $$;
  `,
];

/** The schema version this code expects. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Creates the schema (when named) and applies every migration not yet applied. Safe to run from
 * several processes at once. Rejects when the database holds a newer schema than this code knows.
 */
export async function migrate(pool: Pool, tables: TableNames): Promise<void> {
  const client = await pool.connect();
  let broken = false;
  const lockKey = `quire-migrate:${tables.schema ?? ''}`;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      if (tables.schema !== null) await client.query(`CREATE SCHEMA IF NOT EXISTS "${tables.schema}"`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${tables.version} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
      const result = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${tables.version}`);
      const current = result.rows[0]?.version ?? 0;
      if (current > SCHEMA_VERSION) {
        throw new Error(`The database schema is at version ${current}, newer than this Quire knows (${SCHEMA_VERSION}); upgrade Quire.`);
      }
      for (let version = current + 1; version <= SCHEMA_VERSION; version += 1) {
        await applyMigration(client, tables, version);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    // A client whose session may still hold the lock or a failed transaction is not reused.
    client.release(broken);
  }
}

async function applyMigration(client: PoolClient, tables: TableNames, version: number): Promise<void> {
  const migration = MIGRATIONS[version - 1];
  if (migration === undefined) throw new RangeError(`No migration numbered ${version}.`);
  await client.query('BEGIN');
  try {
    await client.query(migration(tables));
    await client.query(`INSERT INTO ${tables.version} (version) VALUES ($1)`, [version]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
