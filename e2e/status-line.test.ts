/**
 * A calm status line: quick saves never flash "Saving…", a slow one does after half a second, and
 * the live region tells screen readers about changes of state only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { createDoc } from '../test/support/e2e/api.js';
import { caretToEndOfBlock, waitForSaved, waitForStatus, waitForText } from '../test/support/e2e/editor-page.js';
import { providerState } from '../test/support/e2e/page-actions.js';
import type { QuireWindow } from '../test/support/e2e/page-types.js';
import { SAVING_DELAY_MS } from '../client/editor/calm-status.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { waitFor } from '../test/support/wait.js';

// The first test reads "no flicker" as "every save finished within half a second". Each keystroke
// is a durable save, and with fsync on a shared, busy disk one of them can take longer and rightly
// show "Saving…": that measures the disk, not the status line. Saves without fsync are still real
// saves through LevelDB; the slow save of the second test is made in the network, not the disk.
const e2e = useBrowserAndServer({ env: { FSYNC: 'false' } });

interface StatusLog {
  status: string[];
  live: string[];
  /** [ms, unsaved count] each time the provider's count changed. */
  unsaved: Array<[number, number]>;
}

/**
 * Starts recording every text `#status` and the live region `#status-live` take from now on, and
 * when the provider's unsaved count changes.
 */
async function recordStatus(page: Page): Promise<void> {
  await page.evaluate(() => {
    const log: StatusLog = { status: [], live: [], unsaved: [] };
    (window as unknown as { __statusLog: StatusLog }).__statusLog = log;
    const watch = (id: string, into: string[]): void => {
      const element = document.getElementById(id);
      if (element === null) return;
      new MutationObserver(() => into.push(element.textContent ?? '')).observe(element, { childList: true, characterData: true, subtree: true });
    };
    watch('status', log.status);
    watch('status-live', log.live);
    (window as unknown as QuireWindow).quire?.provider.on('unsaved', (count: number) => log.unsaved.push([performance.now(), count]));
  });
}

async function statusLog(page: Page): Promise<StatusLog> {
  return page.evaluate(() => (window as unknown as { __statusLog: StatusLog }).__statusLog);
}

/**
 * The longest time changes waited with none confirmed (what decides "Saving…"), from the
 * recorded counts: a wait starts when the count leaves 0 or falls, and ends when it falls.
 */
function longestWaitMs(unsaved: ReadonlyArray<[number, number]>): number {
  let longest = 0;
  let since: number | null = null;
  let last = 0;
  for (const [at, count] of unsaved) {
    if (count < last && since !== null) longest = Math.max(longest, at - since);
    if (count === 0) since = null;
    else if (since === null || count < last) since = at;
    last = count;
  }
  return longest;
}

/** Delays every message the server sends over a WebSocket (Quire's or Socket.IO's) by `delayMs` while `slow.on` is set. */
async function slowDownServer(context: BrowserContext, slow: { on: boolean }, delayMs: number): Promise<void> {
  await context.routeWebSocket(/\/socket\.io\/|\/quire-ws/, (page) => {
    const server = page.connectToServer();
    server.onMessage((message) => {
      if (slow.on) setTimeout(() => page.send(message), delayMs);
      else page.send(message);
    });
  });
}

describe('the status line', () => {
  it('stays on "All changes saved" while someone types at a steady pace, and announces nothing', { timeout: 60_000 }, async (t) => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const doc = await createDoc(server.url, 'Typing:\n');
      const alice = await scenario.open(doc.editPath, 'Alice');
      await waitForSaved(alice.page);
      assert.equal(await alice.page.locator('#status-live').count(), 1, 'the page has a live region for the status');
      await caretToEndOfBlock(alice.page, 0);
      await recordStatus(alice.page);
      await alice.page.keyboard.type(' one two three four', { delay: 120 });
      await waitForText([alice.page], 'Typing: one two three four');
      await waitForSaved(alice.page);
      const log = await statusLog(alice.page);
      const waitedMs = longestWaitMs(log.unsaved);
      t.diagnostic(`${log.unsaved.length} changes of the unsaved count; the longest wait without a confirmation: ${Math.round(waitedMs)} ms`);
      assert.ok(log.unsaved.length >= 2, 'the typing made changes to save');
      const flicker = [...new Set(log.status)].filter((text) => text !== 'All changes saved');
      if (waitedMs < SAVING_DELAY_MS - 50) {
        // Saves that each finish quickly, overlapping or not, never change the line.
        assert.deepEqual(flicker, [], `the status line flickered: ${log.status.join(' | ')}`);
        assert.deepEqual(log.live, [], 'the live region announced something');
      } else if (waitedMs > SAVING_DELAY_MS + 100) {
        // The machine was busy and a save really was slow: then the line must say so.
        assert.deepEqual(flicker, ['Saving…'], `a save waited ${Math.round(waitedMs)} ms: ${log.status.join(' | ')}`);
      }
    });
  });

  it('says "Saving…" once a save takes longer than half a second, and announces the change of state', { timeout: 60_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const slow = { on: false };
      const doc = await createDoc(server.url, 'Slow line\n');
      const alice = await scenario.open(doc.editPath, 'Alice', { prepare: (context) => slowDownServer(context, slow, 2_000) });
      await waitFor('Alice to upgrade to a WebSocket', async () => (await providerState(alice.page)).transport === 'websocket', { timeoutMs: 15_000 });
      await waitForSaved(alice.page);
      await caretToEndOfBlock(alice.page, 0);
      await recordStatus(alice.page);
      slow.on = true;
      const typed = Date.now();
      await alice.page.keyboard.type('!');
      await waitForStatus(alice.page, /^Saving…$/, 5_000);
      assert.ok(Date.now() - typed >= 450, `"Saving…" showed after ${Date.now() - typed} ms`);
      await waitForSaved(alice.page);
      const log = await statusLog(alice.page);
      assert.deepEqual(log.status, ['Saving…', 'All changes saved']);
      assert.deepEqual(log.live, ['Saving…', 'All changes saved']);
    });
  });
});
