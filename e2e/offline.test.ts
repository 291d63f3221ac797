/**
 * Offline and back: edits made while the connection is cut survive a reload (IndexedDB) and
 * reach the other person when the connection returns.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  caretToEndOfBlock,
  PAGE_TIMEOUT_MS,
  shownText,
  waitForProviderStatus,
  waitForSameText,
  waitForSaved,
  waitForStatus,
  waitForText,
} from '../test/support/e2e/editor-page.js';
import { fragmentText } from '../test/support/e2e/node-peer.js';
import { flushIndexedDb, providerState } from '../test/support/e2e/page-actions.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { openSwitchedPair } from '../test/support/e2e/switched-pair.js';

/** What the status line may say while the connection is down. */
const OFFLINE_STATUS = /^(Offline — (\d+) changes? kept on this device|Reconnecting…)$/;
/** The server's backoff may have grown while the connection was cut; allow for it. */
const RECONNECT_TIMEOUT_MS = 30_000;

const e2e = useBrowserAndServer();

describe('offline editing', () => {
  it('keeps offline edits across a reload and merges them with the other person\'s on reconnect', { timeout: 120_000 }, async (t) => {
    await runScenario(e2e(), async (scenario) => {
      const { docName, network, alice, bob } = await openSwitchedPair(scenario, 'Written together.');

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
      await waitForSaved(bob.page);

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
      await waitForSaved(alice.page);

      // The server holds the merge too, not only the two pages.
      const peer = await scenario.peer(docName);
      assert.equal(fragmentText(peer.fragment), merged);
    });
  });
});
