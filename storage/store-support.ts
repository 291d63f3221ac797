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

/** Past this many parts, one flat `Y.mergeUpdates` call gets slow (superlinear), so merge in a tree. */
const MERGE_FAN_IN = 32;

/**
 * Merges updates into one, like `Y.mergeUpdates`, but in rounds of at most 32 parts: one flat
 * call over 20,000 small updates takes seconds, the rounds take tens of milliseconds.
 */
export function mergeMany(updates: readonly Uint8Array[]): Uint8Array {
  let parts = [...updates];
  if (parts.length === 0) return Y.mergeUpdates([]);
  while (parts.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < parts.length; i += MERGE_FAN_IN) next.push(Y.mergeUpdates(parts.slice(i, i + MERGE_FAN_IN)));
    parts = next;
  }
  return parts[0] ?? Y.mergeUpdates([]);
}

/** Snapshot plus log as one update. A short log merges flat; a long one is merged on its own first, so the big snapshot is rewritten once. */
export function mergeSnapshotAndLog(snapshot: Uint8Array | undefined, log: readonly Uint8Array[]): Uint8Array {
  if (log.length + 1 <= MERGE_FAN_IN) return Y.mergeUpdates(snapshot === undefined ? [...log] : [snapshot, ...log]);
  const merged = mergeMany(log);
  return snapshot === undefined ? merged : Y.mergeUpdates([snapshot, merged]);
}

/**
 * Garbage-collected state of snapshot plus log, for compaction: merged as above, applied to a
 * fresh Y.Doc (which drops deleted content) and encoded again.
 */
export function compactUpdates(snapshot: Uint8Array | undefined, log: readonly Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, mergeSnapshotAndLog(snapshot, log));
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

/**
 * The stored state of a document as one update. With no log entries the snapshot bytes are
 * returned as they are (the cold-load fast path); otherwise everything is merged with
 * `Y.mergeUpdates` (see {@link mergeSnapshotAndLog}), much cheaper than a Y.Doc round trip.
 */
export function mergeStored(snapshot: Uint8Array | undefined, log: readonly Uint8Array[]): StoredDoc {
  const logBytes = log.reduce((sum, entry) => sum + entry.length, 0);
  const storedBytes = (snapshot?.length ?? 0) + logBytes;
  let update: Uint8Array;
  if (log.length === 0) update = snapshot ?? Y.encodeStateAsUpdate(new Y.Doc());
  else if (snapshot === undefined && log.length === 1 && log[0] !== undefined) update = log[0];
  else update = mergeSnapshotAndLog(snapshot, log);
  return { update, logEntries: log.length, storedBytes };
}

/**
 * Tracks a store's operations in flight so that `close()` can wait for them, and refuses new ones
 * once closing began.
 */
export class OperationTracker {
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly storeName: string) {}

  track<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError(this.storeName));
    const promise = operation();
    this.pending.add(promise);
    const forget = (): void => {
      this.pending.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }

  /** Refuses further operations and waits for those already started. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.pending]);
  }
}
