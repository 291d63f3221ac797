/**
 * The history panel in real Chromium: naming the current version, a preview of a version with
 * what differs from the document now marked, Restore reaching every open page, and the panel by
 * keyboard (the History button, Escape to close, focus back on the button). View links have no
 * History button. Saves e2e/artifacts/history-panel.png (and docs/screenshot-history.png with
 * UPDATE_SCREENSHOT=1).
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { caretToEndOfBlock, PAGE_TIMEOUT_MS, waitForSaved, waitForText } from '../test/support/e2e/editor-page.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { REPO_ROOT } from '../test/support/server-process.js';

const e2e = useBrowserAndServer();
const ARTIFACTS = join(REPO_ROOT, 'e2e', 'artifacts');

async function focusedId(page: Page): Promise<string> {
  return page.evaluate(() => document.activeElement?.id ?? '');
}

/** Opens the panel from the keyboard: Tab order reaches the History button, Enter opens it. */
async function openHistory(page: Page): Promise<void> {
  await page.locator('#history-button').focus();
  await page.keyboard.press('Enter');
  await page.locator('#history-dialog').waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
}

describe('the history panel', () => {
  it('names a version, previews it with changes marked, restores it on every page, by keyboard', { timeout: 120_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const doc = await scenario.newDoc('# Launch plan\n\nAgree on the date with the team.\n\nBook the big room.');
      const ana = await scenario.open(doc.editPath, 'Ana');
      const ben = await scenario.open(doc.editPath, 'Ben');
      const original = 'Launch plan\nAgree on the date with the team.\nBook the big room.';
      await waitForText([ana.page, ben.page], original);

      // Name the current version from the panel.
      await openHistory(ana.page);
      await ana.page.locator('#history-name-input').fill('Agreed plan');
      await ana.page.keyboard.press('Enter');
      await ana.page.locator('.history-item', { hasText: 'Agreed plan' }).waitFor({ timeout: PAGE_TIMEOUT_MS });
      await ana.page.keyboard.press('Escape');
      await ana.page.locator('#history-dialog').waitFor({ state: 'hidden', timeout: PAGE_TIMEOUT_MS });
      assert.equal(await focusedId(ana.page), 'history-button', 'focus returns to the History button');

      // Ben changes the plan: a word replaced, a sentence added.
      await caretToEndOfBlock(ben.page, 1);
      for (let i = 0; i < ' with the team.'.length; i++) await ben.page.keyboard.press('Backspace');
      await ben.page.keyboard.type(' alone.');
      await caretToEndOfBlock(ben.page, 2);
      await ben.page.keyboard.type(' Then cancel it.');
      const changed = 'Launch plan\nAgree on the date alone.\nBook the big room. Then cancel it.';
      await waitForText([ana.page, ben.page], changed);
      await waitForSaved(ben.page);

      // Ana previews the named version: what a restore brings back and removes is marked.
      await openHistory(ana.page);
      const item = ana.page.locator('.history-item', { hasText: 'Agreed plan' });
      await item.focus();
      await ana.page.keyboard.press('Enter');
      await ana.page.locator('.history-item[aria-pressed="true"]', { hasText: 'Agreed plan' }).waitFor({ timeout: PAGE_TIMEOUT_MS });
      const preview = ana.page.locator('.history-preview-doc');
      await preview.locator('ins').first().waitFor({ timeout: PAGE_TIMEOUT_MS });
      const inserted = (await preview.locator('ins').allTextContents()).join('|');
      const deleted = (await preview.locator('del').allTextContents()).join('|');
      assert.match(inserted, /with the team\./, `in the version only: ${inserted}`);
      assert.match(deleted, /alone\./, `in the document now only: ${deleted}`);
      assert.match(deleted, /Then cancel it\./, `in the document now only: ${deleted}`);
      assert.doesNotMatch(inserted + deleted, /Launch plan/, 'an unchanged heading is not marked');
      assert.match((await preview.locator('h1').textContent()) ?? '', /Launch plan/);

      await mkdir(ARTIFACTS, { recursive: true });
      await ana.page.mouse.move(5, 5);
      const shot = join(ARTIFACTS, 'history-panel.png');
      await ana.page.screenshot({ path: shot, animations: 'disabled' });
      if (process.env.UPDATE_SCREENSHOT === '1') await copyFile(shot, join(REPO_ROOT, 'docs', 'screenshot-history.png'));

      // Restore: both pages show the version, and the panel says it can be undone.
      await ana.page.getByRole('button', { name: 'Restore this version' }).click();
      await waitForText([ana.page, ben.page], original);
      await ana.page.locator('.history-message', { hasText: 'Restored' }).waitFor({ timeout: PAGE_TIMEOUT_MS });
      await ana.page.locator('.history-item', { hasText: 'Before a restore' }).waitFor({ timeout: PAGE_TIMEOUT_MS });
      await ana.page.keyboard.press('Escape');
      await ana.page.locator('#history-dialog').waitFor({ state: 'hidden', timeout: PAGE_TIMEOUT_MS });
      assert.equal(await focusedId(ana.page), 'history-button');
    });
  });

  it('fits a phone: the panel stays on screen, nothing is cut off, every control is a finger wide', { timeout: 60_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const doc = await scenario.newDoc('# On the go\n\nA short note.');
      const phone = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
      const person = await scenario.open(doc.editPath, 'Pia', { contextOptions: phone });
      await person.page.locator('#history-button').tap();
      await person.page.locator('#history-name-input').fill('On the train');
      await person.page.locator('.history-name .button').tap();
      await person.page.locator('.history-item', { hasText: 'On the train' }).waitFor({ timeout: PAGE_TIMEOUT_MS });
      const dialog = person.page.locator('#history-dialog');
      const box = await dialog.boundingBox();
      assert.ok(box !== null && box.x >= 0 && box.x + box.width <= 390, `the panel is wider than the screen: ${JSON.stringify(box)}`);
      assert.ok(box.y >= 0 && box.y + box.height <= 844, `the panel is taller than the screen: ${JSON.stringify(box)}`);
      const scrollsSideways = await dialog.evaluate((root) => root.scrollWidth > root.clientWidth + 1);
      assert.equal(scrollsSideways, false, 'the panel scrolls sideways');
      const small = await dialog.locator('button, input').evaluateAll((elements) =>
        elements
          .filter((element) => element.getClientRects().length > 0 && !(element as HTMLButtonElement).disabled)
          .map((element) => ({ name: element.getAttribute('aria-label') ?? element.textContent?.trim() ?? element.id, ...element.getBoundingClientRect().toJSON() as { width: number; height: number } }))
          .filter((size) => size.width < 43.5 || size.height < 43.5),
      );
      assert.deepEqual(small, [], 'controls smaller than 44 px');
    });
  });

  it('shows no History button to a view link', { timeout: 60_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const doc = await scenario.newDoc('Read only');
      const reader = await scenario.open(doc.viewPath, 'Reader', { typeName: false });
      await reader.page.waitForFunction(() => document.getElementById('history-button')?.hidden === true, undefined, { timeout: PAGE_TIMEOUT_MS });
    });
  });
});
