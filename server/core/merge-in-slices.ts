/**
 * A compaction's merge on the event loop, in slices: the stored parts (the snapshot, then the log
 * entries) are applied to a fresh document a few at a time, and the event loop gets a turn between
 * slices. Applied in one go, a merge held every room on the server up for as long as it took:
 * 6–14 ms for the bench's ping document (500 entries, every change a map entry), 32–60 ms for
 * automerge-paper's compacted snapshot and 500 entries, which merges here when no conversion worker
 * is free; in slices the longest stall was 5–8 ms and about 7 ms. One part is never split: a
 * single large snapshot still applies in one go.
 *
 * The result is what `compactUpdates` makes of the same parts (each applied in a transaction of
 * its own, then the whole document encoded); nothing else touches the document meanwhile. The
 * store holds the document's lock for the merge's whole wall time, turns given away included (on
 * PostgreSQL, a pooled connection in an open transaction): on a busy server a compaction takes
 * longer to finish, and the next one, of any document, waits for it. Appends go on meanwhile.
 */
import * as Y from 'yjs';

/** How long the merge may keep the event loop before it lets other work in. */
export const MERGE_SLICE_MS = 4;

export interface SlicedMerge {
  readonly update: Uint8Array;
  /** Time spent merging, the turns given away between slices left out. */
  readonly busyMs: number;
  /** How many times the merge gave the event loop a turn. */
  readonly yields: number;
}

export async function mergeInSlices(parts: readonly Uint8Array[], sliceMs = MERGE_SLICE_MS): Promise<SlicedMerge> {
  const doc = new Y.Doc();
  let busyMs = 0;
  let yields = 0;
  try {
    let sliceStarted = performance.now();
    for (const [index, part] of parts.entries()) {
      Y.applyUpdate(doc, part);
      const now = performance.now();
      if (now - sliceStarted < sliceMs || index === parts.length - 1) continue;
      busyMs += now - sliceStarted;
      yields++;
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStarted = performance.now();
    }
    const update = Y.encodeStateAsUpdate(doc);
    busyMs += performance.now() - sliceStarted;
    return { update, busyMs, yields };
  } finally {
    doc.destroy();
  }
}
