/**
 * Rooms come and go: a thousand documents opened and closed leave no room, connection or timer
 * behind; concurrent joins of a loading document share one load and one room; joins racing an
 * unload lose nothing; and closing the server while a load is still running leaves nothing
 * running either (the test process must exit by itself: no forced exit anywhere).
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { DocProvider } from '../../client/provider.js';
import { LevelDocStore } from '../../storage/level-doc-store.js';
import { CountingDocStore } from '../support/counting-doc-store.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';
import { TimerTracker } from '../support/timer-tracker.js';
import { waitFor } from '../support/wait.js';

const DOCS = 1000;
const BATCH = 50;

async function countingStore(): Promise<{ store: CountingDocStore; dir: string }> {
  const dir = await makeTempDir('quire-lifecycle-');
  return { store: new CountingDocStore(await LevelDocStore.open(dir, { sync: false })), dir };
}

describe('room lifecycle', () => {
  let t: TestServer;
  let store: CountingDocStore;
  const dirs: string[] = [];
  before(async () => {
    const made = await countingStore();
    store = made.store;
    dirs.push(made.dir);
    t = await startTestServer({ store });
  });
  after(async () => {
    await t.close();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it(`opens and closes ${DOCS} documents, ${BATCH} at a time, and unloads every room`, { timeout: 90_000 }, async () => {
    const tracker = new TimerTracker().enable();
    try {
      const edited: string[] = [];
      for (let start = 0; start < DOCS; start += BATCH) {
        const batch: DocProvider[] = [];
        for (let i = start; i < start + BATCH; i++) batch.push(t.provider(await t.createDoc()));
        await Promise.all(batch.map((p) => p.whenSynced()));
        // Every other document gets an edit, so unloading has writes to wait for.
        const saves: Promise<void>[] = [];
        batch.forEach((p, i) => {
          if (i % 2 === 1) return;
          p.doc.getText('text').insert(0, `doc ${p.docName}`);
          edited.push(p.docName);
          saves.push(p.whenSaved());
        });
        await Promise.all(saves);
        for (const p of batch) p.destroy();
      }
      await waitFor('every room to unload', () => t.server.roomsLoaded === 0, 20_000);
      await waitFor('every connection to close', () => t.server.connectionCount === 0);
      await tracker.assertSettled('after every document was closed');

      const stored = new Set((await store.list()).map((summary) => summary.docName));
      assert.deepEqual(edited.filter((docName) => !stored.has(docName)), [], 'every edited document is stored');
      for (const docName of edited) assert.equal(store.loadsOf(docName), 1, `document ${docName} was loaded once`);
      // A few of them, reopened, still hold their edit.
      for (const docName of edited.filter((_, i) => i % 100 === 0)) {
        const again = t.provider(docName);
        await again.whenSynced();
        assert.equal(again.doc.getText('text').toString(), `doc ${docName}`);
        again.destroy();
      }
      await waitFor('the reopened rooms to unload', () => t.server.roomsLoaded === 0);
    } finally {
      tracker.disable();
    }
  });

  it('shares one load and one room among 20 concurrent joins of a stored document', async () => {
    const docName = await t.createDoc();
    const writer = t.provider(docName);
    await writer.whenSynced();
    writer.doc.getText('text').insert(0, 'stored before the rush');
    await writer.whenSaved();
    writer.destroy();
    await waitFor('the room to unload', () => !t.server.isLoaded(docName));
    const loadsBefore = store.loadsOf(docName);

    const release = store.holdLoads();
    let joiners: DocProvider[];
    try {
      joiners = Array.from({ length: 20 }, () => t.provider(docName));
      await waitFor('the load to start and every joiner to connect', () => store.loadsOf(docName) > loadsBefore && joiners.every((p) => p.channel.connected), 10_000);
      // Give the join events that follow each connect time to arrive while the load is held.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(joiners.filter((p) => p.status === 'synced').length, 0, 'nobody is served before the load finished');
    } finally {
      release();
    }
    await Promise.all(joiners.map((p) => p.whenSynced()));
    assert.equal(store.loadsOf(docName) - loadsBefore, 1, 'one load for all the joins');
    assert.equal(t.server.roomsLoaded, 1);
    for (const p of joiners) assert.equal(p.doc.getText('text').toString(), 'stored before the rush');
    // They are in one room: an edit from one reaches all the others.
    joiners[7]!.doc.getText('text').insert(0, '!');
    await waitFor('every joiner to see the edit', () => joiners.every((p) => p.doc.getText('text').toString() === '!stored before the rush'));
    for (const p of joiners) p.destroy();
    await waitFor('the room to unload', () => t.server.roomsLoaded === 0);
  });

  it('loses nothing when joins race the unload of the last leaver', async () => {
    const docName = await t.createDoc();
    for (let i = 0; i < 30; i++) {
      const p = t.provider(docName);
      await p.whenSynced();
      const text = p.doc.getText('text');
      assert.equal(text.toString(), Array.from({ length: i }, (_, k) => `x${k};`).join(''), `round ${i} starts with every earlier edit`);
      text.insert(text.length, `x${i};`);
      await p.whenSaved();
      p.destroy(); // the next join arrives while this room is flushing and unloading
    }
    await waitFor('the room to unload', () => t.server.roomsLoaded === 0);
    const last = t.provider(docName);
    await last.whenSynced();
    assert.equal(last.doc.getText('text').toString(), Array.from({ length: 30 }, (_, k) => `x${k};`).join(''));
    last.destroy();
    await waitFor('the room to unload', () => t.server.roomsLoaded === 0);
  });

  it('leaves no room or timer running when the server closes during a load', async () => {
    const made = await countingStore();
    dirs.push(made.dir);
    const tracker = new TimerTracker().enable();
    try {
      const own = await startTestServer({ store: made.store });
      const docName = await t.createDoc();
      const release = made.store.holdLoads();
      own.provider(docName);
      await waitFor('the load to start', () => made.store.loadsOf(docName) === 1);
      const closed = own.close();
      // Let close() get past its own shutdown steps, then let the load finish.
      await new Promise((resolve) => setTimeout(resolve, 300));
      release();
      await closed;
      await waitFor('the held load to finish', () => made.store.finishedLoadsOf(docName) === 1);
      await tracker.assertSettled('after the server closed during a load');
    } finally {
      tracker.disable();
    }
  });
});
