/**
 * A network that goes away without closing anything (a Wi-Fi drop): the page's WebSocket stays
 * open and silent, the browser fires no `offline` event. The page must notice by itself, within
 * seconds, say so, and deliver what was typed meanwhile as soon as the network is back — not when
 * the server's ping timeout (45 s) or a restart ends the dead connection.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { caretToEndOfBlock, PAGE_TIMEOUT_MS, setName, shownText, waitForSaved, waitForStatus, waitForText } from '../test/support/e2e/editor-page.js';
import type { QuireWindow } from '../test/support/e2e/page-types.js';
import { providerState } from '../test/support/e2e/page-actions.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { openSwitchedPair } from '../test/support/e2e/switched-pair.js';

/** What the status line may say once the page knows its connection is gone. */
const DISCONNECTED_STATUS = /^(Offline — \d+ changes? kept on this device|Reconnecting…)$/;
/** The editor's acknowledgement watchdog (4 s, checked every second), with room for a loaded machine. */
const NOTICE_WITHIN_MS = 15_000;
/** From the network's return: the reconnect backoff (at most 10 s) plus a handshake. */
const DELIVERED_WITHIN_MS = 20_000;

const e2e = useBrowserAndServer();

describe('a half-open connection', () => {
  it('is noticed without any browser event, and what was typed meanwhile arrives once the network is back', { timeout: 120_000 }, async (t) => {
    await runScenario(e2e(), async (scenario) => {
      const { network, alice, bob } = await openSwitchedPair(scenario, 'Before the drop.');
      await waitForSaved(alice.page);

      network.stall();
      const stalledAt = Date.now();
      await caretToEndOfBlock(alice.page, 0);
      await alice.page.keyboard.press('Enter');
      await alice.page.keyboard.type('Typed while the Wi-Fi was gone.');

      const noticed = await waitForStatus(alice.page, DISCONNECTED_STATUS, NOTICE_WITHIN_MS);
      t.diagnostic(`Alice's page noticed after ${Date.now() - stalledAt} ms: "${noticed}"`);
      assert.ok(network.framesSwallowed > 0, 'the stalled socket carried nothing, yet saw no frames');
      assert.notEqual((await providerState(alice.page)).status, 'synced');
      assert.equal(await shownText(bob.page), 'Before the drop.', 'the stall let Alice\'s words through');

      network.restore();
      const restoredAt = Date.now();
      await waitForText([alice.page, bob.page], 'Before the drop.\nTyped while the Wi-Fi was gone.', DELIVERED_WITHIN_MS);
      t.diagnostic(`Bob saw Alice's words ${Date.now() - restoredAt} ms after the network came back`);
      await waitForSaved(alice.page);

      // The server still holds the dead connection (its ping timeout has not run out), which owns
      // Alice's presence there: the new connection takes it back, so a change of name reaches Bob.
      await setName(alice.page, 'Alice, back online');
      await bob.page.waitForFunction(
        () => {
          const states = [...((window as unknown as QuireWindow).quire?.provider.awareness.getStates().values() ?? [])];
          return states.some((state) => (state as { user?: { name?: string } }).user?.name === 'Alice, back online');
        },
        undefined,
        { timeout: PAGE_TIMEOUT_MS, polling: 100 },
      );
      await alice.page.locator('#editor .ProseMirror').focus();
      await alice.page.keyboard.press('ControlOrMeta+End');
      await alice.page.keyboard.type(' And after.');
      await waitForText([bob.page], 'Before the drop.\nTyped while the Wi-Fi was gone. And after.');
    });
  });
});
