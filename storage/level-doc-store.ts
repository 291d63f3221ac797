/**
 * The embedded default backend: one LevelDB directory, opened by one process. The key layout is
 * documented in level/level-keys.ts; each concern lives in a module of level/ (content, view
 * tokens, links, versions, blobs, trash). This class opens the database and builds the modules;
 * CheckedDocStore checks each call's arguments and hands it to its module.
 *
 * Every multi-key change is one atomic LevelDB batch. Changes that read before they write hold the
 * document's in-process lock (KeyedLock); appends hold only the document's append gate, which a
 * purge takes too, so appends never wait for a compaction and never land after a purge.
 */

import { CheckedDocStore } from './checked-doc-store.js';
import { LevelDb } from './level-db.js';
import { KeyedLock } from './keyed-lock.js';
import type { LevelContext } from './level/level-context.js';
import { EPOCH_KEY } from './level/level-keys.js';
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
export class LevelDocStore extends CheckedDocStore {
  private constructor(db: LevelDb, epoch: number, sync: boolean) {
    const ctx: LevelContext = { db, sync, locks: new KeyedLock(), notPurged: new Set() };
    const content = new LevelContent(ctx, epoch);
    const links = new LevelLinks(ctx);
    const versions = new LevelVersions(ctx);
    const blobs = new LevelBlobs(ctx);
    super('LevelDocStore', {
      content,
      viewTokens: new LevelViewTokens(ctx),
      links,
      versions,
      blobs,
      trash: new LevelTrash(ctx, { content, others: [links, versions, blobs] }),
      ping: async () => {
        await db.get(EPOCH_KEY);
      },
      release: () => db.close(),
    });
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
}
