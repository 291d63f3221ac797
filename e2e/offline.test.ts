/**
 * Offline and back: edits made while the connection is cut survive a reload (IndexedDB) and
 * reach the other person when the connection returns.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { newDocId } from '../shared/doc-id.js';
import { launchBrowser } from './support/browser.js';
import {
  caretToEndOfBlock,
  PAGE_TIMEOUT_MS,
  shownText,
  waitForProviderStatus,
  waitForSameText,
  waitForStatus,
  waitForText,
} from './support/editor-page.js';
import { fragmentText } from './support/node-peer.js';
import { flushIndexedDb, providerState } from './support/page-actions.js';
import { runScenario } from './support/scenario.js';
import { startServer, type TestServer } from './support/server.js';
import { SocketSwitch } from './support/socket-switch.js';
import { waitUntil } from './support/wait.js';

/** What the status line may say while the connection is down. */
const OFFLINE_STATUS = /^(Offline — (\d+) changes? kept on this device|Reconnecting…)$/;
/** The server's backoff may have grown while the connection was cut; allow for it. */
const RECONNECT_TIMEOUT_MS = 30_000;

let server: TestServer | undefined;
let browser: Browser | undefined;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('offline editing', () => {
  it('keeps offline edits across a reload and merges them with the other person\'s on reconnect', { timeout: 120_000 }, async (t) => {
    assert.ok(browser && server, 'the server and browser did not start (see the before hook)');
    await runScenario(browser, server, async (scenario) => {
      const docId = newDocId();
      const network = new SocketSwitch();
      const alice = await scenario.open(`/d/${docId}`, 'Alice', { prepare: (context) => network.install(context) });
      const bob = await scenario.open(`/d/${docId}`, 'Bob');

      await alice.page.locator('#editor .ProseMirror').click();
      await alice.page.keyboard.type('Written together.');
      await waitForText([alice.page, bob.page], 'Written together.');
      // Cut the WebSocket itself, not a polling request that happens to be in flight.
      await waitUntil('Alice to upgrade to a WebSocket', async () => (await providerState(alice.page)).transport === 'websocket');

      await network.cut();
      const offlineStatus = await waitForStatus(alice.page, OFFLINE_STATUS);
      t.diagnostic(`Alice's status after the cut: ${offlineStatus}`);
      assert.notEqual((await providerState(alice.page)).status, 'synced');

      await caretToEndOfBlock(alice.page, 0);
      await alice.page.keyboard.press('Enter');
      await alice.page.keyboard.type('Alice wrote this offline.');
      await caretToEndOfBlock(bob.page, 0);
      await bob.page.keyboard.press('Enter');
      await bob.page.keyboard.type('Bob wrote this meanwhile.');
      await waitForStatus(bob.page, /^All changes saved$/);

      const whileCut = await waitForStatus(alice.page, OFFLINE_STATUS);
      t.diagnostic(`Alice's status after typing offline: ${whileCut}`);
      const unsaved = OFFLINE_STATUS.exec(whileCut)?.[2];
      if (unsaved !== undefined) assert.ok(Number(unsaved) > 0, `offline with unsaved edits, yet the status says: ${whileCut}`);
      assert.equal(await shownText(alice.page), 'Written together.\nAlice wrote this offline.');
      assert.equal(await shownText(bob.page), 'Written together.\nBob wrote this meanwhile.', 'the cut let Alice\'s edit through');

      // Reload while still cut off: the page itself loads over HTTP, the document comes from IndexedDB.
      const stored = await flushIndexedDb(alice.page);
      assert.ok(stored > 0, 'y-indexeddb stored nothing for this document');
      await alice.page.reload({ timeout: PAGE_TIMEOUT_MS });
      await alice.page.locator('#editor .ProseMirror').waitFor({ timeout: PAGE_TIMEOUT_MS });
      await waitForText([alice.page], 'Written together.\nAlice wrote this offline.');
      const afterReload = await waitForStatus(alice.page, OFFLINE_STATUS);
      t.diagnostic(`Alice's status after the offline reload: ${afterReload}`);
      assert.notEqual((await providerState(alice.page)).status, 'synced');

      network.restore();
      await waitForProviderStatus(alice.page, 'synced', RECONNECT_TIMEOUT_MS);
      const merged = await waitForSameText(
        [alice.page, bob.page],
        'both pages to hold both people\'s edits',
        (text) => text.includes('Alice wrote this offline.') && text.includes('Bob wrote this meanwhile.'),
      );
      const lines = merged.split('\n');
      assert.equal(lines[0], 'Written together.');
      assert.deepEqual(lines.slice(1).sort(), ['Alice wrote this offline.', 'Bob wrote this meanwhile.']);
      await waitForStatus(alice.page, /^All changes saved$/);

      // The server holds the merge too, not only the two pages.
      const peer = await scenario.peer(docId);
      assert.equal(fragmentText(peer.fragment), merged);
    });
  });
});
