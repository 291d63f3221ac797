/**
 * Storage write failures and recovery, on a real LevelDB behind a fault-injection store (appends
 * reject while `failing`, as on a full disk). While writes fail, nothing is acknowledged as saved,
 * /readyz says not ready and the failure counter rises; relaying between pages goes on. Once
 * writes succeed again, everything is written and acknowledged, and survives a restart.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { LevelDocStore } from '../../storage/level-doc-store.js';
import { FailingDocStore } from '../support/failing-doc-store.js';
import { assertApiError, http, pollHttp } from '../support/http.js';
import { sampleValue } from '../support/prometheus.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';
import { sleep, waitFor } from '../support/wait.js';

/** Tracks whether a promise settled, without waiting for it. */
function track(promise: Promise<void>): { readonly settled: () => boolean; readonly promise: Promise<void> } {
  let settled = false;
  const tracked = promise.then(
    () => {
      settled = true;
    },
    (error: unknown) => {
      settled = true;
      throw error;
    },
  );
  // Failures are asserted where the promise is awaited; keep an early one from going unhandled.
  tracked.catch(() => {});
  return { settled: () => settled, promise: tracked };
}

describe('storage write failure and recovery', () => {
  let dir: string;
  let store: FailingDocStore;
  let t: TestServer;
  let restarted: TestServer | null = null;

  before(async () => {
    dir = await makeTempDir('quire-storage-failure-');
    store = new FailingDocStore(await LevelDocStore.open(dir, { sync: false }));
    t = await startTestServer({ store, dataDir: dir });
  });
  after(async () => {
    store.failing = false;
    await t.close();
    await restarted?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const failures = async (server: TestServer): Promise<number> => {
    const text = (await http(`${server.url}/metrics`)).text;
    return sampleValue(text, 'quire_store_write_failures_total') ?? NaN;
  };

  it('withholds "saved" while writes fail, then writes and acknowledges everything, durably', async () => {
    const docName = await t.createDoc();
    const a = t.provider(docName);
    const b = t.provider(docName);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    a.doc.getText('t').insert(0, 'before ');
    await a.whenSaved();
    assert.equal((await http(`${t.url}/readyz`)).status, 200);
    assert.equal(await failures(t), 0);

    store.failing = true;
    a.doc.getText('t').insert(7, 'during-a ');
    b.doc.getMap('m').set('from-b', 'during-b');
    const savedA = track(a.whenSaved());
    const savedB = track(b.whenSaved());

    // Relaying does not wait for the disk.
    await waitFor('b to see a', () => b.doc.getText('t').toString() === 'before during-a ');
    await waitFor('a to see b', () => a.doc.getMap('m').get('from-b') === 'during-b');

    const notReady = await pollHttp(`${t.url}/readyz`, (r) => r.status === 503, '/readyz to say not ready');
    assert.match(notReady.text, /"storage":false/);
    await waitFor('a write failure to be counted', async () => (await failures(t)) >= 1);
    const firstCount = await failures(t);
    // Retries back off (100 ms doubling, at most 5 s apart), so when the next one comes depends on
    // how far the backoff has got by now; allow several of the longest gaps.
    await waitFor('retries to keep failing and keep being counted', async () => (await failures(t)) > firstCount, { timeoutMs: 20_000, intervalMs: 50 });
    assert.ok(store.refusedAppends >= 2);

    assert.ok(a.unsavedCount > 0, `a.unsavedCount ${a.unsavedCount}`);
    assert.ok(b.unsavedCount > 0, `b.unsavedCount ${b.unsavedCount}`);
    assert.equal(savedA.settled(), false, "a's whenSaved is still pending");
    assert.equal(savedB.settled(), false, "b's whenSaved is still pending");

    // The API's own writes fail the same way, with a typed error rather than a false success.
    assertApiError(
      await http(`${t.url}/api/docs`, { method: 'POST', headers: { 'content-type': 'text/markdown' }, body: '# Not now' }),
      503,
      'storage-unavailable',
    );

    store.failing = false;
    await Promise.all([savedA.promise, savedB.promise]);
    assert.equal(a.unsavedCount, 0);
    assert.equal(b.unsavedCount, 0);
    const ready = await pollHttp(`${t.url}/readyz`, (r) => r.status === 200, '/readyz to be ready again');
    assert.match(ready.text, /"storage":true/);
    const created = await http(`${t.url}/api/docs`, { method: 'POST', headers: { 'content-type': 'text/markdown' }, body: '# Now' });
    assert.equal(created.status, 201, created.text);

    // A restart on the real LevelDB, without the fault injector, has every edit.
    a.destroy();
    b.destroy();
    await t.stop();
    restarted = await startTestServer({ dataDir: dir });
    const stored = await restarted.server.store.load(docName);
    assert.ok(stored !== null);
    const reloaded = new Y.Doc();
    Y.applyUpdate(reloaded, stored.update);
    assert.equal(reloaded.getText('t').toString(), 'before during-a ');
    assert.equal(reloaded.getMap('m').get('from-b'), 'during-b');
    reloaded.destroy();
    const fresh = restarted.provider(docName);
    await fresh.whenSynced();
    assert.equal(fresh.doc.getText('t').toString(), 'before during-a ');
    assert.equal(fresh.doc.getMap('m').get('from-b'), 'during-b');
  });
});

describe('storage failure while the last page leaves', () => {
  let dir: string;
  let store: FailingDocStore;
  let t: TestServer;

  before(async () => {
    dir = await makeTempDir('quire-storage-failure-');
    store = new FailingDocStore(await LevelDocStore.open(dir, { sync: false }));
    t = await startTestServer({ store, dataDir: dir });
  });
  after(async () => {
    store.failing = false;
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps an accepted change in memory until it is written, and serves it to a page that joins meanwhile', async () => {
    const docName = await t.createDoc();
    const a = t.provider(docName);
    await a.whenSynced();
    store.failing = true;
    a.doc.getText('t').insert(0, 'accepted but not yet written');
    await waitFor('the server to apply the change', () => t.server.loadedDoc(docName)?.getText('t').length === 28);
    a.destroy();
    await sleep(300);
    assert.equal(t.server.isLoaded(docName), true, 'the room stays while its writes are pending');

    const b = t.provider(docName);
    await b.whenSynced();
    assert.equal(b.doc.getText('t').toString(), 'accepted but not yet written', 'a page joining meanwhile sees the change');
    b.destroy();

    store.failing = false;
    await waitFor('the room to unload once written', () => !t.server.isLoaded(docName), 10_000);
    const stored = await t.server.store.load(docName);
    assert.ok(stored !== null, 'the change was written');
    const reloaded = new Y.Doc();
    Y.applyUpdate(reloaded, stored.update);
    assert.equal(reloaded.getText('t').toString(), 'accepted but not yet written');
    reloaded.destroy();
  });
});
