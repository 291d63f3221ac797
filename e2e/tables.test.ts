/**
 * Tables: pasted from other editors and web pages, inserted and edited from the toolbar, moved
 * through with the keyboard, and shared with the other people in the document.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createDoc } from '../test/support/e2e/api.js';
import { caretToEndOfBlock, PAGE_TIMEOUT_MS, withColor } from '../test/support/e2e/editor-page.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { saveScreenshot } from '../test/support/e2e/screenshot.js';
import { waitFor } from '../test/support/wait.js';

const e2e = useBrowserAndServer();

/** Pastes `html` at the caret the way the browser delivers a paste. */
async function pasteHtml(page: Page, html: string, plain: string): Promise<void> {
  await page.evaluate(
    ([markup, text]) => {
      const target = document.querySelector('#editor .ProseMirror');
      if (target === null) throw new Error('no editor to paste into');
      const data = new DataTransfer();
      data.setData('text/html', markup);
      data.setData('text/plain', text);
      target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    },
    [html, plain] as const,
  );
}

/** The tables the page shows, as rows of `th:text` / `td:text` cells (other people's carets left out). */
async function shownTables(page: Page): Promise<string[][][]> {
  return page.locator('#editor .ProseMirror').evaluate((shown) => {
    const root = shown.cloneNode(true) as HTMLElement;
    for (const caret of Array.from(root.querySelectorAll('.remote-cursor'))) caret.remove();
    return Array.from(root.querySelectorAll('table')).map((table) =>
      Array.from(table.querySelectorAll('tr')).map((row) =>
        Array.from(row.children).map((cell) => `${cell.tagName.toLowerCase()}:${(cell.textContent ?? '').trim()}`),
      ),
    );
  });
}

async function waitForTables(page: Page, expected: string[][][]): Promise<void> {
  let shown: string[][][] = [];
  try {
    await waitFor(`the page to show the tables ${JSON.stringify(expected)}`, async () => {
      shown = await shownTables(page);
      return JSON.stringify(shown) === JSON.stringify(expected);
    }, { timeoutMs: PAGE_TIMEOUT_MS });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nThe page showed ${JSON.stringify(shown)}`);
  }
}

describe('tables', () => {
  it('a pasted HTML table stays a table, for the person who pasted and for the others', { timeout: 60_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const doc = await createDoc(server.url, 'Before the table.\n');
      const alice = await scenario.open(doc.editPath, 'Alice');
      const bob = await scenario.open(doc.editPath, 'Bob');
      await caretToEndOfBlock(alice.page, 0);
      await pasteHtml(
        alice.page,
        '<table><thead><tr><th>H1</th><th>H2</th></tr></thead><tbody><tr><td>c1</td><td>c2</td></tr></tbody></table>',
        'H1\tH2\nc1\tc2',
      );
      const expected = [[['th:H1', 'th:H2'], ['td:c1', 'td:c2']]];
      await waitForTables(alice.page, expected);
      await waitForTables(bob.page, expected);
      assert.deepEqual(alice.pageErrors, []);
    });
  });
});

/** Opens the Table menu of the toolbar and chooses `command` in it. */
async function tableMenu(page: Page, command: string): Promise<void> {
  await page.locator('#toolbar button[data-command="table"]').click();
  const entry = page.locator(`#toolbar-item-menu [data-command="${command}"]`);
  await entry.waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
  assert.equal(await entry.isEnabled(), true, `${command} is disabled`);
  await entry.click();
}

describe('editing tables', () => {
  it('inserts a table from the toolbar, moves through it with Tab, Shift-Tab and arrows, and edits rows, columns and the header row', { timeout: 90_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const doc = await createDoc(server.url, 'Plan\n');
      const alice = await scenario.open(doc.editPath, 'Alice');
      const bob = await scenario.open(doc.editPath, 'Bob');
      const page = alice.page;
      await caretToEndOfBlock(page, 0);
      await tableMenu(page, 'insert-table');
      await waitForTables(page, [[['th:', 'th:', 'th:'], ['td:', 'td:', 'td:'], ['td:', 'td:', 'td:']]]);

      // The caret is in the first cell: type, Tab across, Tab into the next row, Shift-Tab back.
      await page.keyboard.type('Name');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Role');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Due');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Ada');
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('End');
      await page.keyboard.type(' date');
      // Down from the header's last cell, then Tab past the last cell adds a row.
      await page.keyboard.press('ArrowDown');
      await page.keyboard.type('Monday');
      for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
      await page.keyboard.type('Grace');
      await waitForTables(page, [[['th:Name', 'th:Role', 'th:Due date'], ['td:Ada', 'td:', 'td:Monday'], ['td:', 'td:', 'td:'], ['td:Grace', 'td:', 'td:']]]);

      // Rows and columns from the Table menu, around the cell the caret is in.
      const cell = (text: string) => page.locator('#editor td, #editor th').filter({ hasText: text });
      const cellAt = (row: number, column: number) => page.locator('#editor tr').nth(row).locator('td, th').nth(column);
      await tableMenu(page, 'delete-row');
      await waitForTables(page, [[['th:Name', 'th:Role', 'th:Due date'], ['td:Ada', 'td:', 'td:Monday'], ['td:', 'td:', 'td:']]]);
      await cell('Ada').click();
      await page.keyboard.press('End');
      await page.keyboard.type('!');
      await tableMenu(page, 'add-column-after');
      await waitForTables(page, [[['th:Name', 'th:', 'th:Role', 'th:Due date'], ['td:Ada!', 'td:', 'td:', 'td:Monday'], ['td:', 'td:', 'td:', 'td:']]]);
      await cellAt(1, 1).click();
      await tableMenu(page, 'delete-column');
      await cell('Monday').click();
      await tableMenu(page, 'add-row-before');
      await waitForTables(page, [[['th:Name', 'th:Role', 'th:Due date'], ['td:', 'td:', 'td:'], ['td:Ada!', 'td:', 'td:Monday'], ['td:', 'td:', 'td:']]]);
      await cellAt(1, 0).click();
      await tableMenu(page, 'delete-row');
      await cell('Monday').click();
      await tableMenu(page, 'add-column-before');
      await waitForTables(page, [[['th:Name', 'th:Role', 'th:', 'th:Due date'], ['td:Ada!', 'td:', 'td:', 'td:Monday'], ['td:', 'td:', 'td:', 'td:']]]);
      await cellAt(1, 2).click();
      await tableMenu(page, 'delete-column');

      // The header row goes off and on again; the menu shows its state.
      await tableMenu(page, 'toggle-header-row');
      await waitForTables(page, [[['td:Name', 'td:Role', 'td:Due date'], ['td:Ada!', 'td:', 'td:Monday'], ['td:', 'td:', 'td:']]]);
      await page.locator('#toolbar button[data-command="table"]').click();
      assert.equal(await page.locator('#toolbar-item-menu [data-command="toggle-header-row"]').getAttribute('aria-checked'), 'false');
      await page.keyboard.press('Escape');
      await tableMenu(page, 'toggle-header-row');
      const final = [[['th:Name', 'th:Role', 'th:Due date'], ['td:Ada!', 'td:', 'td:Monday'], ['td:', 'td:', 'td:']]];
      await waitForTables(page, final);
      await waitForTables(bob.page, final);

      // Out of a table, the menu only inserts; Delete table removes the whole table.
      await tableMenu(page, 'delete-table');
      await waitFor('the table to be gone', async () => (await shownTables(page)).length === 0, { timeoutMs: PAGE_TIMEOUT_MS });
      await page.locator('#toolbar button[data-command="table"]').click();
      assert.equal(await page.locator('#toolbar-item-menu [data-command="add-row-after"]').isEnabled(), false);
      assert.equal(await page.locator('#toolbar-item-menu [data-command="insert-table"]').isEnabled(), true);
      await page.keyboard.press('Escape');
      assert.deepEqual([...alice.pageErrors, ...bob.pageErrors], []);
    });
  });

  it('two people fill in one table together (and the picture of it for the README)', { timeout: 90_000 }, async (t) => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const doc = await createDoc(server.url, '# Launch checklist\n\nWho does what before Friday.\n');
      const alice = await scenario.open(doc.editPath, 'Alice', { contextOptions: { viewport: { width: 1100, height: 640 } }, prepare: withColor('Alice', '#6741d9') });
      const bob = await scenario.open(doc.editPath, 'Bob', { prepare: withColor('Bob', '#0c8599') });
      await caretToEndOfBlock(alice.page, 1);
      await tableMenu(alice.page, 'insert-table');
      await alice.page.keyboard.type('Task');
      await alice.page.keyboard.press('Tab');
      await alice.page.keyboard.type('Owner');
      await alice.page.keyboard.press('Tab');
      await alice.page.keyboard.type('Status');
      await waitForTables(bob.page, [[['th:Task', 'th:Owner', 'th:Status'], ['td:', 'td:', 'td:'], ['td:', 'td:', 'td:']]]);

      // Alice fills the first row while Bob fills the second.
      await alice.page.keyboard.press('Tab');
      const bobCell = bob.page.locator('#editor td').nth(3);
      await bobCell.click();
      await Promise.all([
        (async () => {
          for (const [i, text] of ['Write the release notes', 'Alice', 'Done'].entries()) {
            if (i > 0) await alice.page.keyboard.press('Tab');
            await alice.page.keyboard.type(text, { delay: 15 });
          }
        })(),
        (async () => {
          for (const [i, text] of ['Check the download page', 'Bob', 'In review'].entries()) {
            if (i > 0) await bob.page.keyboard.press('Tab');
            await bob.page.keyboard.type(text, { delay: 15 });
          }
        })(),
      ]);
      const expected = [[
        ['th:Task', 'th:Owner', 'th:Status'],
        ['td:Write the release notes', 'td:Alice', 'td:Done'],
        ['td:Check the download page', 'td:Bob', 'td:In review'],
      ]];
      await waitForTables(alice.page, expected);
      await waitForTables(bob.page, expected);

      await alice.page.locator('.remote-cursor-label', { hasText: 'Bob' }).waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
      await saveScreenshot(alice.page, 'table.png', 'screenshot-table.png', (message) => t.diagnostic(message));
      assert.deepEqual([...alice.pageErrors, ...bob.pageErrors], []);
    });
  });
});
