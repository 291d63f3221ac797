import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { compactUpdates, mergeMany, mergeSnapshotAndLog, mergeStored } from './store-support.js';

function history(count: number): { doc: Y.Doc; updates: Uint8Array[] } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  const text = doc.getText('t');
  for (let i = 0; i < count; i += 1) {
    if (i % 5 === 4) text.delete(Math.floor(text.length / 2), 1);
    else text.insert((i * 7) % (text.length + 1), String.fromCharCode(97 + (i % 26)));
  }
  return { doc, updates };
}

function assertState(update: Uint8Array, expected: Y.Doc): void {
  const actual = new Y.Doc();
  Y.applyUpdate(actual, update);
  assert.equal(actual.getText('t').toString(), expected.getText('t').toString());
  assert.deepEqual(Y.encodeStateVector(actual), Y.encodeStateVector(expected));
}

describe('store-support merging', () => {
  it('mergeMany equals the full history for short and long lists (tree rounds included)', () => {
    for (const count of [1, 2, 31, 32, 33, 100, 1100]) {
      const { doc, updates } = history(count);
      assertState(mergeMany(updates), doc);
    }
  });

  it('mergeSnapshotAndLog combines a snapshot with a short or long log', () => {
    for (const tail of [0, 5, 31, 32, 200]) {
      const { doc, updates } = history(150 + tail);
      const snapshot = compactUpdates(updates.slice(0, 150));
      assertState(mergeSnapshotAndLog(snapshot, updates.slice(150)), doc);
      assertState(compactUpdates([snapshot, ...updates.slice(150)]), doc);
    }
  });

  it('mergeStored hands the snapshot back untouched when the log is empty', () => {
    const { updates } = history(20);
    const snapshot = compactUpdates(updates);
    const stored = mergeStored(snapshot, []);
    assert.equal(stored.update, snapshot);
    assert.equal(stored.logEntries, 0);
    assert.equal(stored.storedBytes, snapshot.length);
  });
});
