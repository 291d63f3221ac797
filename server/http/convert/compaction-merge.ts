/**
 * How the server merges a document for its compaction: on the event loop when the document is
 * small, in a conversion worker, off the event loop, when it is large and a worker is free.
 *
 * Merging decodes the whole stored document. For a large one that takes tens of milliseconds
 * (26–80 ms for a 300 KB paper, seconds for the largest documents), and the event loop serves
 * every room meanwhile. For a small one it takes a few milliseconds (3.7 ms for a 76 KB log of an
 * ordinary text), less than handing it to a worker: a running worker takes 8–9 ms and twice the
 * CPU for the same merge (copying, a colder JIT), and starting one, as the first compaction after
 * the pool let its idle workers go does, costs about half a second of CPU.
 *
 * The store holds the document's lock while it merges, so the merge does not wait behind other
 * conversions: with no free worker it runs on the event loop. So does a merge the worker could not
 * finish (its time or heap limit): compaction is never skipped, and a document's log cannot grow
 * without end because its merge is too big for a worker.
 */
import type { MergeUpdates } from '../../../storage/doc-store.js';
import { mergeHere } from '../../../storage/store-support.js';
import type { ConversionPool } from './conversion-pool.js';

/** Stored bytes up to which a document is merged on the event loop (a few ms for ordinary text). */
export const INLINE_MERGE_BYTES = 64 * 1024;

export interface CompactionMergeOptions {
  /** Merged on the event loop when the stored parts hold at most this many bytes. Default INLINE_MERGE_BYTES. */
  readonly inlineBytes?: number;
}

export function mergeInPool(pool: ConversionPool, onFallback: (error: unknown) => void, options: CompactionMergeOptions = {}): MergeUpdates {
  const inlineBytes = options.inlineBytes ?? INLINE_MERGE_BYTES;
  return async (parts) => {
    if (storedBytes(parts) <= inlineBytes || !pool.hasFreeWorker) return mergeHere(parts);
    try {
      const result = await pool.run({ kind: 'compact', updates: parts });
      if (result.kind === 'compact') return result.update;
      onFallback(new Error('The conversion pool answered a compaction with another result.'));
    } catch (error) {
      onFallback(error);
    }
    return mergeHere(parts);
  };
}

function storedBytes(parts: readonly Uint8Array[]): number {
  let bytes = 0;
  for (const part of parts) bytes += part.byteLength;
  return bytes;
}
