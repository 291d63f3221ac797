import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHANGE_PAUSE_MS, hasKeptChanges, KeptChanges } from './kept-changes.js';
import { DEFAULT_KEEP_DAYS, forgetCopy, noteCopyOpened, staleCopies } from './offline-copies.js';
import { offlineMergeText } from './offline-merge-text.js';
import { MemoryStorage } from '../../test/support/memory-storage.js';

const DAY = 24 * 60 * 60 * 1000;

describe('kept changes', () => {
  it('counts a run of typing as one change and a pause as the start of the next', () => {
    let now = 0;
    const kept = new KeptChanges(new MemoryStorage(), 'doc-aaaaaaaaaaaaaaaa', () => now);
    for (let key = 0; key < 20; key++) {
      now += 100;
      kept.noteEdit();
    }
    assert.equal(kept.value, 1);
    now += CHANGE_PAUSE_MS;
    assert.equal(kept.noteEdit(), true);
    assert.equal(kept.value, 2);
  });

  it('survives a reload until the server confirms everything', () => {
    const storage = new MemoryStorage();
    let now = 0;
    const first = new KeptChanges(storage, 'doc-aaaaaaaaaaaaaaaa', () => now);
    first.noteEdit();
    now += CHANGE_PAUSE_MS * 2;
    first.noteEdit();
    const reloaded = new KeptChanges(storage, 'doc-aaaaaaaaaaaaaaaa', () => now);
    assert.equal(reloaded.value, 2);
    assert.equal(hasKeptChanges(storage, 'doc-aaaaaaaaaaaaaaaa'), true);
    assert.equal(reloaded.settle(), true);
    assert.equal(new KeptChanges(storage, 'doc-aaaaaaaaaaaaaaaa').value, 0);
    assert.equal(hasKeptChanges(storage, 'doc-aaaaaaaaaaaaaaaa'), false);
  });

  it('starts a new change after a settle even mid-run', () => {
    let now = 0;
    const kept = new KeptChanges(new MemoryStorage(), 'doc-aaaaaaaaaaaaaaaa', () => now);
    kept.noteEdit();
    kept.settle();
    now += 10;
    assert.equal(kept.noteEdit(), true);
    assert.equal(kept.value, 1);
  });

  it('ignores a damaged stored count', () => {
    const storage = new MemoryStorage();
    storage.setItem('quire:kept:doc-aaaaaaaaaaaaaaaa', 'lots');
    assert.equal(new KeptChanges(storage, 'doc-aaaaaaaaaaaaaaaa').value, 0);
  });
});

describe('offline copies', () => {
  it('removes copies not opened for the keep time, unless they hold unsaved changes', () => {
    const storage = new MemoryStorage();
    const start = 1_000_000;
    noteCopyOpened(storage, 'old-and-saved-aaaa', start);
    noteCopyOpened(storage, 'old-with-changes-a', start);
    noteCopyOpened(storage, 'recent-aaaaaaaaaaa', start + (DEFAULT_KEEP_DAYS - 1) * DAY);
    new KeptChanges(storage, 'old-with-changes-a').noteEdit();
    const now = start + (DEFAULT_KEEP_DAYS + 1) * DAY;
    assert.deepEqual(staleCopies(storage, ['old-and-saved-aaaa', 'old-with-changes-a', 'recent-aaaaaaaaaaa'], now), ['old-and-saved-aaaa']);
  });

  it('starts the clock for a copy it never saw opened, and takes the keep time from storage', () => {
    const storage = new MemoryStorage();
    assert.deepEqual(staleCopies(storage, ['unknown-aaaaaaaaaa'], 0), []);
    storage.setItem('quire:offline-keep-days', '1');
    assert.deepEqual(staleCopies(storage, ['unknown-aaaaaaaaaa'], DAY / 2), []);
    assert.deepEqual(staleCopies(storage, ['unknown-aaaaaaaaaa'], 2 * DAY), ['unknown-aaaaaaaaaa']);
    forgetCopy(storage, 'unknown-aaaaaaaaaa');
    assert.deepEqual(staleCopies(storage, ['unknown-aaaaaaaaaa'], 3 * DAY), []);
  });
});

describe('the "While you were offline" note', () => {
  it('names who made how many changes', () => {
    assert.equal(offlineMergeText({ changes: 1, names: ['Bob'], unnamed: 0 }), 'While you were offline, Bob made 1 change; they are merged with yours.');
    assert.equal(offlineMergeText({ changes: 5, names: ['Ann', 'Bob'], unnamed: 1 }), 'While you were offline, Ann, Bob and one other person made 5 changes; they are merged with yours.');
    assert.equal(offlineMergeText({ changes: 2, names: [], unnamed: 1 }), 'While you were offline, someone made 2 changes; they are merged with yours.');
    assert.equal(offlineMergeText({ changes: 0, names: ['Bob'], unnamed: 0 }), null);
  });
});
