/**
 * kill -9 of the server mid-session: the pages reconnect by themselves when it is back, and
 * nothing typed before the kill or during the outage is lost.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  caretToEndOfBlock,
  closePerson,
  waitForProviderStatus,
  waitForSameText,
  waitForSaved,
  waitForStatus,
  waitForText,
} from '../test/support/e2e/editor-page.js';
import { fragmentText } from '../test/support/e2e/node-peer.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';

const OFFLINE_STATUS = /^(Offline — \d+ changes? kept on this device|Reconnecting…)$/;
/** Reconnection backoff grows while the server is down; allow for a few rounds of it. */
const RECONNECT_TIMEOUT_MS = 30_000;

const e2e = useBrowserAndServer();

describe('server restart', () => {
  it('pages reconnect after kill -9 and keep what was typed before and during the outage', { timeout: 150_000 }, async (t) => {
    const { server } = e2e();
    const liveServer = server;
    await runScenario(e2e(), async (scenario) => {
      const docName = (await scenario.newDoc()).id;
      const alice = await scenario.open(`/d/${docName}`, 'Alice');
      const bob = await scenario.open(`/d/${docName}`, 'Bob');
      const pages = [alice.page, bob.page];

      await alice.page.locator('#editor .ProseMirror').click();
      await alice.page.keyboard.type('Typed before the crash.');
      await waitForText(pages, 'Typed before the crash.');
      await waitForSaved(alice.page);

      await liveServer.kill9();
      t.diagnostic('server killed with SIGKILL');
      await Promise.all(pages.map((page) => waitForStatus(page, OFFLINE_STATUS)));

      await caretToEndOfBlock(alice.page, 0);
      await alice.page.keyboard.press('Enter');
      await alice.page.keyboard.type('Alice typed during the outage.');
      await caretToEndOfBlock(bob.page, 0);
      await bob.page.keyboard.press('Enter');
      await bob.page.keyboard.type('Bob typed during the outage.');

      await liveServer.restart();
      t.diagnostic(`server restarted on ${liveServer.url}`);
      await Promise.all(pages.map((page) => waitForProviderStatus(page, 'synced', RECONNECT_TIMEOUT_MS)));
      const expectedLines = ['Alice typed during the outage.', 'Bob typed during the outage.'];
      const merged = await waitForSameText(pages, 'both pages to hold every line', (text) =>
        expectedLines.every((line) => text.includes(line)),
      );
      const lines = merged.split('\n');
      assert.equal(lines[0], 'Typed before the crash.');
      assert.deepEqual(lines.slice(1).sort(), expectedLines);
      await Promise.all(pages.map((page) => waitForSaved(page)));

      // "All changes saved" must mean durable: close both pages (so they cannot resend), kill -9
      // again, and a fresh browser with no IndexedDB copy must still get everything from storage.
      await closePerson(alice);
      await closePerson(bob);
      await liveServer.kill9();
      await liveServer.restart();
      const carol = await scenario.open(`/d/${docName}`, 'Carol');
      await waitForText([carol.page], merged);
      const peer = await scenario.peer(docName);
      assert.equal(fragmentText(peer.fragment), merged);
    });
  });
});
