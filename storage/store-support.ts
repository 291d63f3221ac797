/**
 * Pieces every backend shares: argument checks, the closed-store error, and the load merge.
 */

import * as Y from 'yjs';
import { isDocId, isViewToken } from '../shared/doc-id.js';
import type { StoredDoc } from './doc-store.js';

/** Thrown by every call made on a store after `close()`. */
export class StoreClosedError extends Error {
  constructor(backend: string) {
    super(`This ${backend} is closed; open a new store to use it again.`);
    this.name = 'StoreClosedError';
  }
}

/** Document ids reach storage keys and queries; anything but a valid id is a caller bug. */
export function assertDocId(docId: string): void {
  if (!isDocId(docId)) throw new RangeError(`Invalid document id ${JSON.stringify(String(docId).slice(0, 80))}: expected 16 to 64 characters of A-Z a-z 0-9 _ -.`);
}

export function assertViewToken(token: string): void {
  if (!isViewToken(token)) throw new RangeError('Invalid view token: expected 32 characters of A-Z a-z 0-9 _ -.');
}

/**
 * The stored state of a document as one update. With no log entries the snapshot bytes are
 * returned as they are (the cold-load fast path); otherwise everything is merged with
 * `Y.mergeUpdates`, which is much cheaper than a Y.Doc round trip.
 */
export function mergeStored(snapshot: Uint8Array | undefined, log: readonly Uint8Array[]): StoredDoc {
  const logBytes = log.reduce((sum, entry) => sum + entry.length, 0);
  const storedBytes = (snapshot?.length ?? 0) + logBytes;
  let update: Uint8Array;
  if (log.length === 0) update = snapshot ?? Y.encodeStateAsUpdate(new Y.Doc());
  else if (snapshot === undefined && log.length === 1 && log[0] !== undefined) update = log[0];
  else update = Y.mergeUpdates(snapshot === undefined ? [...log] : [snapshot, ...log]);
  return { update, logEntries: log.length, storedBytes };
}
