/**
 * A compaction's merge runs on the event loop for a small document the open room found cheap to
 * integrate, in a conversion worker for a large or costly one when a worker is free, and on the
 * event loop otherwise or when the worker cannot finish it; the result is the same either way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { compactUpdates } from '../../../storage/store-support.js';
import { INLINE_MERGE_BYTES, INLINE_MERGE_MS, INLINE_MERGE_PARTS, mergeInPool } from './compaction-merge.js';
import { ConversionPool } from './conversion-pool.js';

/**
 * A snapshot and the last `logEntries` changes as log entries, with deletions (what compaction
 * garbage-collects): `changes` inserts of `wordsPerChange` words each.
 */
function storedParts(changes = 300, logEntries = 100, wordsPerChange = 1): Uint8Array[] {
  const doc = new Y.Doc();
  const parts: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => parts.push(update));
  const text = doc.getText('t');
  for (let i = 0; i < changes; i++) text.insert(text.length, `word ${i} `.repeat(wordsPerChange));
  text.delete(0, 700);
  const logStart = parts.length - logEntries;
  return [Y.mergeUpdates(parts.slice(0, logStart)), ...parts.slice(logStart)];
}

function bytesOf(parts: readonly Uint8Array[]): number {
  return parts.reduce((total, part) => total + part.byteLength, 0);
}

/** Past the bytes merged on the event loop, in few entries. */
const largeParts = (): Uint8Array[] => storedParts(400, 300, 50);

/** What the open room estimates an ordinary small document's merge at, and a costly one's. */
const CHEAP_MS = 2;
const COSTLY_MS = INLINE_MERGE_MS * 10;

/** Runs `test` with a fresh pool, closed after it. */
async function withPool(options: ConstructorParameters<typeof ConversionPool>[0], test: (pool: ConversionPool) => Promise<void>): Promise<void> {
  const pool = new ConversionPool(options);
  try {
    await test(pool);
  } finally {
    await pool.close();
  }
}

/** The merge ran on the event loop, made what merging in one go makes, and says how long its slices took. */
function assertMergedHere(merged: { update: Uint8Array; mergedHere: boolean; busyMs?: number }, parts: readonly Uint8Array[]): void {
  assert.deepEqual({ update: merged.update, mergedHere: merged.mergedHere }, { update: compactUpdates(parts), mergedHere: true });
  assert.ok(merged.busyMs !== undefined && Number.isFinite(merged.busyMs) && merged.busyMs >= 0);
}

describe('the merge of a compaction', () => {
  it('runs on the event loop for a small document, starting no worker', async () => {
    await withPool({ idleMs: 60_000 }, async (pool) => {
      const fallbacks: unknown[] = [];
      const parts = storedParts();
      assert.ok(bytesOf(parts) <= INLINE_MERGE_BYTES && parts.length <= INLINE_MERGE_PARTS);
      const merged = await mergeInPool(pool, (error) => fallbacks.push(error))(parts, CHEAP_MS);
      assert.equal(pool.runningWorkers, 0, 'no worker was started for it');
      assert.deepEqual(fallbacks, []);
      assertMergedHere(merged, parts);
    });
  });

  for (const [what, makeParts, estimatedMs, isLarge] of [
    ['a large document', largeParts, CHEAP_MS, (parts: Uint8Array[]) => bytesOf(parts) > INLINE_MERGE_BYTES && parts.length <= INLINE_MERGE_PARTS],
    ['a small document with a long log', () => storedParts(1_500, 1_200), CHEAP_MS, (parts: Uint8Array[]) => bytesOf(parts) <= INLINE_MERGE_BYTES && parts.length > INLINE_MERGE_PARTS],
    ['a small document the room found costly to integrate', () => storedParts(), COSTLY_MS, (parts: Uint8Array[]) => bytesOf(parts) <= INLINE_MERGE_BYTES && parts.length <= INLINE_MERGE_PARTS],
    ['a small document that is not open (no estimate)', () => storedParts(), Number.POSITIVE_INFINITY, (parts: Uint8Array[]) => bytesOf(parts) <= INLINE_MERGE_BYTES],
  ] as const) {
    it(`runs in a worker for ${what} when one is free`, async () => {
      await withPool({ idleMs: 60_000 }, async (pool) => {
        const fallbacks: unknown[] = [];
        const parts = makeParts();
        assert.ok(isLarge(parts));
        assert.equal(pool.runningWorkers, 0);
        const merged = await mergeInPool(pool, (error) => fallbacks.push(error))(parts, estimatedMs);
        assert.equal(pool.runningWorkers, 1, 'a worker was started for it');
        assert.deepEqual(fallbacks, []);
        assert.deepEqual(merged, { update: compactUpdates(parts), mergedHere: false });
      });
    });
  }

  it('runs on the event loop, at once, while the worker is busy with another conversion', async () => {
    await withPool({ idleMs: 60_000 }, async (pool) => {
      const fallbacks: unknown[] = [];
      const parts = largeParts();
      // A long import keeps the only worker busy.
      const markdown = Array.from({ length: 20_000 }, (_, i) => `- item ${i} with *some* words`).join('\n');
      let imported = false;
      const importing = pool.run({ kind: 'import', format: 'md', text: markdown }).finally(() => (imported = true));
      assert.equal(pool.hasFreeWorker, false);
      const merged = await mergeInPool(pool, (error) => fallbacks.push(error))(parts, CHEAP_MS);
      assert.equal(imported, false, 'merged before the import ended, not queued behind it');
      assertMergedHere(merged, parts);
      assert.deepEqual(fallbacks, [], 'not a failure: the worker was never asked');
      await importing;
    });
  });

  it('runs on the event loop when the worker cannot finish it, and says so', async () => {
    await withPool({ idleMs: 60_000, timeoutMs: 1 }, async (pool) => {
      const fallbacks: unknown[] = [];
      // Far more than a millisecond of merging: over a thousand entries of a 300 KB text.
      const parts = storedParts(1_500, 1_200, 20);
      const merged = await mergeInPool(pool, (error) => fallbacks.push(error))(parts, CHEAP_MS);
      assertMergedHere(merged, parts);
      assert.equal(fallbacks.length, 1);
    });
  });
});
