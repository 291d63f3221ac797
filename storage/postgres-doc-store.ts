/**
 * The shared backend for scale-out: PostgreSQL through a `pg` Pool. Several Quire processes may
 * use one database at once. The tables are in postgres-schema.ts; each concern lives in a module
 * of postgres/ (content, view tokens, links, versions, blobs, trash), and the locking that keeps
 * nodes from racing is described in postgres/postgres-session.ts. This class connects and builds
 * the modules; CheckedDocStore checks each call's arguments and hands it to its module.
 * A document "is stored" when it has a snapshot or a log entry.
 */

import pg from 'pg';
import { CheckedDocStore } from './checked-doc-store.js';
import { migrate, tableNames } from './postgres-schema.js';
import { PostgresSession } from './postgres/postgres-session.js';
import { describeConnection, redactPassword } from './postgres/postgres-connection.js';
import { PostgresContent } from './postgres/postgres-content.js';
import { PostgresViewTokens } from './postgres/postgres-view-tokens.js';
import { PostgresLinks } from './postgres/postgres-links.js';
import { PostgresVersions } from './postgres/postgres-versions.js';
import { PostgresBlobs } from './postgres/postgres-blobs.js';
import { PostgresTrash } from './postgres/postgres-trash.js';

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

/** A {@link DocStore} on PostgreSQL. */
export class PostgresDocStore extends CheckedDocStore {
  private constructor(session: PostgresSession) {
    const content = new PostgresContent(session);
    const viewTokens = new PostgresViewTokens(session);
    const links = new PostgresLinks(session);
    const versions = new PostgresVersions(session);
    const blobs = new PostgresBlobs(session);
    super('PostgresDocStore', {
      content,
      viewTokens,
      links,
      versions,
      blobs,
      trash: new PostgresTrash(session, [content, viewTokens, links, versions, blobs]),
      ping: async () => {
        await session.pool.query('SELECT 1');
      },
      release: () => session.pool.end(),
    });
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
      throw new Error(`Cannot connect to PostgreSQL at ${where}: ${redactPassword(detail, connectionString)}`, { cause: error });
    }
    try {
      await migrate(pool, tables);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return new PostgresDocStore(new PostgresSession(pool, tables));
  }
}
