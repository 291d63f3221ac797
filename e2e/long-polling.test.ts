/**
 * Behind a proxy that refuses WebSockets, Socket.IO stays on HTTP long-polling and two people
 * still edit together.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { caretToEndOfBlock, waitForSameText, waitForText } from '../test/support/e2e/editor-page.js';
import { providerState } from '../test/support/e2e/page-actions.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';

const e2e = useBrowserAndServer();

interface WebSocketLog {
  /** WebSocket opens the page attempted (all refused). */
  refused: number;
  /** WebSockets that reached the network (must stay 0). */
  real: string[];
}

/**
 * Refuses every WebSocket of the context the way a proxy that drops upgrades would: Playwright
 * routes the socket without connecting it to the server and closes it. Real WebSockets (which
 * `page.on('websocket')` reports) must then never appear.
 */
async function refuseWebSockets(context: BrowserContext, log: WebSocketLog): Promise<void> {
  await context.routeWebSocket(/./, (socket) => {
    log.refused += 1;
    void socket.close({ code: 1008, reason: 'WebSockets are blocked here' }).catch(() => undefined);
  });
  context.on('page', (page) => page.on('websocket', (socket) => log.real.push(socket.url())));
}

describe('long-polling only', () => {
  it('two people co-edit with every WebSocket refused', { timeout: 90_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const docName = (await scenario.newDoc()).id;
      const aliceLog: WebSocketLog = { refused: 0, real: [] };
      const bobLog: WebSocketLog = { refused: 0, real: [] };
      const alice = await scenario.open(`/d/${docName}`, 'Alice', { prepare: (context) => refuseWebSockets(context, aliceLog) });
      const bob = await scenario.open(`/d/${docName}`, 'Bob', { prepare: (context) => refuseWebSockets(context, bobLog) });
      const pages = [alice.page, bob.page];

      await alice.page.locator('#editor .ProseMirror').click();
      await alice.page.keyboard.type('Polling line one.');
      await alice.page.keyboard.press('Enter');
      await alice.page.keyboard.type('Polling line two.');
      await waitForText(pages, 'Polling line one.\nPolling line two.');

      await caretToEndOfBlock(alice.page, 0);
      await caretToEndOfBlock(bob.page, 1);
      await Promise.all([
        alice.page.keyboard.type(' Alice adds this.', { delay: 20 }),
        bob.page.keyboard.type(' Bob adds that.', { delay: 20 }),
      ]);
      await waitForSameText(pages, 'both pages to converge over polling', (text) =>
        text === 'Polling line one. Alice adds this.\nPolling line two. Bob adds that.',
      );

      for (const [person, log] of [[alice, aliceLog], [bob, bobLog]] as const) {
        assert.deepEqual(log.real, [], `${person.name}'s page opened a real WebSocket`);
        assert.ok(log.refused > 0, `${person.name}'s page never tried a WebSocket, so the refusal was not exercised`);
        assert.equal((await providerState(person.page)).transport, 'polling');
      }
    });
  });
});
