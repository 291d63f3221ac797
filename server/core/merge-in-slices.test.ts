/**
 * A compaction's merge on the event loop gives other work a turn between its slices, counts only
 * its own time, and makes the same document as merging in one go.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { compactUpdates } from '../../storage/store-support.js';
import { mergeInSlices } from './merge-in-slices.js';
import { mergeOnEventLoop } from './room-registry.js';

/** A stored document as a compaction finds it: a snapshot, then one log entry per change. */
function storedParts(changes: number): Uint8Array[] {
  const doc = new Y.Doc();
  const parts: Uint8Array[] = [];
  const text = doc.getText('text');
  const map = doc.getMap<number>('pings');
  for (let i = 0; i < 40; i++) text.insert(text.length, `line ${i} `);
  parts.push(Y.encodeStateAsUpdate(doc));
  doc.on('update', (update: Uint8Array) => parts.push(update));
  for (let i = 0; i < changes; i++) {
    doc.transact(() => {
      text.insert((i * 7) % text.length, 'x');
      if (i % 3 === 0) text.delete((i * 11) % (text.length - 1), 1);
      map.set(String(i), i);
    });
  }
  return parts;
}

/** The document's Yjs snapshot (state vector and delete set), encoded. */
function snapshotOf(update: Uint8Array): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return Y.encodeSnapshot(Y.snapshot(doc));
}

/** Keeps the event loop busy for `ms` of wall time. */
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('merging a stored document in slices', () => {
  it('makes the same document as merging it in one go', async () => {
    const parts = storedParts(300);
    const sliced = await mergeInSlices(parts, 0);
    const whole = compactUpdates(parts);
    assert.deepEqual(sliced.update, whole);
    assert.deepEqual(snapshotOf(sliced.update), snapshotOf(whole));
  });

  it('gives the event loop a turn between slices, and none after the last', async () => {
    const parts = storedParts(50);
    let ranDuringTheMerge = false;
    let merging = true;
    setImmediate(() => (ranDuringTheMerge = merging));
    const merged = await mergeInSlices(parts, 0);
    merging = false;
    // With slices of no length, every part but the last is a slice of its own.
    assert.equal(merged.yields, parts.length - 1);
    assert.equal(ranDuringTheMerge, true, 'work queued before the merge ran before it ended');
  });

  it('counts its own time, not the turns it gave away', async () => {
    const parts = storedParts(20);
    // During the first turn the merge gives away, something else holds the event loop for 30 ms.
    setImmediate(() => blockFor(30));
    const started = performance.now();
    const merged = await mergeInSlices(parts, 0);
    const wallMs = performance.now() - started;
    assert.ok(merged.busyMs <= wallMs - 30, `busy ${merged.busyMs} ms of ${wallMs} ms`);
  });

  it('is the merge the server runs on the event loop', async () => {
    const parts = storedParts(200);
    const merged = await mergeOnEventLoop(parts, 0);
    assert.equal(merged.mergedHere, true);
    assert.deepEqual(merged.update, compactUpdates(parts));
    assert.ok(merged.busyMs !== undefined && Number.isFinite(merged.busyMs));
  });
});
