/**
 * Versions of LevelDocStore: `r/<doc>/<versionId>` holds a version's record as JSON and
 * `R/<doc>/<versionId>` its snapshot, written and removed together in one batch. They are apart
 * from the log and the document snapshot, so compaction never reads or touches them.
 */

import type { BatchOperation } from '../level-db.js';
import { StoreConflictError } from '../store-errors.js';
import type { NewVersion, StoredVersion, VersionRecord } from '../version-store.js';
import { assertStored, type LevelContext } from './level-context.js';
import { compareAscii, lockOf, under, versionBytesKey, versionBytesPrefix, versionKey, versionsPrefix } from './level-keys.js';

export class LevelVersions {
  readonly #ctx: LevelContext;

  constructor(ctx: LevelContext) {
    this.#ctx = ctx;
  }

  async save(version: NewVersion, snapshot: Uint8Array): Promise<VersionRecord> {
    const { db } = this.#ctx;
    return this.#ctx.locks.run(lockOf.doc(version.docName), async () => {
      await assertStored(db, version.docName, 'save a version');
      const [existing] = await db.entries({ gte: versionKey(version.docName, version.id), lte: versionKey(version.docName, version.id), values: false });
      if (existing !== undefined) throw new StoreConflictError('The document already has a version with this id.');
      const record: VersionRecord = { ...pick(version), sizeBytes: snapshot.length };
      await db.batch(
        [
          { type: 'put', key: versionKey(version.docName, version.id), value: encodeVersion(record) },
          { type: 'put', key: versionBytesKey(version.docName, version.id), value: snapshot },
        ],
        this.#ctx.sync,
      );
      return record;
    });
  }

  async list(docName: string): Promise<VersionRecord[]> {
    const entries = await this.#ctx.db.entries(under(versionsPrefix(docName)));
    return entries.map(([, value]) => decodeVersion(value)).sort((a, b) => b.createdAt - a.createdAt || compareAscii(b.id, a.id));
  }

  async load(docName: string, versionId: string): Promise<StoredVersion | null> {
    // getMany reads both keys from one snapshot: a record and its bytes always come together.
    const [record, snapshot] = await this.#ctx.db.getMany([versionKey(docName, versionId), versionBytesKey(docName, versionId)]);
    if (record === undefined || snapshot === undefined) return null;
    return { version: decodeVersion(record), snapshot };
  }

  async delete(docName: string, versionIds: readonly string[]): Promise<number> {
    const ids = [...new Set(versionIds)];
    if (ids.length === 0) return 0;
    return this.#ctx.locks.run(lockOf.doc(docName), async () => {
      const { db } = this.#ctx;
      const records = await db.getMany(ids.map((id) => versionKey(docName, id)));
      const operations: BatchOperation[] = [];
      ids.forEach((id, index) => {
        if (records[index] === undefined) return;
        operations.push({ type: 'del', key: versionKey(docName, id) }, { type: 'del', key: versionBytesKey(docName, id) });
      });
      if (operations.length > 0) await db.batch(operations, this.#ctx.sync);
      return operations.length / 2;
    });
  }

  /** Bytes of the document's version snapshots, from their records. */
  async storedBytes(docName: string): Promise<number> {
    return (await this.list(docName)).reduce((sum, version) => sum + version.sizeBytes, 0);
  }

  /** Deletes every version of the document. Call holding the document's lock. */
  async purgeOperations(docName: string): Promise<BatchOperation[]> {
    const operations: BatchOperation[] = [];
    const drop = (key: string): void => {
      operations.push({ type: 'del', key });
    };
    await this.#ctx.db.scan({ ...under(versionsPrefix(docName)), values: false }, drop);
    await this.#ctx.db.scan({ ...under(versionBytesPrefix(docName)), values: false }, drop);
    return operations;
  }
}

function pick(version: NewVersion): NewVersion {
  const { id, docName, createdAt, kind, label, authors } = version;
  return { id, docName, createdAt, kind, label, authors: [...authors] };
}

function encodeVersion(record: VersionRecord): string {
  return JSON.stringify({ ...pick(record), sizeBytes: record.sizeBytes });
}

function decodeVersion(value: Buffer): VersionRecord {
  const parsed = JSON.parse(value.toString('utf8')) as VersionRecord;
  return { ...pick(parsed), sizeBytes: parsed.sizeBytes };
}
