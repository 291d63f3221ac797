/**
 * What every LevelDocStore module shares: the database, the fsync setting, the in-process locks,
 * and the reading of a document's status.
 */

import type { LevelDb } from '../level-db.js';
import type { KeyedLock } from '../keyed-lock.js';
import { DocStatusError } from '../store-errors.js';
import type { DocStatus } from '../trash-store.js';
import { logPrefix, snapshotKey, statusKey } from './level-keys.js';

export interface LevelContext {
  readonly db: LevelDb;
  /** fsync every write before it resolves. */
  readonly sync: boolean;
  readonly locks: KeyedLock;
  /**
   * Documents this store has read as not purged since it opened: appends to them skip the status
   * read. Only a purge makes one purged, and it takes the document out of the set under the
   * document's append gate, before any append waiting there reads the set.
   */
  readonly notPurged: Set<string>;
}

/** The status a `d/<doc>/t` value records: trashed or purged, and since when. */
export interface StoredStatus {
  readonly status: 'trashed' | 'purged';
  readonly at: number;
}

export function encodeStatus(status: StoredStatus): string {
  return `${status.status} ${status.at}`;
}

/** Parses a status value; undefined (no key) is null. A value of any other shape is corruption and throws. */
export function decodeStatus(value: Buffer | undefined): StoredStatus | null {
  if (value === undefined) return null;
  const match = /^(trashed|purged) (\d+)$/.exec(value.toString('utf8'));
  if (match === null) throw new Error('A document status record in LevelDB is corrupt.');
  return { status: match[1] === 'trashed' ? 'trashed' : 'purged', at: Number(match[2]) };
}

/** Whether a snapshot or a log entry is stored for the document (reads keys only). */
export async function hasContent(db: LevelDb, docName: string): Promise<boolean> {
  // The range l/… < m < s: the first key tells whether there is a log; otherwise look for s alone.
  const [first] = await db.entries({ gte: logPrefix(docName), lte: snapshotKey(docName), values: false, limit: 1 });
  if (first !== undefined && first[0].startsWith(logPrefix(docName))) return true;
  const snapshot = await db.entries({ gte: snapshotKey(docName), lte: snapshotKey(docName), values: false });
  return snapshot.length > 0;
}

export async function readStatus(db: LevelDb, docName: string): Promise<DocStatus> {
  const stored = decodeStatus(await db.get(statusKey(docName)));
  if (stored !== null) return stored.status;
  return (await hasContent(db, docName)) ? 'live' : 'missing';
}

/**
 * Rejects unless the document is live or in the trash: links, versions and blobs belong to a
 * document that exists and is not purged. Call it holding the document's lock.
 */
export async function assertStored(db: LevelDb, docName: string, action: string): Promise<void> {
  const status = await readStatus(db, docName);
  if (status === 'missing' || status === 'purged') throw new DocStatusError([{ docName, status }], action);
}
