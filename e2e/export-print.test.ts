/**
 * Download and Print from the editor page: Markdown, HTML and the raw Yjs file, named after the
 * document's title, from edit and view-only pages; and a print that shows the document alone.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import * as Y from 'yjs';
import { PAGE_TIMEOUT_MS, waitForText } from '../test/support/e2e/editor-page.js';
import { fragmentText } from '../test/support/e2e/node-peer.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { waitFor } from '../test/support/wait.js';
import { FRAGMENT_NAME } from '../document/fragment.js';

const e2e = useBrowserAndServer();

const MARKDOWN = '# Launch plan: Q3\n\nWho does what.\n\n| Task | Owner |\n| --- | --- |\n| Notes | [Ada](https://example.com/ada) |\n';

/** Chooses `command` in the Download menu and returns the file the browser saved. */
async function download(page: Page, command: string): Promise<{ name: string; bytes: Buffer }> {
  await page.locator('#download-button').click();
  const entry = page.locator(`#download-menu [data-command="${command}"]`);
  await entry.waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: PAGE_TIMEOUT_MS }), entry.click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: await readFile(path) };
}

describe('download and print', () => {
  it('downloads Markdown, HTML and the Yjs file, named after the title, from edit and view-only pages, and says when it fails', { timeout: 60_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const doc = await scenario.newDoc(MARKDOWN);
      const alice = await scenario.open(doc.editPath, 'Alice');
      await waitForText([alice.page], 'Launch plan: Q3\nWho does what.\nTaskOwnerNotesAda');

      const markdown = await download(alice.page, 'download-md');
      assert.equal(markdown.name, 'Launch plan Q3.md');
      assert.equal(markdown.bytes.toString('utf8').trim(), MARKDOWN.trim());

      const html = await download(alice.page, 'download-html');
      assert.equal(html.name, 'Launch plan Q3.html');
      assert.match(html.bytes.toString('utf8'), /<style>[\s\S]*<table><tbody><tr><th><p>Task<\/p><\/th>/);

      const yjs = await download(alice.page, 'download-yjs');
      assert.equal(yjs.name, 'Launch plan Q3.yjs');
      const copy = new Y.Doc();
      Y.applyUpdate(copy, new Uint8Array(yjs.bytes));
      assert.match(fragmentText(copy.getXmlFragment(FRAGMENT_NAME)), /^Launch plan: Q3\nWho does what\./);
      copy.destroy();

      const viewer = await scenario.open(doc.viewPath, 'Viewer', { typeName: false });
      await waitForText([viewer.page], 'Launch plan: Q3\nWho does what.\nTaskOwnerNotesAda');
      const viewed = await download(viewer.page, 'download-md');
      assert.equal(viewed.name, 'Launch plan Q3.md');
      assert.equal(viewed.bytes.toString('utf8'), markdown.bytes.toString('utf8'));

      // A failed export is said in a sentence, not saved as a file.
      await viewer.page.route(/\/export\?format=html$/, (route) =>
        route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'storage-unavailable', message: 'Storage is down.' } }) }),
      );
      await viewer.page.locator('#download-button').click();
      await viewer.page.locator('#download-menu [data-command="download-html"]').click();
      await waitFor('the notice to say the download failed', async () => /The download failed: Storage is down\./.test((await viewer.page.locator('#notice').textContent()) ?? ''), {
        timeoutMs: PAGE_TIMEOUT_MS,
      });
      assert.deepEqual([...alice.pageErrors, ...viewer.pageErrors], []);
    });
  });

  it('prints the document alone, black on white, with link addresses written out', { timeout: 60_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const doc = await scenario.newDoc(MARKDOWN);
      const alice = await scenario.open(doc.editPath, 'Alice', { contextOptions: { colorScheme: 'dark' } });
      const page = alice.page;
      await waitForText([page], 'Launch plan: Q3\nWho does what.\nTaskOwnerNotesAda');
      await page.evaluate(() => {
        window.print = () => {
          (window as unknown as { __printed: boolean }).__printed = true;
        };
      });
      await page.locator('#download-button').click();
      await page.locator('#download-menu [data-command="print"]').click();
      await waitFor('Print to print', () => page.evaluate(() => (window as unknown as { __printed?: boolean }).__printed === true), { timeoutMs: 3_000 });

      await page.emulateMedia({ media: 'print' });
      for (const selector of ['.app-header', '#toolbar', '#notice']) {
        assert.equal(await page.locator(selector).isVisible(), false, `${selector} is printed`);
      }
      assert.equal(await page.locator('#editor .ProseMirror').isVisible(), true);
      const look = await page.locator('#editor .ProseMirror').evaluate((root) => {
        const style = getComputedStyle(root);
        const link = root.querySelector('a');
        return {
          color: style.color,
          background: getComputedStyle(document.body).backgroundColor,
          padding: style.paddingLeft,
          linkAfter: link ? getComputedStyle(link, '::after').content : '',
        };
      });
      assert.equal(look.color, 'rgb(0, 0, 0)', 'printed text is black, even from dark mode');
      assert.equal(look.background, 'rgb(255, 255, 255)');
      assert.equal(look.padding, '0px', 'the page margins come from @page, not the screen padding');
      assert.match(look.linkAfter, /example\.com\/ada/, 'link addresses are written out');
    });
  });
});
