/**
 * The link bubble: with the caret in a link, its address, Open, Edit and Remove (Open alone on a
 * view-only page), reachable from the keyboard; and only safe addresses ever open.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import * as Y from 'yjs';
import { caretToEndOfBlock, PAGE_TIMEOUT_MS, waitForText } from '../test/support/e2e/editor-page.js';
import type { QuireWindow } from '../test/support/e2e/page-types.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { waitFor } from '../test/support/wait.js';

const e2e = useBrowserAndServer();

/** Replaces `window.open` with a recorder, so that opening is seen without a new tab. */
async function recordOpens(page: Page): Promise<void> {
  await page.evaluate(() => {
    const opened: string[][] = [];
    (window as unknown as { __opened: string[][] }).__opened = opened;
    window.open = (url?: string | URL, target?: string, features?: string) => {
      opened.push([String(url), target ?? '', features ?? '']);
      return null;
    };
  });
}

async function opened(page: Page): Promise<string[][]> {
  return page.evaluate(() => (window as unknown as { __opened: string[][] }).__opened);
}

/** The `data-action` of the focused element (or its tag when it has none). */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = document.activeElement as HTMLElement | null;
    if (active === null) return 'nothing';
    if (active.closest('.ProseMirror')) return 'document';
    return active.dataset['action'] ?? (active.id || active.tagName.toLowerCase());
  });
}

/** Every link href in the page's document, in order. */
async function hrefs(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    (window as unknown as QuireWindow).quire!.view.state.doc.descendants((node) => {
      for (const mark of node.marks) if (mark.type.name === 'link') found.push(String(mark.attrs['href']));
    });
    return found;
  });
}

/**
 * Puts the caret inside the word "brief" of the first block, from the keyboard, and waits until
 * ProseMirror has read it (it takes the DOM selection over on `selectionchange`, asynchronously).
 */
async function caretIntoLink(page: Page): Promise<void> {
  await caretToEndOfBlock(page, 0);
  for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => {
    const { state } = (window as unknown as QuireWindow).quire!.view;
    return state.selection.empty && state.selection.$from.marks().some((mark) => mark.type.name === 'link');
  }, undefined, { timeout: PAGE_TIMEOUT_MS, polling: 20 });
}

describe('the link bubble', () => {
  it('shows the address, opens, edits and removes the link, from the mouse and the keyboard', { timeout: 60_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const doc = await scenario.newDoc('Read [the brief](https://example.com/brief) today.\n');
      const alice = await scenario.open(doc.editPath, 'Alice');
      const page = alice.page;
      await waitForText([page], 'Read the brief today.');
      await recordOpens(page);
      const bubble = page.locator('#link-bubble');
      assert.equal(await bubble.isVisible(), false);

      await page.locator('#editor a').click();
      await bubble.waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
      assert.equal((await bubble.locator('.link-bubble-address').textContent())?.trim(), 'example.com/brief');
      await bubble.locator('[data-action="open"]').click();
      await waitFor('Open to open the link', async () => (await opened(page)).length === 1, { timeoutMs: 3_000 });
      assert.deepEqual(await opened(page), [['https://example.com/brief', '_blank', 'noopener,noreferrer']]);

      // Keyboard: Tab from the link reaches the bubble; arrows move; Escape returns to the text.
      await caretIntoLink(page);
      await page.keyboard.press('Alt+Enter');
      await waitFor('Alt+Enter to open the link', async () => (await opened(page)).length === 2, { timeoutMs: 3_000 });
      await page.keyboard.press('Tab');
      assert.equal(await focused(page), 'open');
      await page.keyboard.press('Escape');
      assert.equal(await focused(page), 'document');
      await page.keyboard.press('Tab');
      await page.keyboard.press('ArrowRight');
      assert.equal(await focused(page), 'edit');
      await page.keyboard.press('Enter');
      const input = page.locator('#link-input');
      await input.waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
      assert.equal(await input.inputValue(), 'https://example.com/brief');
      await input.fill('example.org/new');
      await input.press('Enter');
      await waitFor('the link to change', async () => (await hrefs(page)).join() === 'https://example.org/new', { timeoutMs: PAGE_TIMEOUT_MS });
      assert.equal(await focused(page), 'document');

      // The bubble comes back for the changed link once the editor has shown it; Tab before that
      // leaves the editor for the page.
      await bubble.waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
      await waitFor('the bubble to show the new address', async () => (await bubble.locator('.link-bubble-address').textContent())?.trim() === 'example.org/new', { timeoutMs: PAGE_TIMEOUT_MS });
      await page.keyboard.press('Tab');
      await page.keyboard.press('End');
      assert.equal(await focused(page), 'remove');
      await page.keyboard.press('Enter');
      await waitFor('the link to go', async () => (await hrefs(page)).length === 0, { timeoutMs: PAGE_TIMEOUT_MS });
      assert.equal(await focused(page), 'document');
      await waitForText([page], 'Read the brief today.');
      await waitFor('the bubble to hide', async () => !(await bubble.isVisible()), { timeoutMs: 3_000 });
      assert.deepEqual(alice.pageErrors, []);
    });
  });

  it('never opens an unsafe address a peer stored, from the bubble, the keyboard or a view-only page', { timeout: 60_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const doc = await scenario.newDoc('Safe: [site](https://example.com/) here.\n');
      const peer = await scenario.peer(doc.id);
      peer.ydoc.transact(() => {
        const paragraph = new Y.XmlElement('paragraph');
        peer.fragment.insert(peer.fragment.length, [paragraph]);
        const text = new Y.XmlText();
        paragraph.insert(0, [text]);
        text.insert(0, 'Evil: ');
        text.insert(6, 'click', { link: { href: 'javascript:alert(1)', title: null } });
      });
      await peer.provider.whenSaved();
      const alice = await scenario.open(doc.editPath, 'Alice');
      const viewer = await scenario.open(doc.viewPath, 'Viewer', { typeName: false });
      await waitForText([alice.page, viewer.page], 'Safe: site here.\nEvil: click');
      await recordOpens(alice.page);
      await recordOpens(viewer.page);

      const bubble = alice.page.locator('#link-bubble');
      await alice.page.locator('#editor a:not([href])').click();
      await waitFor('the bubble to show the unsafe link', async () => ((await bubble.locator('.link-bubble-address').textContent()) ?? '').includes('Not a web address'), {
        timeoutMs: PAGE_TIMEOUT_MS,
      });
      assert.equal(await bubble.locator('[data-action="open"]').isEnabled(), false);
      await alice.page.keyboard.press('Alt+Enter');

      // A view-only page has no bubble: a plain click follows a link, when it is safe.
      await viewer.page.locator('#editor a[href]').click();
      await viewer.page.locator('#editor a:not([href])').click();
      await waitFor('the safe link to open', async () => (await opened(viewer.page)).length === 1, { timeoutMs: 3_000 });
      assert.equal(await viewer.page.locator('#link-bubble').isVisible(), false);
      assert.deepEqual((await opened(viewer.page)).map(([url]) => url), ['https://example.com/']);
      assert.deepEqual(await opened(alice.page), [], 'an unsafe link was opened');
    });
  });
});
