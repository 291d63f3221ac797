/**
 * The life of LevelDocStore's documents: `d/<doc>/t` records a trashed or purged document (absent:
 * missing or live, told apart by whether content is stored), and `t/<doc>` lists the trash. A purge
 * gathers the deletions of every module and writes them with the tombstone in one batch, holding
 * the document's lock and its append gate, so nothing of it can be written meanwhile.
 */

import type { BatchOperation } from '../level-db.js';
import { DocStatusError } from '../store-errors.js';
import type { DocStatus, TrashEntry } from '../trash-store.js';
import { decodeStatus, encodeStatus, readStatus, type LevelContext, type StoredStatus } from './level-context.js';
import { compareAscii, lockOf, statusKey, TRASH_PREFIX, trashKey, under } from './level-keys.js';

/** What a purge asks of each module: the deletions of everything it stores for the document. */
interface Purgeable {
  purgeOperations(docName: string): Promise<BatchOperation[]>;
  /** Told once the purge's batch is written. */
  purged?(docName: string): void;
}

export interface LevelTrashParts {
  readonly content: Purgeable & { storedBytes(docName: string): Promise<number> };
  readonly others: ReadonlyArray<Purgeable & { storedBytes?(docName: string): Promise<number> }>;
}

export class LevelTrash {
  readonly #ctx: LevelContext;
  readonly #parts: LevelTrashParts;

  constructor(ctx: LevelContext, parts: LevelTrashParts) {
    this.#ctx = ctx;
    this.#parts = parts;
  }

  status(docName: string): Promise<DocStatus> {
    return readStatus(this.#ctx.db, docName);
  }

  async trash(docName: string, at: number): Promise<void> {
    const { db } = this.#ctx;
    await this.#ctx.locks.run(lockOf.doc(docName), async () => {
      const status = await readStatus(db, docName);
      if (status === 'trashed') return;
      if (status !== 'live') throw new DocStatusError([{ docName, status }], 'move the document to the trash');
      await db.batch(
        [
          { type: 'put', key: statusKey(docName), value: encodeStatus({ status: 'trashed', at }) },
          { type: 'put', key: trashKey(docName), value: String(at) },
        ],
        this.#ctx.sync,
      );
    });
  }

  async untrash(docName: string): Promise<void> {
    const { db } = this.#ctx;
    await this.#ctx.locks.run(lockOf.doc(docName), async () => {
      const status = await readStatus(db, docName);
      if (status === 'live') return;
      if (status !== 'trashed') throw new DocStatusError([{ docName, status }], 'restore the document from the trash');
      await db.batch(
        [
          { type: 'del', key: statusKey(docName) },
          { type: 'del', key: trashKey(docName) },
        ],
        this.#ctx.sync,
      );
    });
  }

  async listTrash(): Promise<TrashEntry[]> {
    const entries: TrashEntry[] = [];
    for (const { docName, deletedAt } of await this.#trashed()) {
      const storedBytes = await this.#parts.content.storedBytes(docName);
      let totalBytes = storedBytes;
      for (const part of this.#parts.others) totalBytes += (await part.storedBytes?.(docName)) ?? 0;
      entries.push({ docName, deletedAt, storedBytes, totalBytes });
    }
    return entries.sort((a, b) => a.deletedAt - b.deletedAt || compareAscii(a.docName, b.docName));
  }

  async purge(docName: string, at: number): Promise<void> {
    await this.#purgeIf(docName, at, () => true);
  }

  async purgeTrash(deletedBefore: number, at: number): Promise<string[]> {
    const purged: string[] = [];
    const due = (await this.#trashed()).filter((entry) => entry.deletedAt < deletedBefore);
    for (const { docName } of due.sort((a, b) => compareAscii(a.docName, b.docName))) {
      // Checked again under the lock: a document restored since the listing stays.
      const done = await this.#purgeIf(docName, at, (stored) => stored?.status === 'trashed' && stored.at < deletedBefore);
      if (done) purged.push(docName);
    }
    return purged;
  }

  async #trashed(): Promise<Array<{ docName: string; deletedAt: number }>> {
    const entries = await this.#ctx.db.entries(under(TRASH_PREFIX));
    return entries.map(([key, value]) => ({ docName: key.slice(TRASH_PREFIX.length), deletedAt: Number(value.toString('utf8')) }));
  }

  /** Purges the document when `when` accepts its stored status; resolves to whether it did. */
  async #purgeIf(docName: string, at: number, when: (stored: StoredStatus | null) => boolean): Promise<boolean> {
    const { db, locks } = this.#ctx;
    // Lock order is always document, then append gate.
    return locks.run(lockOf.doc(docName), () =>
      locks.run(lockOf.appendGate(docName), async () => {
        const stored = decodeStatus(await db.get(statusKey(docName)));
        if (stored?.status === 'purged' || !when(stored)) return false;
        const operations: BatchOperation[] = await this.#parts.content.purgeOperations(docName);
        for (const part of this.#parts.others) operations.push(...(await part.purgeOperations(docName)));
        // A batch applies in order: this put comes after the deletion of the old status key.
        operations.push({ type: 'del', key: trashKey(docName) }, { type: 'put', key: statusKey(docName), value: encodeStatus({ status: 'purged', at }) });
        await db.batch(operations, this.#ctx.sync);
        this.#ctx.notPurged.delete(docName);
        for (const part of this.#parts.others) part.purged?.(docName);
        return true;
      }),
    );
  }
}
