/**
 * The embedded default backend: one LevelDB directory, opened by one process.
 *
 * Key layout (keys are ASCII; `/` never occurs in a document id or view token, so one document's
 * keys never fall inside another document's range, even when one id is a prefix of another):
 *   d/<docId>/l/<seq>   one log entry (a Yjs update); <seq> is 16 hex digits, see below
 *   d/<docId>/m         metadata: time of the last append or compaction, decimal ms
 *   d/<docId>/s         snapshot: the merge of every log entry compacted away
 *   d/<docId>/v         the document's view token
 *   v/<token>           the document id a view token belongs to
 *   x/epoch             how many times the database was opened (decimal)
 *
 * Sequence numbers are `<6 hex digits of epoch><10 hex digits of counter>`. Each open durably
 * bumps the epoch before any append, so every key written after a restart sorts after every key
 * written before it, without scanning the log and without any per-document state.
 */

import { LevelDb, type BatchOperation } from './level-db.js';
import { KeyedLock } from './keyed-lock.js';
import { assertDocId, assertViewToken, compactUpdates, mergeStored, OperationTracker } from './store-support.js';
import type { AppendEntry, CompactResult, DocStore, DocSummary, StoredDoc } from './doc-store.js';

export interface LevelDocStoreOptions {
  /** fsync every write before it resolves (default true). Turn off only for throwaway data. */
  readonly sync?: boolean;
}

const EPOCH_KEY = 'x/epoch';
const MAX_EPOCH = 0xffffff;
const MAX_COUNTER = 2 ** 40;
/** A compaction that deletes this many log keys also compacts that key range in LevelDB. */
const TOMBSTONE_COMPACTION_THRESHOLD = 1000;

const docPrefix = (docId: string): string => `d/${docId}/`;
const logPrefix = (docId: string): string => `d/${docId}/l/`;
const metaKey = (docId: string): string => `d/${docId}/m`;
const snapshotKey = (docId: string): string => `d/${docId}/s`;
const docTokenKey = (docId: string): string => `d/${docId}/v`;
const tokenKey = (token: string): string => `v/${token}`;

/** A {@link DocStore} on an embedded LevelDB (leveldown). */
export class LevelDocStore implements DocStore {
  readonly #db: LevelDb;
  readonly #sync: boolean;
  readonly #epochHex: string;
  readonly #locks = new KeyedLock();
  readonly #operations = new OperationTracker('LevelDocStore');
  #counter = 0;
  #closing: Promise<void> | null = null;

  private constructor(db: LevelDb, epoch: number, sync: boolean) {
    this.#db = db;
    this.#sync = sync;
    this.#epochHex = epoch.toString(16).padStart(6, '0');
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

  async load(docId: string): Promise<StoredDoc | null> {
    assertDocId(docId);
    return this.#operations.track(async () => {
      const { snapshot, log } = await this.#readDoc(docId);
      if (snapshot === undefined && log.length === 0) return null;
      return mergeStored(snapshot, log.map(([, value]) => value));
    });
  }

  async append(entries: readonly AppendEntry[]): Promise<void> {
    for (const entry of entries) assertDocId(entry.docId);
    return this.#operations.track(async () => {
      if (entries.length === 0) return;
      if (this.#counter + entries.length > MAX_COUNTER) {
        throw new RangeError('This LevelDocStore has used every sequence number of its epoch; reopen it.');
      }
      const now = String(Date.now());
      const operations: BatchOperation[] = [];
      const touched = new Set<string>();
      for (const entry of entries) {
        operations.push({ type: 'put', key: logPrefix(entry.docId) + this.#nextSeq(), value: entry.update });
        touched.add(entry.docId);
      }
      for (const docId of touched) operations.push({ type: 'put', key: metaKey(docId), value: now });
      await this.#db.batch(operations, this.#sync);
    });
  }

  async compact(docId: string): Promise<CompactResult> {
    assertDocId(docId);
    return this.#operations.track(() =>
      this.#locks.run(docId, async () => {
        const { snapshot, log } = await this.#readDoc(docId);
        const bytesBefore = (snapshot?.length ?? 0) + log.reduce((sum, [, value]) => sum + value.length, 0);
        if (log.length === 0) return { entriesMerged: 0, bytesBefore, bytesAfter: bytesBefore };
        const parts = log.map(([, value]) => value);
        const compacted = compactUpdates(snapshot, parts);
        const operations: BatchOperation[] = [
          { type: 'put', key: snapshotKey(docId), value: compacted },
          { type: 'put', key: metaKey(docId), value: String(Date.now()) },
        ];
        // Only the entries read above: anything appended since stays in the log.
        for (const [key] of log) operations.push({ type: 'del', key });
        await this.#db.batch(operations, this.#sync);
        if (log.length >= TOMBSTONE_COMPACTION_THRESHOLD) {
          // Until LevelDB compacts them, the deleted keys' tombstones slow every later load's scan.
          await this.#db.compactRange(logPrefix(docId), `d/${docId}/l0`);
        }
        return { entriesMerged: log.length, bytesBefore, bytesAfter: compacted.length };
      }),
    );
  }

  async delete(docId: string): Promise<void> {
    assertDocId(docId);
    return this.#operations.track(() =>
      this.#locks.run(docId, async () => {
        const operations: BatchOperation[] = [];
        const token = await this.#db.get(docTokenKey(docId));
        if (token !== undefined) operations.push({ type: 'del', key: tokenKey(token.toString('utf8')) });
        await this.#db.scan({ gte: docPrefix(docId), lt: `d/${docId}0`, values: false }, (key) => {
          operations.push({ type: 'del', key });
        });
        if (operations.length > 0) await this.#db.batch(operations, this.#sync);
      }),
    );
  }

  async list(): Promise<DocSummary[]> {
    return this.#operations.track(async () => {
      const summaries: DocSummary[] = [];
      let current: { docId: string; storedBytes: number; updatedAt: number; hasContent: boolean } | null = null;
      const flush = (): void => {
        if (current?.hasContent) {
          summaries.push({ docId: current.docId, storedBytes: current.storedBytes, updatedAt: current.updatedAt });
        }
      };
      await this.#db.scan({ gt: 'd/', lt: 'd0' }, (key, value) => {
        const slash = key.indexOf('/', 2);
        const docId = key.slice(2, slash);
        if (current?.docId !== docId) {
          flush();
          current = { docId, storedBytes: 0, updatedAt: 0, hasContent: false };
        }
        const kind = key.slice(slash + 1);
        if (kind === 's' || kind.startsWith('l/')) {
          current.storedBytes += value.length;
          current.hasContent = true;
        } else if (kind === 'm') {
          current.updatedAt = Number(value.toString('utf8'));
        }
      });
      flush();
      // Key order puts `-` before `/`, so a prefix id can follow a longer one; sort by id proper.
      return summaries.sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0));
    });
  }

  async stat(docId: string): Promise<DocSummary | null> {
    assertDocId(docId);
    return this.#operations.track(async () => {
      const { snapshot, log, updatedAt } = await this.#readDoc(docId);
      if (snapshot === undefined && log.length === 0) return null;
      const storedBytes = (snapshot?.length ?? 0) + log.reduce((sum, [, value]) => sum + value.length, 0);
      return { docId, storedBytes, updatedAt };
    });
  }

  async getViewToken(docId: string): Promise<string | null> {
    assertDocId(docId);
    return this.#operations.track(async () => {
      const token = await this.#db.get(docTokenKey(docId));
      return token === undefined ? null : token.toString('utf8');
    });
  }

  async setViewToken(docId: string, token: string): Promise<void> {
    assertDocId(docId);
    assertViewToken(token);
    return this.#operations.track(() =>
      this.#locks.run(docId, () =>
        // Lock order is always document, then token, so these two locks cannot deadlock.
        this.#locks.run(tokenKey(token), async () => {
          const [owner, previous] = await this.#db.getMany([tokenKey(token), docTokenKey(docId)]);
          if (owner !== undefined) {
            if (owner.toString('utf8') === docId) return;
            throw new Error('That view token already belongs to another document.');
          }
          const operations: BatchOperation[] = [
            { type: 'put', key: tokenKey(token), value: docId },
            { type: 'put', key: docTokenKey(docId), value: token },
          ];
          if (previous !== undefined) operations.push({ type: 'del', key: tokenKey(previous.toString('utf8')) });
          await this.#db.batch(operations, this.#sync);
        }),
      ),
    );
  }

  async resolveViewToken(token: string): Promise<string | null> {
    assertViewToken(token);
    return this.#operations.track(async () => {
      const docId = await this.#db.get(tokenKey(token));
      return docId === undefined ? null : docId.toString('utf8');
    });
  }

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

  /** Log entries, snapshot and metadata of one document, read from one consistent snapshot. */
  async #readDoc(docId: string): Promise<{ snapshot: Buffer | undefined; log: Array<[string, Buffer]>; updatedAt: number }> {
    let snapshot: Buffer | undefined;
    let updatedAt = 0;
    const log: Array<[string, Buffer]> = [];
    const logStart = logPrefix(docId);
    // The range l/… < m < s covers the log, the metadata and the snapshot in one iterator.
    await this.#db.scan({ gte: logStart, lte: snapshotKey(docId) }, (key, value) => {
      if (key.startsWith(logStart)) log.push([key, value]);
      else if (key === snapshotKey(docId)) snapshot = value;
      else if (key === metaKey(docId)) updatedAt = Number(value.toString('utf8'));
    });
    return { snapshot, log, updatedAt };
  }

  #nextSeq(): string {
    const seq = this.#counter;
    this.#counter += 1;
    return this.#epochHex + seq.toString(16).padStart(10, '0');
  }
}
