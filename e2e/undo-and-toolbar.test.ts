/**
 * Undo and redo as a newcomer meets them (the first undo of a new document can be redone, and the
 * toolbar's Undo and Redo follow the undo manager), select-all with the toolbar, and moving
 * through the toolbar with the keyboard.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createDoc } from '../test/support/e2e/api.js';
import { caretToEndOfBlock, PAGE_TIMEOUT_MS, shownText, waitForText } from '../test/support/e2e/editor-page.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { sleep, waitFor } from '../test/support/wait.js';

const e2e = useBrowserAndServer();

/** y-prosemirror's undo manager merges changes less than 500 ms apart: this pause ends a step. */
const UNDO_STEP_PAUSE_MS = 1_000;

function button(page: Page, command: string) {
  return page.locator(`#toolbar button[data-command="${command}"]`);
}

async function waitForEnabled(page: Page, command: string, enabled: boolean): Promise<void> {
  await waitFor(`the ${command} button to be ${enabled ? 'enabled' : 'disabled'}`, async () => (await button(page, command).isEnabled()) === enabled, {
    timeoutMs: 3_000,
  });
}

describe('undo and redo', () => {
  it('redoes the first undo of a new document, from the keyboard and the toolbar', { timeout: 60_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const doc = await createDoc(server.url);
      const alice = await scenario.open(doc.editPath, 'Alice');
      const page = alice.page;
      await page.locator('#editor .ProseMirror').click();
      // One input, so one undo step however busy the machine: typed key by key, a pause of more
      // than 500 ms between two keys (seen in a loaded full run: "My fi" | "rst sentence") splits it.
      await page.keyboard.insertText('My first sentence');
      await sleep(UNDO_STEP_PAUSE_MS);

      await page.keyboard.press('ControlOrMeta+z');
      await waitForText([page], '');
      await waitForEnabled(page, 'redo', true);
      await page.keyboard.press('ControlOrMeta+Shift+z');
      await waitForText([page], 'My first sentence');

      await button(page, 'undo').click();
      await waitForText([page], '');
      await waitForEnabled(page, 'redo', true);
      await button(page, 'redo').click();
      await waitForText([page], 'My first sentence');
      await waitForEnabled(page, 'redo', false);
      assert.deepEqual(alice.pageErrors, []);
    });
  });

  it('enables Redo as soon as something was undone, and disables Undo when nothing is left', { timeout: 60_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const doc = await createDoc(server.url, 'Written before.\n');
      const alice = await scenario.open(doc.editPath, 'Alice');
      const page = alice.page;
      await waitForText([page], 'Written before.');
      await waitForEnabled(page, 'undo', false);
      await caretToEndOfBlock(page, 0);
      await page.keyboard.press('Enter');
      await page.keyboard.insertText('One');
      await sleep(UNDO_STEP_PAUSE_MS);
      await page.keyboard.press('Enter');
      await page.keyboard.insertText('Two');
      await waitForEnabled(page, 'undo', true);

      await page.keyboard.press('ControlOrMeta+z');
      await waitForText([page], 'Written before.\nOne');
      await waitForEnabled(page, 'redo', true);
      await page.keyboard.press('ControlOrMeta+z');
      await waitForText([page], 'Written before.');
      await waitForEnabled(page, 'undo', false);
      await page.keyboard.press('ControlOrMeta+Shift+z');
      await waitForText([page], 'Written before.\nOne');
      await waitForEnabled(page, 'undo', true);
    });
  });
});

describe('the toolbar', () => {
  it('survives select-all: no error, and its buttons keep following the selection', { timeout: 60_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const doc = await createDoc(server.url, '# Title\n\nBody text.\n');
      const alice = await scenario.open(doc.editPath, 'Alice');
      const page = alice.page;
      await waitForText([page], 'Title\nBody text.');
      await caretToEndOfBlock(page, 1);
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.press('ControlOrMeta+b');
      await waitFor('Bold to show as pressed for the whole document', async () => (await button(page, 'bold').getAttribute('aria-pressed')) === 'true', {
        timeoutMs: 3_000,
      });
      assert.equal(await button(page, 'hr').isEnabled(), true, 'a divider can replace the whole selection');
      // Back in the heading, the toolbar still follows the caret.
      await caretToEndOfBlock(page, 0);
      await waitFor('H1 to show as pressed in the heading', async () => (await button(page, 'h1').getAttribute('aria-pressed')) === 'true', {
        timeoutMs: 3_000,
      });
      assert.equal(await shownText(page), 'Title\nBody text.');
      assert.deepEqual(alice.pageErrors, [], 'uncaught exceptions in the page');
    });
  });

  it('is one Tab stop with arrow keys inside; the people are reachable; renaming yourself returns to the document', { timeout: 60_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const doc = await createDoc(server.url, 'Some text.\n');
      const alice = await scenario.open(doc.editPath, 'Alice');
      const page = alice.page;
      const bob = await scenario.peer(doc.id);
      bob.provider.awareness.setLocalStateField('user', { name: 'Bob', color: '#0c8599' });
      await page.locator('#presence .peer-button', { hasText: 'Bob' }).waitFor({ timeout: PAGE_TIMEOUT_MS });

      const active = (): Promise<string> =>
        page.evaluate(() => {
          const element = document.activeElement as HTMLElement | null;
          if (element?.closest('.ProseMirror')) return 'document';
          return element?.dataset['command'] ?? (element?.id || element?.className || 'nothing');
        });
      const tabStops = (): Promise<number> => page.locator('#toolbar button[tabindex="0"]').count();

      await caretToEndOfBlock(page, 0);
      await page.keyboard.press('Shift+Tab');
      assert.equal(await active(), 'paragraph', 'Shift+Tab from the text reaches the toolbar at its first enabled button');
      assert.equal(await tabStops(), 1);
      await page.keyboard.press('ArrowRight');
      assert.equal(await active(), 'h1');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      assert.equal(await active(), 'image', 'the arrows wrap around, past disabled buttons');
      await page.keyboard.press('Home');
      assert.equal(await active(), 'paragraph');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Enter');
      await waitFor('the line to become a heading', async () => (await page.locator('#editor h1').count()) === 1, { timeoutMs: 3_000 });
      assert.equal(await active(), 'document', 'a toolbar button returns focus to the text');
      await page.keyboard.press('Shift+Tab');
      assert.equal(await active(), 'h1', 'the toolbar remembers where it was');
      assert.equal(await tabStops(), 1);

      // Back through the header: share, download, history, name, colour, then the people (one stop).
      const seen: string[] = [];
      for (let i = 0; i < 8 && !seen.includes('peer-button'); i++) {
        await page.keyboard.press('Shift+Tab');
        seen.push(await active());
      }
      assert.ok(seen.includes('peer-button'), `the presence chips were not reached: ${seen.join(' → ')}`);
      assert.deepEqual(seen.slice(0, 5), ['share-button', 'download-button', 'history-button', 'name-input', 'color-button']);

      await page.locator('#name-input').focus();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('Alice Liddell');
      await page.keyboard.press('Enter');
      assert.equal(await active(), 'document', 'Enter in the name field returns to the document');
      await waitFor('Bob to see the new name', () => [...bob.provider.awareness.getStates().values()].some((state) => (state['user'] as { name?: string } | undefined)?.name === 'Alice Liddell'), {
        timeoutMs: PAGE_TIMEOUT_MS,
      });
    });
  });
});
