/**
 * The shared backend for scale-out: PostgreSQL through a `pg` Pool. Several Quire processes may
 * use one database at once. The tables are in postgres-schema.ts; each concern lives in a module
 * of postgres/ (content, view tokens, links, versions, blobs, trash), and the locking that keeps
 * nodes from racing is described in postgres/postgres-session.ts. This class checks arguments
 * before storage is touched, tracks operations for `close()`, and hands each call to its module.
 * A document "is stored" when it has a snapshot or a log entry.
 */

import pg from 'pg';
import type { Pool } from 'pg';
import { migrate, tableNames } from './postgres-schema.js';
import { assertDocId, assertViewToken, OperationTracker } from './store-support.js';
import { assertItemId, assertLinkRecord, assertLinkUses, assertNewBlob, assertNewVersion, assertTime, assertTokenHash, assertVersionIds } from './record-checks.js';
import type { AppendEntry, CompactResult, DocStore, DocSummary, StoredDoc } from './doc-store.js';
import type { LinkRecord, LinkUse } from './link-store.js';
import type { NewVersion, StoredVersion, VersionRecord } from './version-store.js';
import type { DocStatus, TrashEntry } from './trash-store.js';
import type { BlobSummary, NewBlob, StoredBlob } from './blob-store.js';
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
export class PostgresDocStore implements DocStore {
  readonly #pool: Pool;
  readonly #operations = new OperationTracker('PostgresDocStore');
  readonly #content: PostgresContent;
  readonly #viewTokens: PostgresViewTokens;
  readonly #links: PostgresLinks;
  readonly #versions: PostgresVersions;
  readonly #blobs: PostgresBlobs;
  readonly #trash: PostgresTrash;
  #closing: Promise<void> | null = null;

  private constructor(session: PostgresSession) {
    this.#pool = session.pool;
    this.#content = new PostgresContent(session);
    this.#viewTokens = new PostgresViewTokens(session);
    this.#links = new PostgresLinks(session);
    this.#versions = new PostgresVersions(session);
    this.#blobs = new PostgresBlobs(session);
    this.#trash = new PostgresTrash(session, [this.#content, this.#viewTokens, this.#links, this.#versions, this.#blobs]);
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

  // Content.

  async load(docName: string): Promise<StoredDoc | null> {
    assertDocId(docName);
    return this.#operations.track(() => this.#content.load(docName));
  }

  async append(entries: readonly AppendEntry[]): Promise<void> {
    for (const entry of entries) assertDocId(entry.docName);
    return this.#operations.track(() => this.#content.append(entries));
  }

  async compact(docName: string): Promise<CompactResult> {
    assertDocId(docName);
    return this.#operations.track(() => this.#content.compact(docName));
  }

  async delete(docName: string): Promise<void> {
    return this.purge(docName, Date.now());
  }

  async list(): Promise<DocSummary[]> {
    return this.#operations.track(() => this.#content.list());
  }

  async stat(docName: string): Promise<DocSummary | null> {
    assertDocId(docName);
    return this.#operations.track(() => this.#content.stat(docName));
  }

  // View tokens.

  async getViewToken(docName: string): Promise<string | null> {
    assertDocId(docName);
    return this.#operations.track(() => this.#viewTokens.get(docName));
  }

  async setViewToken(docName: string, token: string): Promise<void> {
    assertDocId(docName);
    assertViewToken(token);
    return this.#operations.track(() => this.#viewTokens.set(docName, token));
  }

  async resolveViewToken(token: string): Promise<string | null> {
    assertViewToken(token);
    return this.#operations.track(() => this.#viewTokens.resolve(token));
  }

  // Links.

  async createLink(link: LinkRecord): Promise<void> {
    assertLinkRecord(link);
    return this.#operations.track(() => this.#links.create(link));
  }

  async findLink(tokenHash: string): Promise<LinkRecord | null> {
    assertTokenHash(tokenHash);
    return this.#operations.track(() => this.#links.find(tokenHash));
  }

  async listLinks(docName: string): Promise<LinkRecord[]> {
    assertDocId(docName);
    return this.#operations.track(() => this.#links.list(docName));
  }

  async revokeLink(docName: string, linkId: string, at: number): Promise<LinkRecord | null> {
    assertDocId(docName);
    assertItemId('link', linkId);
    assertTime('revocation time', at);
    return this.#operations.track(() => this.#links.revoke(docName, linkId, at));
  }

  async touchLinks(uses: readonly LinkUse[]): Promise<void> {
    assertLinkUses(uses);
    return this.#operations.track(() => this.#links.touch(uses));
  }

  // Versions.

  async saveVersion(version: NewVersion, snapshot: Uint8Array): Promise<VersionRecord> {
    assertNewVersion(version, snapshot);
    return this.#operations.track(() => this.#versions.save(version, snapshot));
  }

  async listVersions(docName: string): Promise<VersionRecord[]> {
    assertDocId(docName);
    return this.#operations.track(() => this.#versions.list(docName));
  }

  async loadVersion(docName: string, versionId: string): Promise<StoredVersion | null> {
    assertDocId(docName);
    assertItemId('version', versionId);
    return this.#operations.track(() => this.#versions.load(docName, versionId));
  }

  async deleteVersions(docName: string, versionIds: readonly string[]): Promise<number> {
    assertDocId(docName);
    assertVersionIds(versionIds);
    return this.#operations.track(() => this.#versions.delete(docName, versionIds));
  }

  // Trash and tombstones.

  async status(docName: string): Promise<DocStatus> {
    assertDocId(docName);
    return this.#operations.track(() => this.#trash.status(docName));
  }

  async trash(docName: string, at: number): Promise<void> {
    assertDocId(docName);
    assertTime('deletion time', at);
    return this.#operations.track(() => this.#trash.trash(docName, at));
  }

  async untrash(docName: string): Promise<void> {
    assertDocId(docName);
    return this.#operations.track(() => this.#trash.untrash(docName));
  }

  async listTrash(): Promise<TrashEntry[]> {
    return this.#operations.track(() => this.#trash.listTrash());
  }

  async purge(docName: string, at: number): Promise<void> {
    assertDocId(docName);
    assertTime('purge time', at);
    return this.#operations.track(() => this.#trash.purge(docName, at));
  }

  async purgeTrash(deletedBefore: number, at: number): Promise<string[]> {
    assertTime('deletedBefore', deletedBefore);
    assertTime('purge time', at);
    return this.#operations.track(() => this.#trash.purgeTrash(deletedBefore, at));
  }

  // Blobs.

  async putBlob(docName: string, blob: NewBlob): Promise<void> {
    assertDocId(docName);
    assertNewBlob(blob);
    return this.#operations.track(() => this.#blobs.put(docName, blob));
  }

  async getBlob(docName: string, blobId: string): Promise<StoredBlob | null> {
    assertDocId(docName);
    assertItemId('blob', blobId);
    return this.#operations.track(() => this.#blobs.get(docName, blobId));
  }

  async listBlobs(docName: string): Promise<BlobSummary[]> {
    assertDocId(docName);
    return this.#operations.track(() => this.#blobs.list(docName));
  }

  async deleteBlob(docName: string, blobId: string): Promise<boolean> {
    assertDocId(docName);
    assertItemId('blob', blobId);
    return this.#operations.track(() => this.#blobs.delete(docName, blobId));
  }

  // Health and shutdown.

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
}
