/**
 * Offline first, in real Chromium with the whole browser context offline (`context.setOffline`):
 * a document opened before on this device opens, is edited, reloaded and reopened without a
 * network (the service worker serves the page, IndexedDB the document), the status line counts
 * the changes kept, and everything reaches the server and the other person when the network
 * returns, with a note of what was merged. A document started offline is created on reconnect.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { caretToEndOfBlock, PAGE_TIMEOUT_MS, shownText, waitForSaved, waitForStatus, waitForText } from '../test/support/e2e/editor-page.js';
import { fragmentText } from '../test/support/e2e/node-peer.js';
import { flushIndexedDb } from '../test/support/e2e/page-actions.js';
import { keptCopies, noticeText, waitForServiceWorker } from '../test/support/e2e/offline-device.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { saveScreenshot } from '../test/support/e2e/screenshot.js';
import { waitFor } from '../test/support/wait.js';

const KEPT = /^Offline — (\d+) changes? kept on this device$/;
/** The backoff may have grown while offline; the `online` event cuts it short, but allow for it. */
const RECONNECT_TIMEOUT_MS = 30_000;

const e2e = useBrowserAndServer();

function keptCount(status: string): number {
  return Number(KEPT.exec(status)?.[1] ?? 'NaN');
}

describe('offline first', () => {
  it('opens a visited document offline, keeps edits across a reload and a closed page, and syncs them on reconnect', { timeout: 180_000 }, async (t) => {
    await runScenario(e2e(), async (scenario) => {
      const docName = (await scenario.newDoc()).id;
      const alice = await scenario.open(`/d/${docName}`, 'Alice');
      await waitForServiceWorker(alice.page);
      await alice.page.locator('#editor .ProseMirror').click();
      await alice.page.keyboard.type('Written online.');
      await waitForSaved(alice.page);
      const bob = await scenario.open(`/d/${docName}`, 'Bob');
      await waitForText([bob.page], 'Written online.');

      await alice.context.setOffline(true);
      await caretToEndOfBlock(alice.page, 0);
      await alice.page.keyboard.press('Enter');
      await alice.page.keyboard.type('First offline edit.');
      const firstStatus = await waitForStatus(alice.page, KEPT);
      assert.equal(keptCount(firstStatus), 1, `one run of typing is one change, yet the status says: ${firstStatus}`);

      // Reload without a network: the service worker serves the page, IndexedDB the document.
      await flushIndexedDb(alice.page);
      await alice.page.reload({ timeout: PAGE_TIMEOUT_MS });
      await alice.page.locator('#editor .ProseMirror').waitFor({ timeout: PAGE_TIMEOUT_MS });
      await waitForText([alice.page], 'Written online.\nFirst offline edit.');
      const afterReload = await waitForStatus(alice.page, KEPT);
      t.diagnostic(`after the offline reload: ${afterReload}`);
      assert.equal(keptCount(afterReload), 1, 'the change restored from IndexedDB must count as unsaved');

      await caretToEndOfBlock(alice.page, 1);
      await alice.page.keyboard.press('Enter');
      await alice.page.keyboard.type('Second offline edit.');
      await waitForStatus(alice.page, /^Offline — 2 changes kept on this device$/);
      await flushIndexedDb(alice.page);

      // Close the page, open the link again: still offline.
      await alice.page.close();
      alice.page = await alice.context.newPage();
      await alice.page.goto(scenario.url(`/d/${docName}`), { timeout: PAGE_TIMEOUT_MS });
      await alice.page.locator('#editor .ProseMirror').waitFor({ timeout: PAGE_TIMEOUT_MS });
      await waitForText([alice.page], 'Written online.\nFirst offline edit.\nSecond offline edit.');
      await waitForStatus(alice.page, /^Offline — 2 changes kept on this device$/);
      await saveScreenshot(alice.page, 'offline.png', 'screenshot-offline.png', (message) => t.diagnostic(message));

      // Meanwhile Bob writes too; Alice's offline edits have not reached him.
      await caretToEndOfBlock(bob.page, 0);
      await bob.page.keyboard.press('End');
      await bob.page.keyboard.type(' Bob added this.');
      await waitForSaved(bob.page);
      assert.equal(await shownText(bob.page), 'Written online. Bob added this.');

      await alice.context.setOffline(false);
      await waitForSaved(alice.page, RECONNECT_TIMEOUT_MS);
      const expected = 'Written online. Bob added this.\nFirst offline edit.\nSecond offline edit.';
      await waitForText([alice.page, bob.page], expected);
      const peer = await scenario.peer(docName);
      assert.equal(fragmentText(peer.fragment), expected, 'the server lacks some of the edits');

      const note = await waitFor('the "While you were offline" note', async () => {
        const text = await noticeText(alice.page);
        return text.startsWith('While you were offline') ? text : false;
      }, { timeoutMs: PAGE_TIMEOUT_MS });
      t.diagnostic(note);
      assert.match(note, /Bob/);
    });
  });

  it('starts a document offline and creates it on the server when the network returns', { timeout: 120_000 }, async (t) => {
    await runScenario(e2e(), async (scenario) => {
      const docName = (await scenario.newDoc()).id;
      const carol = await scenario.open(`/d/${docName}`, 'Carol');
      await waitForServiceWorker(carol.page);
      await carol.page.goto(scenario.url('/'), { timeout: PAGE_TIMEOUT_MS });
      await waitForServiceWorker(carol.page);

      await carol.context.setOffline(true);
      await carol.page.reload({ timeout: PAGE_TIMEOUT_MS });
      await carol.page.locator('.recent-offline').first().waitFor({ timeout: PAGE_TIMEOUT_MS });
      await carol.page.locator('#new-doc').click();
      await carol.page.waitForURL(/\/d\/[A-Za-z0-9_-]{22}$/, { timeout: PAGE_TIMEOUT_MS });
      const newName = new URL(carol.page.url()).pathname.slice('/d/'.length);
      assert.notEqual(newName, docName);
      await carol.page.locator('#editor .ProseMirror').click({ timeout: PAGE_TIMEOUT_MS });
      await carol.page.keyboard.type('Started on a train.');
      await waitForStatus(carol.page, /^Offline — 1 change kept on this device$/);
      await saveScreenshot(carol.page, 'offline-new.png', 'screenshot-offline-new.png', (message) => t.diagnostic(message));

      await carol.context.setOffline(false);
      await waitForSaved(carol.page, RECONNECT_TIMEOUT_MS);
      const peer = await scenario.peer(newName);
      assert.equal(fragmentText(peer.fragment), 'Started on a train.');
    });
  });

  it('removes copies not opened for the keep time from the device, but never one with unsaved changes', { timeout: 120_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const saved = (await scenario.newDoc()).id;
      const unsaved = (await scenario.newDoc()).id;
      const erin = await scenario.open(`/d/${saved}`, 'Erin');
      await waitForServiceWorker(erin.page);
      await erin.page.locator('#editor .ProseMirror').click();
      await erin.page.keyboard.type('Saved on the server.');
      // The calm status line keeps saying "All changes saved" for the first half second of a
      // save: wait until the server confirmed it, which clears the device's count of kept changes.
      await waitFor('the typing to be confirmed by the server', async () => (await erin.page.evaluate((id) => localStorage.getItem(`quire:kept:${id}`), saved)) === null, { timeoutMs: PAGE_TIMEOUT_MS });
      await waitForSaved(erin.page);

      await erin.page.goto(scenario.url(`/d/${unsaved}`), { timeout: PAGE_TIMEOUT_MS });
      await erin.page.locator('#editor .ProseMirror').waitFor({ timeout: PAGE_TIMEOUT_MS });
      await waitForSaved(erin.page);
      await erin.context.setOffline(true);
      await erin.page.locator('#editor .ProseMirror').click();
      await erin.page.keyboard.type('Only on this device.');
      await waitForStatus(erin.page, KEPT);
      await flushIndexedDb(erin.page);
      assert.deepEqual(await keptCopies(erin.page), [saved, unsaved].sort());

      // Keep copies no time at all on this device; the home page then clears out what it may.
      await erin.page.evaluate(() => localStorage.setItem('quire:offline-keep-days', '0'));
      await erin.page.goto(scenario.url('/'), { timeout: PAGE_TIMEOUT_MS });
      await waitFor('the saved copy to be removed', async () => {
        const copies = await keptCopies(erin.page);
        return copies.length === 1 && copies[0] === unsaved;
      }, { timeoutMs: PAGE_TIMEOUT_MS });
      const marked = await erin.page.locator('.recent-item:has(.recent-offline) a').evaluateAll((links) => links.map((link) => (link as HTMLAnchorElement).pathname));
      assert.deepEqual(marked, [`/d/${unsaved}`], 'only the kept copy is marked available offline');

      await erin.context.setOffline(false);
      await erin.page.goto(scenario.url(`/d/${unsaved}`), { timeout: PAGE_TIMEOUT_MS });
      await waitForSaved(erin.page, RECONNECT_TIMEOUT_MS);
      const peer = await scenario.peer(unsaved);
      assert.equal(fragmentText(peer.fragment), 'Only on this device.');
    });
  });
});
