/**
 * Two people in one document: concurrent typing converges, each sees the other's named cursor,
 * and undo reverts only one's own changes.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { caretToEndOfBlock, PAGE_TIMEOUT_MS, waitForSameText, waitForText, withColor, type Person } from '../test/support/e2e/editor-page.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { REPO_ROOT } from '../test/support/server-process.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { waitFor } from '../test/support/wait.js';

const ARTIFACTS = join(REPO_ROOT, 'e2e', 'artifacts');

const e2e = useBrowserAndServer();

/** Waits until `page` shows a remote cursor labelled `name`. */
async function waitForCursorLabel(page: Page, name: string): Promise<void> {
  await waitFor(`a remote cursor labelled ${name}`, async () => {
    const labels = await page.locator('.remote-cursor .remote-cursor-label').allTextContents();
    return labels.some((label) => label.trim() === name);
  }, { timeoutMs: PAGE_TIMEOUT_MS });
}

async function presenceNames(person: Person): Promise<{ all: string[]; self: string[] }> {
  const all = await person.page.locator('#presence .peer').allTextContents();
  const self = await person.page.locator('#presence .peer.self').allTextContents();
  return { all: all.map((text) => text.trim()), self: self.map((text) => text.trim()) };
}

/**
 * Saves each person's window, and both side by side (rendered by a plain page from the two
 * PNGs) as two-people-editing.png, which is also copied to docs/screenshot.png for the README.
 */
async function saveScreenshots(browser: Browser, left: Person, right: Person): Promise<string[]> {
  await mkdir(ARTIFACTS, { recursive: true });
  const leftPath = join(ARTIFACTS, `editing-${left.name.toLowerCase()}.png`);
  const rightPath = join(ARTIFACTS, `editing-${right.name.toLowerCase()}.png`);
  // Park the mouse so no toolbar tooltip covers the picture.
  await Promise.all([left.page.mouse.move(5, 740), right.page.mouse.move(5, 740)]);
  const [leftPng, rightPng] = await Promise.all([
    left.page.screenshot({ path: leftPath, animations: 'disabled' }),
    right.page.screenshot({ path: rightPath, animations: 'disabled' }),
  ]);
  const context = await browser.newContext({ viewport: { width: 1800, height: 700 } });
  try {
    const page = await context.newPage();
    const figure = (name: string, png: Buffer): string =>
      `<figure><img src="data:image/png;base64,${png.toString('base64')}"><figcaption>${name}'s browser</figcaption></figure>`;
    await page.setContent(
      '<style>body{margin:0;padding:20px;display:flex;gap:20px;background:#d9dce3;font:15px system-ui,sans-serif}' +
        'figure{margin:0;flex:1}img{width:100%;display:block;border-radius:8px;box-shadow:0 2px 10px #0003}' +
        'figcaption{text-align:center;margin-top:8px;color:#333}</style>' +
        figure(left.name, leftPng) +
        figure(right.name, rightPng),
    );
    const bothPath = join(ARTIFACTS, 'two-people-editing.png');
    await page.screenshot({ path: bothPath, fullPage: true });
    // docs/screenshot.png is refreshed only on request, so a test run leaves the checkout clean.
    if (process.env.UPDATE_SCREENSHOT === '1') {
      await mkdir(join(REPO_ROOT, 'docs'), { recursive: true });
      await copyFile(bothPath, join(REPO_ROOT, 'docs', 'screenshot.png'));
    }
    return [bothPath, leftPath, rightPath];
  } finally {
    await context.close();
  }
}

describe('two people editing one document', () => {
  it('converges concurrent typing and shows each person the other\'s named cursor', { timeout: 90_000 }, async (t) => {
    const { browser } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const docName = (await scenario.newDoc()).id;
      // Colours of their own, so that the two people tell apart in the screenshot.
      const alice = await scenario.open(`/d/${docName}`, 'Alice', { prepare: withColor('Alice', '#6741d9') });
      const bob = await scenario.open(`/d/${docName}`, 'Bob', { prepare: withColor('Bob', '#0c8599') });

      // A heading, then one paragraph each, so the concurrent typing below cannot interleave
      // inside a word (Yjs may order two concurrent inserts at the same spot either way).
      await alice.page.locator('#editor .ProseMirror').click();
      await alice.page.keyboard.type('Launch plan');
      await alice.page.locator('#toolbar button[data-command="h1"]').click();
      assert.equal(await alice.page.locator('#toolbar button[data-command="h1"]').getAttribute('aria-pressed'), 'true');
      await caretToEndOfBlock(alice.page, 0);
      await alice.page.keyboard.press('Enter');
      await alice.page.keyboard.type('Alice:');
      await alice.page.keyboard.press('Enter');
      await alice.page.keyboard.type('Bob:');
      await waitForText([alice.page, bob.page], 'Launch plan\nAlice:\nBob:');
      assert.equal(await bob.page.locator('#editor .ProseMirror > h1').textContent(), 'Launch plan');

      await caretToEndOfBlock(alice.page, 1);
      await caretToEndOfBlock(bob.page, 2);
      const aliceWords = ' the draft is ready for review, comments welcome.';
      const bobWords = ' I will add the launch figures tonight.';
      await Promise.all([
        alice.page.keyboard.type(aliceWords, { delay: 20 }),
        bob.page.keyboard.type(bobWords, { delay: 20 }),
      ]);
      const typingEnded = Date.now();
      const expected = `Launch plan\nAlice:${aliceWords}\nBob:${bobWords}`;
      const text = await waitForSameText(
        [alice.page, bob.page],
        'both pages to show both people\'s typing',
        (shown) => shown === expected,
        PAGE_TIMEOUT_MS,
      );
      t.diagnostic(`both pages converged ${Date.now() - typingEnded} ms after the last keystroke`);
      assert.equal(text, expected);

      await waitForCursorLabel(alice.page, 'Bob');
      await waitForCursorLabel(bob.page, 'Alice');
      for (const [person, other] of [[alice, bob], [bob, alice]] as const) {
        const own = await person.page.locator('.remote-cursor-label').allTextContents();
        assert.ok(!own.map((label) => label.trim()).includes(person.name), `${person.name} sees a cursor labelled with their own name`);
        const presence = await waitFor(`${person.name}'s presence list to show both people`, async () => {
          const names = await presenceNames(person);
          return names.all.length === 2 ? names : false;
        }, { timeoutMs: PAGE_TIMEOUT_MS });
        assert.ok(presence.all.some((name) => name.includes(other.name)), `presence of ${person.name}: ${presence.all.join(', ')}`);
        assert.equal(presence.self.length, 1);
        assert.ok(presence.self[0]?.includes(person.name), `${person.name}'s own chip: ${presence.self.join(', ')}`);
      }

      const saved = await saveScreenshots(browser, alice, bob);
      t.diagnostic(`screenshots saved: ${saved.join(', ')} (UPDATE_SCREENSHOT=1 copies the first to docs/screenshot.png)`);

      assert.deepEqual([...alice.pageErrors, ...bob.pageErrors], [], 'uncaught exceptions in the pages');
    });
  });

  it('undo reverts only one\'s own last change, never the other person\'s', { timeout: 90_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const docName = (await scenario.newDoc()).id;
      const alice = await scenario.open(`/d/${docName}`, 'Alice');
      const bob = await scenario.open(`/d/${docName}`, 'Bob');
      const pages = [alice.page, bob.page];

      await alice.page.locator('#editor .ProseMirror').click();
      await alice.page.keyboard.type('Alice one.');
      await waitForText(pages, 'Alice one.');

      await caretToEndOfBlock(bob.page, 0);
      await bob.page.keyboard.press('Enter');
      await bob.page.keyboard.type('Bob two.');
      await waitForText(pages, 'Alice one.\nBob two.');

      // y-prosemirror's undo manager merges changes made less than 500 ms apart into one undo
      // step; this pause is that time passing, not a wait for something to happen.
      await new Promise((resolve) => setTimeout(resolve, 700));
      await caretToEndOfBlock(alice.page, 1);
      await alice.page.keyboard.press('Enter');
      await alice.page.keyboard.type('Alice three.');
      await waitForText(pages, 'Alice one.\nBob two.\nAlice three.');

      await alice.page.keyboard.press('ControlOrMeta+z');
      await waitForText(pages, 'Alice one.\nBob two.');

      await alice.page.keyboard.press('ControlOrMeta+Shift+z');
      await waitForText(pages, 'Alice one.\nBob two.\nAlice three.');

      await alice.page.locator('#toolbar button[data-command="undo"]').click();
      await waitForText(pages, 'Alice one.\nBob two.');

      // Bob's undo takes back his paragraph and nothing of Alice's.
      await bob.page.locator('#editor .ProseMirror').focus();
      await bob.page.keyboard.press('ControlOrMeta+z');
      await waitForText(pages, 'Alice one.');
    });
  });
});
