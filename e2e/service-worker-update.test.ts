/**
 * A new version of the app while a page is open: the page keeps working on the code it loaded,
 * the new service worker takes over, and the next load (here offline) is the new version whole,
 * with no file of the old one left in the precache.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../test/support/e2e/browser.js';
import { closePerson, createPerson, gotoEditor, PAGE_TIMEOUT_MS, waitForSaved, waitForText } from '../test/support/e2e/editor-page.js';
import { waitForServiceWorker } from '../test/support/e2e/offline-device.js';
import { REPO_ROOT } from '../test/support/server-process.js';
import { makeTempDir, startTestServer, type TestServer } from '../test/support/test-server.js';

const run = promisify(execFile);

describe('a service worker update while a page is open', () => {
  let publicDir = '';
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    // A copy of the built app of its own: the test changes it.
    publicDir = await makeTempDir('quire-public-');
    await cp(join(REPO_ROOT, 'dist', 'public'), publicDir, { recursive: true });
    server = await startTestServer({ publicDir });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await rm(publicDir, { recursive: true, force: true });
  });

  it('keeps the open page working and serves the new version whole on the next load', { timeout: 120_000 }, async () => {
    assert.ok(server !== undefined && browser !== undefined);
    const docName = await server.createDoc();
    const person = await createPerson(browser, 'Dana');
    try {
      const { page, context } = person;
      await gotoEditor(page, `${server.url}/d/${docName}`);
      await waitForServiceWorker(page);
      await page.evaluate(() => {
        (window as unknown as { controllerChanged: boolean }).controllerChanged = false;
        navigator.serviceWorker.addEventListener('controllerchange', () => {
          (window as unknown as { controllerChanged: boolean }).controllerChanged = true;
        });
      });
      await page.locator('#editor .ProseMirror').click();
      await page.keyboard.type('Before the update.');
      await waitForSaved(page);

      // Deploy a new version: a changed page and stylesheet, and the service worker built for them.
      const editorHtml = join(publicDir, 'editor.html');
      await writeFile(editorHtml, (await readFile(editorHtml, 'utf8')).replace('<head>', '<head>\n  <meta name="quire-version" content="2">'));
      await appendFile(join(publicDir, 'editor.css'), '\n/* version 2 */\n');
      await run(process.execPath, [join(REPO_ROOT, 'scripts', 'build-service-worker.mjs'), publicDir]);

      await page.evaluate(async () => {
        await (await navigator.serviceWorker.getRegistration())?.update();
      });
      await page.waitForFunction(() => (window as unknown as { controllerChanged: boolean }).controllerChanged, undefined, { timeout: PAGE_TIMEOUT_MS, polling: 100 });

      // The open page goes on with what it loaded.
      await page.keyboard.type(' Typed during the update.');
      await waitForSaved(page);
      assert.equal(await page.locator('meta[name="quire-version"]').count(), 0, 'the open page changed under the person');

      // The next load is the new version, served whole by the new service worker even offline.
      await context.setOffline(true);
      await page.reload({ timeout: PAGE_TIMEOUT_MS });
      await page.locator('#editor .ProseMirror').waitFor({ timeout: PAGE_TIMEOUT_MS });
      assert.equal(await page.locator('meta[name="quire-version"]').getAttribute('content'), '2');
      await waitForText([page], 'Before the update. Typed during the update.');

      const precached = await page.evaluate(async () => {
        const urls: string[] = [];
        for (const name of await caches.keys()) for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
        return urls;
      });
      const css = precached.filter((url) => new URL(url).pathname === '/editor.css');
      const html = precached.filter((url) => new URL(url).pathname === '/editor.html');
      assert.equal(css.length, 1, `old and new stylesheets are both cached: ${css.join(', ')}`);
      assert.equal(html.length, 1, `old and new pages are both cached: ${html.join(', ')}`);
      const swSource = await readFile(join(publicDir, 'sw.js'), 'utf8');
      const revision = new URL(css[0]!).searchParams.get('__WB_REVISION__');
      assert.ok(revision !== null && swSource.includes(`url:"/editor.css",revision:"${revision}"`), 'the cached stylesheet is not the new version');
    } finally {
      await closePerson(person);
    }
  });
});
