/**
 * Compaction replaces a document's log by one merged snapshot. It must keep the content exactly
 * (text, structure and state vector), shrink what a document with deletions occupies, and never
 * lose an update appended while it runs, whether the server started it (after
 * `compactAfterEntries` entries) or someone called `store.compact` directly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { newDocId } from '../shared/doc-id.js';
import { docFromUpdate, docState, type DocShape } from './test-support/doc-state.js';
import { startTestServer, waitFor, type TestServer } from './test-support/test-server.js';
import { TimerTracker } from './test-support/timer-tracker.js';
import { nextTurn, waitUntil } from './test-support/wait-until.js';

const SHAPE: DocShape = { texts: ['text'], arrays: ['tokens'] };
const COMPACT_AFTER = 20;

describe('compaction', () => {
  let t: TestServer;
  // Restarts race joins and loads; whatever the server leaves running after close() is reported.
  const timers = new TimerTracker();
  before(async () => {
    timers.enable();
    t = await startTestServer({ compactAfterEntries: COMPACT_AFTER });
  });
  after(async () => {
    await t.close();
    try {
      await timers.assertSettled('after the server and every provider were closed');
    } finally {
      timers.disable();
    }
  });

  async function storedState(docId: string): Promise<ReturnType<typeof docState>> {
    const stored = await t.server.store.load(docId);
    assert.ok(stored !== null, 'the document is stored');
    const doc = docFromUpdate(stored.update);
    try {
      return docState(doc, SHAPE);
    } finally {
      doc.destroy();
    }
  }

  async function servedState(docId: string): Promise<ReturnType<typeof docState>> {
    const fresh = t.provider(docId);
    await fresh.whenSynced();
    const state = docState(fresh.doc, SHAPE);
    fresh.destroy();
    return state;
  }

  it(`compacts on its own after ${COMPACT_AFTER} entries and keeps the content`, async () => {
    const docId = newDocId();
    const p = t.provider(docId);
    await p.whenSynced();
    const text = p.doc.getText('text');
    const tokens = p.doc.getArray<string>('tokens');
    for (let i = 0; i < 300; i++) {
      if (i % 7 === 6) text.delete(0, 3);
      else text.insert(text.length, `w${i} `);
      tokens.push([`t${i}`]);
      if (i % 2 === 1) await p.whenSaved();
    }
    await p.whenSaved();
    // 150 saved messages were appended; the server's compactions keep the log short.
    await waitUntil(async () => ((await t.server.store.load(docId))?.logEntries ?? Infinity) < 2 * COMPACT_AFTER + 10, 'the log to be compacted');
    const expected = docState(p.doc, SHAPE);
    assert.deepEqual(await storedState(docId), expected, 'storage holds the content');
    assert.deepEqual(await servedState(docId), expected, 'the server serves the content');
    p.destroy();
    await t.restart();
    assert.deepEqual(await servedState(docId), expected, 'the content survives a restart');
  });

  it('shrinks the stored bytes of a document with deletions', async () => {
    const docId = newDocId();
    const p = t.provider(docId);
    await p.whenSynced();
    const text = p.doc.getText('text');
    // Fifteen changes, each saved on its own (one log entry each); fewer than COMPACT_AFTER, so
    // only the explicit compaction below runs.
    for (let i = 0; i < 10; i++) {
      text.insert(text.length, `${i}`.repeat(5000));
      await p.whenSaved();
    }
    for (let i = 0; i < 5; i++) {
      text.delete(1000, 9000);
      await p.whenSaved();
    }
    assert.equal(text.length, 5000);

    const before = await t.server.store.stat(docId);
    assert.ok(before !== null);
    const result = await t.server.store.compact(docId);
    const after = await t.server.store.stat(docId);
    assert.ok(after !== null);
    assert.ok(result.entriesMerged >= 15, `merged ${result.entriesMerged} entries`);
    assert.ok(after.storedBytes < before.storedBytes / 4, `stored bytes went from ${before.storedBytes} to ${after.storedBytes}`);
    assert.equal(result.bytesBefore, before.storedBytes);
    assert.equal(result.bytesAfter, after.storedBytes);
    assert.equal((await t.server.store.load(docId))?.logEntries, 0);
    const expected = docState(p.doc, SHAPE);
    assert.deepEqual(await storedState(docId), expected);
    p.destroy();
    await t.restart();
    assert.deepEqual(await servedState(docId), expected);
  });

  it('loses no update appended while compactions run', { timeout: 60_000 }, async () => {
    const docId = newDocId();
    const a = t.provider(docId);
    const b = t.provider(docId);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    let editing = true;
    let compactions = 0;
    let merging = 0;
    const compactor = (async () => {
      while (editing) {
        // Sometimes two at once, as two nodes sharing a store could.
        const runs = compactions % 3 === 0 ? [t.server.store.compact(docId), t.server.store.compact(docId)] : [t.server.store.compact(docId)];
        for (const result of await Promise.all(runs)) {
          compactions++;
          if (result.entriesMerged > 0) merging++;
        }
        await nextTurn();
      }
    })();
    try {
      for (let i = 0; i < 800; i++) {
        const p = i % 2 === 0 ? a : b;
        p.doc.getArray<string>('tokens').push([`${i % 2 === 0 ? 'a' : 'b'}${i}`]);
        const text = p.doc.getText('text');
        if (i % 5 === 4 && text.length > 4) text.delete(text.length - 4, 2);
        else text.insert(text.length, `${i};`);
        if (i % 4 === 3) await nextTurn();
      }
      await Promise.all([a.whenSaved(), b.whenSaved()]);
    } finally {
      editing = false;
      await compactor;
    }
    assert.ok(merging >= 3, `compactions ran alongside the edits (${compactions} runs, ${merging} merged something)`);

    await waitFor(() => JSON.stringify(docState(a.doc, SHAPE)) === JSON.stringify(docState(b.doc, SHAPE)), 'a and b to converge');
    const expected = docState(a.doc, SHAPE);
    assert.equal(a.doc.getArray('tokens').length, 800);
    assert.deepEqual(await storedState(docId), expected, 'storage holds every update');
    a.destroy();
    b.destroy();
    await t.restart();
    assert.deepEqual(await servedState(docId), expected, 'after a restart every update is there');
  });
});
