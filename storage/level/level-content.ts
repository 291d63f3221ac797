/**
 * The content of LevelDocStore's documents: the log, the snapshot, compaction, and the listing of
 * live documents.
 *
 * Sequence numbers are `<6 hex digits of epoch><10 hex digits of counter>`. Each open durably
 * bumps the epoch before any append, so every key written after a restart sorts after every key
 * written before it, without scanning the log and without any per-document state.
 */

import type { BatchOperation } from '../level-db.js';
import { mergeStored } from '../store-support.js';
import { DocStatusError, type RefusedDoc } from '../store-errors.js';
import type { AppendEntry, CompactResult, DocSummary, MergeUpdates, StoredDoc } from '../doc-store.js';
import { decodeStatus, type LevelContext } from './level-context.js';
import { compareAscii, DOCS_PREFIX, docPrefix, docTokenKey, lockOf, logPrefix, metaKey, snapshotKey, statusKey, tokenKey, under } from './level-keys.js';

/** Most documents whose "not purged" status the store remembers (see LevelContext.notPurged). */
const MAX_KNOWN_STATUSES = 100_000;

export const MAX_EPOCH = 0xffffff;
const MAX_COUNTER = 2 ** 40;
/** A compaction that deletes this many log keys also compacts that key range in LevelDB. */
const TOMBSTONE_COMPACTION_THRESHOLD = 1000;

export class LevelContent {
  readonly #ctx: LevelContext;
  readonly #epochHex: string;
  #counter = 0;

  constructor(ctx: LevelContext, epoch: number) {
    this.#ctx = ctx;
    this.#epochHex = epoch.toString(16).padStart(6, '0');
  }

  async load(docName: string): Promise<StoredDoc | null> {
    const { snapshot, log } = await this.#readDoc(docName);
    if (snapshot === undefined && log.length === 0) return null;
    return mergeStored(snapshot, log.map(([, value]) => value));
  }

  /** One batch for every entry; refused whole when a document of it is purged (checked under its append gate). */
  async append(entries: readonly AppendEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const docNames = [...new Set(entries.map((entry) => entry.docName))];
    await this.#ctx.locks.runAll(docNames.map(lockOf.appendGate), async () => {
      const notPurged = this.#ctx.notPurged;
      const unread = docNames.filter((docName) => !notPurged.has(docName));
      if (unread.length > 0) {
        const statuses = await this.#ctx.db.getMany(unread.map(statusKey));
        const refused: RefusedDoc[] = [];
        unread.forEach((docName, index) => {
          if (decodeStatus(statuses[index])?.status === 'purged') refused.push({ docName, status: 'purged' });
        });
        if (refused.length > 0) throw new DocStatusError(refused, 'append to a purged document');
        // A bound on what the set holds: past it, statuses are read again.
        if (notPurged.size + unread.length > MAX_KNOWN_STATUSES) notPurged.clear();
        for (const docName of unread) notPurged.add(docName);
      }
      if (this.#counter + entries.length > MAX_COUNTER) {
        throw new RangeError('This LevelDocStore has used every sequence number of its epoch; reopen it.');
      }
      const now = String(Date.now());
      const operations: BatchOperation[] = entries.map((entry) => ({ type: 'put', key: logPrefix(entry.docName) + this.#nextSeq(), value: entry.update }));
      for (const docName of docNames) operations.push({ type: 'put', key: metaKey(docName), value: now });
      await this.#ctx.db.batch(operations, this.#ctx.sync);
    });
  }

  /** Folds the log into the snapshot, holding the document's lock (appends go on meanwhile). */
  compact(docName: string, merge: MergeUpdates): Promise<CompactResult> {
    return this.#ctx.locks.run(lockOf.doc(docName), () => this.#compactLocked(docName, merge));
  }

  async #compactLocked(docName: string, merge: MergeUpdates): Promise<CompactResult> {
    const { snapshot, log } = await this.#readDoc(docName);
    const bytesBefore = (snapshot?.length ?? 0) + log.reduce((sum, [, value]) => sum + value.length, 0);
    if (log.length === 0) return { entriesMerged: 0, bytesBefore, bytesAfter: bytesBefore };
    const entries = log.map(([, value]) => value);
    const compacted = await merge(snapshot === undefined ? entries : [snapshot, ...entries]);
    const operations: BatchOperation[] = [
      { type: 'put', key: snapshotKey(docName), value: compacted },
      { type: 'put', key: metaKey(docName), value: String(Date.now()) },
    ];
    // Only the entries read above: anything appended since stays in the log.
    for (const [key] of log) operations.push({ type: 'del', key });
    await this.#ctx.db.batch(operations, this.#ctx.sync);
    if (log.length >= TOMBSTONE_COMPACTION_THRESHOLD) {
      // Until LevelDB compacts them, the deleted keys' tombstones slow every later load's scan.
      await this.#ctx.db.compactRange(logPrefix(docName), under(logPrefix(docName)).lt);
    }
    return { entriesMerged: log.length, bytesBefore, bytesAfter: compacted.length };
  }

  /** Live documents: stored content and no status key (trashed ones have one; purged ones have no content). */
  async list(): Promise<DocSummary[]> {
    const summaries: DocSummary[] = [];
    let current: { docName: string; storedBytes: number; updatedAt: number; hasContent: boolean; trashed: boolean } | null = null;
    const flush = (): void => {
      if (current?.hasContent && !current.trashed) {
        summaries.push({ docName: current.docName, storedBytes: current.storedBytes, updatedAt: current.updatedAt });
      }
    };
    await this.#ctx.db.scan(under(DOCS_PREFIX), (key, value) => {
      const slash = key.indexOf('/', 2);
      const docName = key.slice(2, slash);
      if (current?.docName !== docName) {
        flush();
        current = { docName, storedBytes: 0, updatedAt: 0, hasContent: false, trashed: false };
      }
      const kind = key.slice(slash + 1);
      if (kind === 's' || kind.startsWith('l/')) {
        current.storedBytes += value.length;
        current.hasContent = true;
      } else if (kind === 'm') {
        current.updatedAt = Number(value.toString('utf8'));
      } else if (kind === 't') {
        current.trashed = true;
      }
    });
    flush();
    // Key order puts `-` before `/`, so a prefix id can follow a longer one; sort by id proper.
    return summaries.sort((a, b) => compareAscii(a.docName, b.docName));
  }

  async stat(docName: string): Promise<DocSummary | null> {
    const { snapshot, log, updatedAt } = await this.#readDoc(docName);
    if (snapshot === undefined && log.length === 0) return null;
    return { docName, storedBytes: sizeOf(snapshot, log), updatedAt };
  }

  /** Bytes of the document's snapshot plus log. */
  async storedBytes(docName: string): Promise<number> {
    const { snapshot, log } = await this.#readDoc(docName);
    return sizeOf(snapshot, log);
  }

  /** Deletes every key under d/<doc>/ and the view token's reverse key. Call holding the document's lock. */
  async purgeOperations(docName: string): Promise<BatchOperation[]> {
    const operations: BatchOperation[] = [];
    const token = await this.#ctx.db.get(docTokenKey(docName));
    if (token !== undefined) operations.push({ type: 'del', key: tokenKey(token.toString('utf8')) });
    await this.#ctx.db.scan({ ...under(docPrefix(docName)), values: false }, (key) => operations.push({ type: 'del', key }));
    return operations;
  }

  /** Log entries, snapshot and metadata of one document, read from one consistent snapshot. */
  async #readDoc(docName: string): Promise<{ snapshot: Buffer | undefined; log: Array<[string, Buffer]>; updatedAt: number }> {
    let snapshot: Buffer | undefined;
    let updatedAt = 0;
    const log: Array<[string, Buffer]> = [];
    const logStart = logPrefix(docName);
    // The range l/… < m < s covers the log, the metadata and the snapshot in one iterator.
    await this.#ctx.db.scan({ gte: logStart, lte: snapshotKey(docName) }, (key, value) => {
      if (key.startsWith(logStart)) log.push([key, value]);
      else if (key === snapshotKey(docName)) snapshot = value;
      else if (key === metaKey(docName)) updatedAt = Number(value.toString('utf8'));
    });
    return { snapshot, log, updatedAt };
  }

  #nextSeq(): string {
    const seq = this.#counter;
    this.#counter += 1;
    return this.#epochHex + seq.toString(16).padStart(10, '0');
  }
}

function sizeOf(snapshot: Buffer | undefined, log: ReadonlyArray<[string, Buffer]>): number {
  return (snapshot?.length ?? 0) + log.reduce((sum, [, value]) => sum + value.length, 0);
}
