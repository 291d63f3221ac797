/**
 * How the server merges a document for its compaction: on the event loop when the stored document
 * is small and cheap to merge, in a conversion worker, off the event loop, when it is large or
 * costly and a worker is free.
 *
 * Merging decodes the whole stored document, at a cost of about 5–20 µs per log entry plus the
 * structs: 26–80 ms for the automerge-paper document (a 303 KB snapshot and 500 entries), seconds
 * for the largest documents, while the event loop serves every room. A small one merges in a few
 * milliseconds (3.7 ms for 76 KB of ordinary text in 500 entries; 11–30 ms for the bench's ping
 * document, whose every change adds a map entry), less than handing it to a worker costs: a
 * running worker took 8–13 ms and twice the CPU for the same merge (copying, a colder JIT), and
 * starting one, as the first compaction after the pool let its idle worker go does, about half a
 * second of CPU.
 *
 * On the event loop the merge runs in slices of a few milliseconds (core/merge-in-slices.ts), so
 * other rooms' changes are relayed between them.
 *
 * The store holds the document's lock while it merges, so the merge does not wait behind other
 * conversions: with no free worker it runs on the event loop. So does a merge the worker could not
 * finish (its time or heap limit): compaction is never skipped, and a document's log cannot grow
 * without end because its merge is too big for a worker.
 */
import { mergeOnEventLoop, type CompactionMerge } from '../../core/room-registry.js';
import type { ConversionPool } from './conversion-pool.js';

/** A stored document merged on the event loop holds at most this many bytes... */
export const INLINE_MERGE_BYTES = 128 * 1024;
/** ...in at most this many parts (a snapshot and log entries; a log grows past 500 while appends keep the store busy)... */
export const INLINE_MERGE_PARTS = 1_000;
/**
 * ...and the open room estimates its merge at no more than this (Room.mergeEstimateMs): a few
 * kilobytes crafted to be slow to integrate, sent a change at a time, each within its own
 * deadline, would take far longer to merge in one go than their size says. The estimate is wall
 * time, garbage collection and a busy machine included: 3–30 ms for a small document in the
 * tests, so the bound leaves room above that.
 */
export const INLINE_MERGE_MS = 50;

export interface CompactionMergeOptions {
  /** Default INLINE_MERGE_BYTES. */
  readonly inlineBytes?: number;
  /** Default INLINE_MERGE_PARTS. */
  readonly inlineParts?: number;
  /** Default INLINE_MERGE_MS. */
  readonly inlineMs?: number;
}

export function mergeInPool(pool: ConversionPool, onFallback: (error: unknown) => void, options: CompactionMergeOptions = {}): CompactionMerge {
  const inlineBytes = options.inlineBytes ?? INLINE_MERGE_BYTES;
  const inlineParts = options.inlineParts ?? INLINE_MERGE_PARTS;
  const inlineMs = options.inlineMs ?? INLINE_MERGE_MS;
  return async (parts, estimatedMs) => {
    const small = estimatedMs <= inlineMs && parts.length <= inlineParts && storedBytes(parts) <= inlineBytes;
    if (small || !pool.hasFreeWorker) return mergeOnEventLoop(parts, estimatedMs);
    try {
      const result = await pool.run({ kind: 'compact', updates: parts });
      if (result.kind === 'compact') return { update: result.update, mergedHere: false };
      onFallback(new Error('The conversion pool answered a compaction with another result.'));
    } catch (error) {
      onFallback(error);
    }
    return mergeOnEventLoop(parts, estimatedMs);
  };
}

function storedBytes(parts: readonly Uint8Array[]): number {
  let bytes = 0;
  for (const part of parts) bytes += part.byteLength;
  return bytes;
}
