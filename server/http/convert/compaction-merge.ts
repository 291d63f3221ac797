/**
 * How the server merges a document for its compaction: in a conversion worker, off the event
 * loop, when one is free. Merging decodes the whole stored document (26–80 ms for a 300 KB paper,
 * seconds for the largest documents), and the event loop serves every room meanwhile.
 *
 * The store holds the document's lock while it merges, so the merge does not wait behind other
 * conversions: with no free worker it runs on the event loop, as every merge did before. So does
 * a merge the worker could not finish (its time or heap limit): compaction is never skipped, and
 * a document's log cannot grow without end because its merge is too big for a worker.
 */
import type { MergeUpdates } from '../../../storage/doc-store.js';
import { mergeHere } from '../../../storage/store-support.js';
import type { ConversionPool } from './conversion-pool.js';

export function mergeInPool(pool: ConversionPool, onFallback: (error: unknown) => void): MergeUpdates {
  return async (parts) => {
    if (!pool.hasFreeWorker) return mergeHere(parts);
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
