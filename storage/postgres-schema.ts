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
