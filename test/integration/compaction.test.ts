/**
 * Compaction replaces a document's log by one merged snapshot. It must keep the content exactly
 * (text, structure and state vector), shrink what a document with deletions occupies, and never
 * lose an update appended while it runs, whether the server started it (after
 * `compactAfterEntries` entries) or someone called `store.compact` directly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { docFromUpdate, docState, type DocShape } from '../support/doc-state.js';
import { useTestServer } from '../support/test-server.js';
import { nextTurn, waitFor } from '../support/wait.js';

const SHAPE: DocShape = { texts: ['text'], arrays: ['tokens'] };
const COMPACT_AFTER = 20;

describe('compaction', () => {
  const compactions: Array<{ readonly docName: string; readonly entriesMerged: number; readonly mergedOnEventLoop: boolean }> = [];
  const t = useTestServer({ compactAfterEntries: COMPACT_AFTER, hooks: { compacted: (event) => compactions.push(event) } }, { assertTimersSettled: true });

  async function storedState(docName: string): Promise<ReturnType<typeof docState>> {
    const stored = await t().server.store.load(docName);
    assert.ok(stored !== null, 'the document is stored');
    const doc = docFromUpdate(stored.update);
    try {
      return docState(doc, SHAPE);
    } finally {
      doc.destroy();
    }
  }

  async function servedState(docName: string): Promise<ReturnType<typeof docState>> {
    const fresh = t().provider(docName);
    await fresh.whenSynced();
    const state = docState(fresh.doc, SHAPE);
    fresh.destroy();
    return state;
  }

  it(`compacts on its own after ${COMPACT_AFTER} entries and keeps the content`, async () => {
    const docName = await t().createDoc();
    const p = t().provider(docName);
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
    await waitFor('the log to be compacted', async () => ((await t().server.store.load(docName))?.logEntries ?? Infinity) < 2 * COMPACT_AFTER + 10);
    // A small document that took its room little time to integrate merges on the event loop, not
    // in a worker thread (which would cost more than the merge). The room's estimate is wall time,
    // so a busy machine may send one to the worker now and then; the worker's merge time then
    // becomes the estimate, and the next ones come back here. Most stay here.
    const merges = compactions.filter((event) => event.docName === docName && event.entriesMerged > 0);
    const here = merges.filter((event) => event.mergedOnEventLoop);
    assert.ok(here.length > merges.length / 2, `${here.length} of ${merges.length} merges on the event loop`);
    const expected = docState(p.doc, SHAPE);
    assert.deepEqual(await storedState(docName), expected, 'storage holds the content');
    assert.deepEqual(await servedState(docName), expected, 'the server serves the content');
    p.destroy();
    await t().restart();
    assert.deepEqual(await servedState(docName), expected, 'the content survives a restart');
  });

  it('shrinks the stored bytes of a document with deletions', async () => {
    const docName = await t().createDoc();
    const p = t().provider(docName);
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

    const before = await t().server.store.stat(docName);
    assert.ok(before !== null);
    const result = await t().server.store.compact(docName);
    const after = await t().server.store.stat(docName);
    assert.ok(after !== null);
    assert.ok(result.entriesMerged >= 15, `merged ${result.entriesMerged} entries`);
    assert.ok(after.storedBytes < before.storedBytes / 4, `stored bytes went from ${before.storedBytes} to ${after.storedBytes}`);
    assert.equal(result.bytesBefore, before.storedBytes);
    assert.equal(result.bytesAfter, after.storedBytes);
    assert.equal((await t().server.store.load(docName))?.logEntries, 0);
    const expected = docState(p.doc, SHAPE);
    assert.deepEqual(await storedState(docName), expected);
    p.destroy();
    await t().restart();
    assert.deepEqual(await servedState(docName), expected);
  });

  it('loses no update appended while compactions run', { timeout: 60_000 }, async () => {
    const docName = await t().createDoc();
    const a = t().provider(docName);
    const b = t().provider(docName);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    let editing = true;
    let compactions = 0;
    let merging = 0;
    const compactor = (async () => {
      while (editing) {
        // Sometimes two at once, as two nodes sharing a store could.
        const runs = compactions % 3 === 0 ? [t().server.store.compact(docName), t().server.store.compact(docName)] : [t().server.store.compact(docName)];
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

    await waitFor('a and b to converge', () => JSON.stringify(docState(a.doc, SHAPE)) === JSON.stringify(docState(b.doc, SHAPE)));
    const expected = docState(a.doc, SHAPE);
    assert.equal(a.doc.getArray('tokens').length, 800);
    assert.deepEqual(await storedState(docName), expected, 'storage holds every update');
    a.destroy();
    b.destroy();
    await t().restart();
    assert.deepEqual(await servedState(docName), expected, 'after a restart every update is there');
  });
});
