/**
 * Pieces every backend shares: document id and view token checks, the load merge, and the
 * tracking of operations in flight. The checks of the other records are in record-checks.ts.
 */

import * as Y from 'yjs';
import { isDocId, isViewToken } from '../shared/doc-id.js';
import type { MergeUpdates, StoredDoc } from './doc-store.js';
import { StoreClosedError } from './store-errors.js';

export { StoreClosedError };

/** Document ids reach storage keys and queries; anything but a valid id is a caller bug. */
export function assertDocId(docName: string): void {
  if (!isDocId(docName)) throw new RangeError(`Invalid document id ${JSON.stringify(String(docName).slice(0, 80))}: expected 16 to 64 characters of A-Z a-z 0-9 _ -.`);
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
 * Garbage-collected state of a snapshot and log entries (`parts`, in that order), for compaction:
 * applied part by part, each in a transaction of its own, to a fresh Y.Doc (which drops deleted
 * content), and encoded again. Merging the log first and applying it as one update costs about ten
 * times as much: one big transaction merges its delete set into the struct arrays one splice at a
 * time.
 */
export function compactUpdates(parts: readonly Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  try {
    for (const part of parts) Y.applyUpdate(doc, part);
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

/** `compactUpdates` on the calling thread: what `DocStore.compact` merges with unless told otherwise. */
export const mergeHere: MergeUpdates = async (parts) => compactUpdates(parts);

/**
 * The stored state of a document. `update` is merged on first read only: with no log entries it
 * is the snapshot as it is (the cold-load fast path); otherwise everything is merged with
 * `Y.mergeUpdates` (see {@link mergeSnapshotAndLog}). The room applies `parts` instead, each in a
 * transaction of its own: for a long log that is several times faster than merging it first.
 */
export function mergeStored(snapshot: Uint8Array | undefined, log: readonly Uint8Array[]): StoredDoc {
  const logBytes = log.reduce((sum, entry) => sum + entry.length, 0);
  const storedBytes = (snapshot?.length ?? 0) + logBytes;
  const parts = snapshot === undefined ? [...log] : [snapshot, ...log];
  let merged: Uint8Array | null = null;
  return {
    get update(): Uint8Array {
      if (merged === null) {
        if (log.length === 0) merged = snapshot ?? Y.encodeStateAsUpdate(new Y.Doc());
        else if (snapshot === undefined && log.length === 1 && log[0] !== undefined) merged = log[0];
        else merged = mergeSnapshotAndLog(snapshot, log);
      }
      return merged;
    },
    parts,
    logEntries: log.length,
    storedBytes,
  };
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
