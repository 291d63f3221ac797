/**
 * The embedded default backend: one LevelDB directory, opened by one process. The key layout is
 * documented in level/level-keys.ts; each concern lives in a module of level/ (content, view
 * tokens, links, versions, blobs, trash). This class checks arguments before storage is touched,
 * tracks operations for `close()`, and hands each call to its module.
 *
 * Every multi-key change is one atomic LevelDB batch. Changes that read before they write hold the
 * document's in-process lock (KeyedLock); appends hold only the document's append gate, which a
 * purge takes too, so appends never wait for a compaction and never land after a purge.
 */

import { LevelDb } from './level-db.js';
import { KeyedLock } from './keyed-lock.js';
import { assertDocId, assertViewToken, OperationTracker } from './store-support.js';
import { assertItemId, assertLinkRecord, assertLinkUses, assertNewBlob, assertNewVersion, assertTime, assertTokenHash, assertVersionIds } from './record-checks.js';
import type { AppendEntry, CompactResult, DocStore, DocSummary, StoredDoc } from './doc-store.js';
import type { LinkRecord, LinkUse } from './link-store.js';
import type { NewVersion, StoredVersion, VersionRecord } from './version-store.js';
import type { DocStatus, TrashEntry } from './trash-store.js';
import type { BlobSummary, NewBlob, StoredBlob } from './blob-store.js';
import type { LevelContext } from './level/level-context.js';
import { EPOCH_KEY, lockOf } from './level/level-keys.js';
import { LevelContent, MAX_EPOCH } from './level/level-content.js';
import { LevelViewTokens } from './level/level-view-tokens.js';
import { LevelLinks } from './level/level-links.js';
import { LevelVersions } from './level/level-versions.js';
import { LevelBlobs } from './level/level-blobs.js';
import { LevelTrash } from './level/level-trash.js';

export interface LevelDocStoreOptions {
  /** fsync every write before it resolves (default true). Turn off only for throwaway data. */
  readonly sync?: boolean;
}

/** A {@link DocStore} on an embedded LevelDB (leveldown). */
export class LevelDocStore implements DocStore {
  readonly #db: LevelDb;
  readonly #locks: KeyedLock;
  readonly #operations = new OperationTracker('LevelDocStore');
  readonly #content: LevelContent;
  readonly #viewTokens: LevelViewTokens;
  readonly #links: LevelLinks;
  readonly #versions: LevelVersions;
  readonly #blobs: LevelBlobs;
  readonly #trash: LevelTrash;
  #closing: Promise<void> | null = null;

  private constructor(db: LevelDb, epoch: number, sync: boolean) {
    this.#db = db;
    this.#locks = new KeyedLock();
    const ctx: LevelContext = { db, sync, locks: this.#locks, notPurged: new Set() };
    this.#content = new LevelContent(ctx, epoch);
    this.#viewTokens = new LevelViewTokens(ctx);
    this.#links = new LevelLinks(ctx);
    this.#versions = new LevelVersions(ctx);
    this.#blobs = new LevelBlobs(ctx);
    this.#trash = new LevelTrash(ctx, { content: this.#content, others: [this.#links, this.#versions, this.#blobs] });
  }

  /**
   * Opens (creating if needed) the store in `dir`. Rejects when another process (or another
   * store in this process) has the directory open: LevelDB allows one owner at a time.
   */
  static async open(dir: string, options: LevelDocStoreOptions = {}): Promise<LevelDocStore> {
    let db: LevelDb;
    try {
      db = await LevelDb.open(dir);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      if (/lock/i.test(detail)) {
        throw new Error(
          `Cannot open the LevelDB data dir ${dir}: it is in use by another process (only one Quire process may use a LevelDB data dir; use PostgreSQL to run several). LevelDB said: ${detail}`,
          { cause: error },
        );
      }
      throw new Error(`Cannot open the LevelDB data dir ${dir}: ${detail}`, { cause: error });
    }
    try {
      const stored = await db.get(EPOCH_KEY);
      const epoch = (stored === undefined ? 0 : Number(stored.toString('utf8'))) + 1;
      if (!Number.isSafeInteger(epoch) || epoch > MAX_EPOCH) {
        throw new Error(`The LevelDB data dir ${dir} has a corrupt or exhausted epoch counter (${String(stored)}).`);
      }
      await db.batch([{ type: 'put', key: EPOCH_KEY, value: String(epoch) }], true);
      return new LevelDocStore(db, epoch, options.sync ?? true);
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
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
    return this.#operations.track(() => this.#locks.run(lockOf.doc(docName), () => this.#content.compact(docName)));
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
      await this.#db.get(EPOCH_KEY);
    });
  }

  /** Waits for the operations already started, then closes the database. Later calls (except close) reject. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#operations.close();
      await this.#db.close();
    })();
    return this.#closing;
  }
}
