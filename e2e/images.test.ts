/**
 * Pictures in the editor, in real Chromium against the real server: chosen with the toolbar,
 * pasted as a file, their alt text edited, seen by the others (a view link too), kept on the
 * device while offline and uploaded when the connection returns; pictures in pasted HTML from
 * elsewhere never loaded. The last test makes the README's picture of a table with an image.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { caretToEndOfBlock, PAGE_TIMEOUT_MS, shownText, waitForSaved, withColor } from '../test/support/e2e/editor-page.js';
import { flushIndexedDb } from '../test/support/e2e/page-actions.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { SocketSwitch } from '../test/support/e2e/socket-switch.js';
import { makePng } from '../test/support/png.js';
import type { QuireWindow } from '../test/support/e2e/page-types.js';
import { saveScreenshot } from '../test/support/e2e/screenshot.js';
import { waitFor } from '../test/support/wait.js';

/** A small picture budget per document, so that a refusal is easy to cause. */
const PICTURE_BUDGET = 16 * 1024;
const e2e = useBrowserAndServer({ env: { MAX_IMAGE_BYTES_PER_DOC: String(PICTURE_BUDGET) } });
/** Retries of an upload back off up to 30 s; a reconnect also starts them. */
const UPLOAD_TIMEOUT_MS = 45_000;

const blobId = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('base64url');

/** Chooses `png` with the toolbar's Picture button. */
async function pickPicture(page: Page, png: Buffer, name = 'chart.png'): Promise<void> {
  const chooser = page.waitForEvent('filechooser', { timeout: PAGE_TIMEOUT_MS });
  await page.locator('#toolbar button[data-command="image"]').click();
  await (await chooser).setFiles({ name, mimeType: 'image/png', buffer: png });
}

/** Pastes into the editor the way the browser delivers a paste: `data` by type, and files. */
async function paste(page: Page, data: Record<string, string>, files: Array<{ name: string; bytes: number[] }> = []): Promise<void> {
  await page.evaluate(
    ([entries, pasted]) => {
      const target = document.querySelector('#editor .ProseMirror');
      if (target === null) throw new Error('no editor to paste into');
      const transfer = new DataTransfer();
      for (const [type, value] of Object.entries(entries)) transfer.setData(type, value);
      for (const file of pasted) transfer.items.add(new File([new Uint8Array(file.bytes)], file.name, { type: 'image/png' }));
      target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
    },
    [data, files] as const,
  );
}

/** The pictures the editor shows: their address, alt text, whether they loaded, and the upload state. */
async function shownImages(page: Page): Promise<Array<{ src: string; alt: string; loaded: boolean; upload: string }>> {
  return page.locator('#editor .ProseMirror').evaluate((root) =>
    Array.from(root.querySelectorAll<HTMLImageElement>('.image img')).map((img) => ({
      src: img.getAttribute('src') ?? '',
      alt: img.alt,
      loaded: img.complete && img.naturalWidth > 0,
      upload: (img.closest('.image') as HTMLElement | null)?.dataset['upload'] ?? '',
    })),
  );
}

async function waitForImages(page: Page, what: string, check: (images: Awaited<ReturnType<typeof shownImages>>) => boolean, timeoutMs = PAGE_TIMEOUT_MS): Promise<void> {
  let last: unknown = null;
  try {
    await waitFor(what, async () => {
      const images = await shownImages(page);
      last = images;
      return check(images);
    }, { timeoutMs });
  } catch (error) {
    const notice = await page.locator('#notice').innerText({ timeout: 1000 }).catch(() => '');
    throw new Error(`${(error as Error).message}\nThe page showed ${JSON.stringify(last)}; its notice: ${JSON.stringify(notice)}`);
  }
}

/** The pictures waiting in this page's IndexedDB queue for its document. */
async function queuedPictures(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('quire-images');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('pending')) return resolve(0);
          const count = db.transaction('pending', 'readonly').objectStore('pending').count();
          count.onsuccess = () => {
            resolve(count.result);
            db.close();
          };
        };
      }),
  );
}

describe('pictures', () => {
  it('a picture chosen from the toolbar is uploaded, seen by an editor and a view link, and its alt text edited', { timeout: 90_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const doc = await scenario.newDoc('A chart:\n');
      const alice = await scenario.open(doc.editPath, 'Alice');
      const bob = await scenario.open(doc.editPath, 'Bob');
      const viewer = await scenario.open(doc.viewPath, 'Viewer', { typeName: false });
      const png = makePng({ width: 120, height: 80 });
      const id = blobId(png);

      await caretToEndOfBlock(alice.page, 0);
      await pickPicture(alice.page, png);
      await waitForImages(alice.page, 'Alice\'s picture to be uploaded', (images) => images.length === 1 && images[0]!.loaded && images[0]!.upload === 'done');

      // Inserted pictures are selected, with their alt text field ready.
      const altField = alice.page.locator('#editor .image-alt');
      await altField.waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
      await altField.fill('Sales by month');
      await altField.press('Enter');

      await waitForImages(bob.page, 'Bob to see the picture', (images) => images.length === 1 && images[0]!.loaded && images[0]!.alt === 'Sales by month');
      assert.equal((await shownImages(bob.page))[0]!.src, `/api/docs/${doc.id}/blobs/${id}`);
      await waitForImages(viewer.page, 'the view link to see the picture', (images) => images.length === 1 && images[0]!.loaded && images[0]!.alt === 'Sales by month');
      const viewerSrc = (await shownImages(viewer.page))[0]!.src;
      assert.ok(viewerSrc.endsWith(`/blobs/${id}`) && !viewerSrc.includes(doc.id), `a view page never uses the document id: ${viewerSrc}`);
      assert.equal(await viewer.page.locator('#editor .image-alt:visible').count(), 0);

      // The server has the very bytes, and the page's policy allows pictures only from itself.
      const stored = await fetch(`${server.url}/api/docs/${doc.id}/blobs/${id}`);
      assert.deepEqual(new Uint8Array(await stored.arrayBuffer()), new Uint8Array(png));
      const page = await fetch(`${server.url}${doc.editPath}`);
      assert.match(page.headers.get('content-security-policy') ?? '', /img-src 'self' data: blob:(;|$)/);
      await waitForSaved(alice.page);
      assert.equal(await queuedPictures(alice.page), 0, 'an uploaded picture leaves the queue');

      // A version's preview in the history panel shows the picture too.
      await alice.page.locator('#history-button').click();
      await alice.page.locator('#history-name-input').fill('With the chart');
      await alice.page.keyboard.press('Enter');
      await alice.page.locator('.history-item', { hasText: 'With the chart' }).click();
      const previewed = alice.page.locator('.history-preview-doc img');
      await previewed.waitFor({ timeout: PAGE_TIMEOUT_MS });
      await waitFor('the previewed picture to load', () => previewed.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth === 120), { timeoutMs: PAGE_TIMEOUT_MS });
      assert.equal(await previewed.getAttribute('src'), `/api/docs/${doc.id}/blobs/${id}`);
      assert.equal(await previewed.getAttribute('alt'), 'Sales by month');
      assert.deepEqual([...alice.pageErrors, ...bob.pageErrors, ...viewer.pageErrors], []);
    });
  });

  it('pasted and dropped picture files are added; pictures in pasted HTML from elsewhere become their alt text, a pasted address stays text, and nothing is fetched', { timeout: 60_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const doc = await scenario.newDoc('Pasted:\n');
      const outside: string[] = [];
      const watchOutside = async (context: BrowserContext): Promise<void> => {
        await context.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => {
          outside.push(route.request().url());
          return route.abort();
        });
      };
      const alice = await scenario.open(doc.editPath, 'Alice', { prepare: watchOutside });
      await caretToEndOfBlock(alice.page, 0);
      const png = makePng({ width: 30, height: 30, color: [230, 119, 0] });
      await paste(alice.page, {}, [{ name: 'pasted.png', bytes: [...png] }]);
      await waitForImages(alice.page, 'the pasted picture to be uploaded', (images) => images.length === 1 && images[0]!.loaded && images[0]!.upload === 'done');

      await caretToEndOfBlock(alice.page, 0); // off the pasted picture, which is selected: a paste would replace it
      await paste(alice.page, {
        'text/html': '<p>See <img src="https://cats.example/cat.png" alt="a sleeping cat"> and <img src="https://cats.example/pixel.gif"> here</p>',
        'text/plain': 'See a sleeping cat here',
      });
      await waitFor('the alt text to be pasted', async () => (await shownText(alice.page)).includes('a sleeping cat'), { timeoutMs: PAGE_TIMEOUT_MS });

      // A picture's address pasted as text stays text.
      await caretToEndOfBlock(alice.page, 0);
      await paste(alice.page, { 'text/plain': ' https://cats.example/big-cat.png' });
      await waitFor('the address to be pasted', async () => (await shownText(alice.page)).includes('https://cats.example/big-cat.png'), { timeoutMs: PAGE_TIMEOUT_MS });

      // A dropped file is added where it is dropped.
      const dropped = makePng({ width: 20, height: 20, color: [201, 42, 42] });
      const box = await alice.page.locator('#editor .ProseMirror p').first().boundingBox();
      if (box === null) throw new Error('the first paragraph is not on screen');
      const dropRefused = await alice.page.evaluate(
        ([bytes, x, y]) => {
          const target = document.querySelector('#editor .ProseMirror p');
          if (target === null) throw new Error('no paragraph to drop on');
          const data = new DataTransfer();
          data.items.add(new File([new Uint8Array(bytes)], 'dropped.png', { type: 'image/png' }));
          const notHandled = target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, clientX: x, clientY: y, bubbles: true, cancelable: true }));
          return notHandled ? `not handled at (${x}, ${y}): ${document.elementFromPoint(x, y)?.outerHTML.slice(0, 200)}` : null;
        },
        [[...dropped], box.x + 4, box.y + box.height / 2] as const,
      );
      assert.equal(dropRefused, null, 'the editor took the drop');
      await waitForImages(alice.page, 'the dropped picture to be uploaded', (images) => images.length === 2 && images.every((image) => image.loaded && image.upload === 'done'));
      assert.ok((await shownText(alice.page)).startsWith('Pasted'), 'the drop did not replace the text');
      assert.deepEqual(outside, [], 'nothing was fetched from another site');
      assert.deepEqual(alice.pageErrors, []);
    });
  });

  it('a picture added offline is kept on the device across a reload and uploaded when the connection returns', { timeout: 120_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const doc = await scenario.newDoc('Offline picture:\n');
      const network = new SocketSwitch();
      let uploadsCut = false;
      const prepare = async (context: BrowserContext): Promise<void> => {
        await network.install(context);
        await context.route(/\/api\/docs\/[^/]+\/blobs$/, (route) => (uploadsCut ? route.abort('internetdisconnected') : route.continue()));
      };
      const alice = await scenario.open(doc.editPath, 'Alice', { prepare });
      const bob = await scenario.open(doc.editPath, 'Bob');

      await network.cut();
      uploadsCut = true;
      await caretToEndOfBlock(alice.page, 0);
      const png = makePng({ width: 64, height: 48, color: [47, 158, 68] });
      await pickPicture(alice.page, png, 'offline.png');
      await waitForImages(alice.page, 'the picture to show from the device, waiting', (images) => images.length === 1 && images[0]!.loaded && images[0]!.src.startsWith('blob:') && images[0]!.upload === 'waiting');
      assert.match(await alice.page.locator('#editor .image-status').innerText(), /Waiting for the connection/);
      assert.equal(await queuedPictures(alice.page), 1);

      // A reload while still offline: the document comes from IndexedDB, and so does the picture.
      await flushIndexedDb(alice.page);
      await alice.page.reload({ timeout: PAGE_TIMEOUT_MS });
      await alice.page.locator('#editor .ProseMirror').waitFor({ timeout: PAGE_TIMEOUT_MS });
      await waitForImages(alice.page, 'the picture to come back from the device after the reload', (images) => images.length === 1 && images[0]!.loaded && images[0]!.src.startsWith('blob:'));
      assert.equal((await shownImages(bob.page)).length, 0, 'the cut let Alice\'s picture through');

      network.restore();
      uploadsCut = false;
      await waitForImages(bob.page, 'Bob to see the picture once Alice is back', (images) => images.length === 1 && images[0]!.loaded, UPLOAD_TIMEOUT_MS);
      await waitForImages(alice.page, 'Alice\'s upload to finish', (images) => images[0]?.upload === 'done', UPLOAD_TIMEOUT_MS);
      assert.equal(await queuedPictures(alice.page), 0);
      assert.deepEqual([...alice.pageErrors, ...bob.pageErrors], []);
    });
  });

  it('a picture copied from one document and pasted into another is brought over to it, waiting out a refusal for too many requests', { timeout: 60_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const from = await scenario.newDoc('From here:\n');
      const to = await scenario.newDoc('To there:\n');
      const alice = await scenario.open(from.editPath, 'Alice');
      await caretToEndOfBlock(alice.page, 0);
      const png = makePng({ width: 50, height: 30, color: [12, 133, 153] });
      await pickPicture(alice.page, png, 'copied.png');
      await waitForImages(alice.page, 'the first document\'s picture to be uploaded', (images) => images.length === 1 && images[0]!.upload === 'done');
      // What the editor puts on the clipboard for the selected picture (the copy event's HTML).
      const copied = await alice.page.evaluate(() => {
        const view = (window as unknown as QuireWindow).quire!.view;
        const serializer = view.someProp('clipboardSerializer');
        if (serializer === undefined) throw new Error('the editor has no clipboard serializer');
        const holder = document.createElement('div');
        holder.append(serializer.serializeFragment(view.state.selection.content().content));
        return holder.innerHTML;
      });
      assert.ok(!copied.includes(' src='), `the clipboard carries no address another application would load: ${copied}`);

      const bob = await scenario.open(to.editPath, 'Bob');
      // The server refuses the copy's first look at each document's picture as too many requests
      // (as its per-address limit would during a paste of many pictures): the copy waits it out.
      const copyCheck = `HEAD /api/docs/${to.id}/blobs/${blobId(png)}`;
      const copyRead = `GET /api/docs/${from.id}/blobs/${blobId(png)}`;
      const refused: string[] = [];
      const asked: string[] = [];
      await bob.page.route(`**/api/docs/*/blobs/${blobId(png)}*`, async (route) => {
        const request = route.request();
        const what = `${request.method()} ${new URL(request.url()).pathname}`;
        asked.push(what);
        if (refused.includes(what) || (what !== copyCheck && what !== copyRead)) return route.continue();
        refused.push(what);
        await route.fulfill({ status: 429, headers: { 'Retry-After': '1' }, contentType: 'application/json', body: '{"error":{"code":"rate-limited","message":"Too many requests"}}' });
      });
      await caretToEndOfBlock(bob.page, 0);
      await paste(bob.page, { 'text/html': copied, 'text/plain': '' });
      await waitForImages(bob.page, 'the copied picture to be brought over', (images) => images.length === 1 && images[0]!.loaded && images[0]!.upload === 'done');
      assert.deepEqual(refused, [copyCheck, copyRead], 'the copy\'s check and its read were each refused once');
      assert.deepEqual([copyCheck, copyRead].map((what) => asked.filter((each) => each === what).length), [2, 2], `each asked again after its refusal: ${asked.join(', ')}`);
      const stored = await fetch(`${scenario.server.url}/api/docs/${to.id}/blobs/${blobId(png)}`);
      assert.equal(stored.status, 200, 'the second document holds the picture itself');
      assert.deepEqual([...alice.pageErrors, ...bob.pageErrors], []);
    });
  });

  it('a picture the server refuses leaves the document again, and the person is told why', { timeout: 60_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const doc = await scenario.newDoc('Too much:\n');
      const alice = await scenario.open(doc.editPath, 'Alice');
      const bob = await scenario.open(doc.editPath, 'Bob');
      await caretToEndOfBlock(alice.page, 0);
      const noise = makePng({ width: 80, height: 80, noiseSeed: 7 });
      assert.ok(noise.length > PICTURE_BUDGET);
      await pickPicture(alice.page, noise, 'noise.png');
      await alice.page.locator('#notice').filter({ hasText: 'The picture was not added' }).waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
      assert.match(await alice.page.locator('#notice').innerText(), /pictures may take 16 KiB together/);
      await waitForImages(alice.page, 'the refused picture to leave Alice\'s page', (images) => images.length === 0);
      await waitForSaved(alice.page);
      await waitForImages(bob.page, 'the refused picture to leave Bob\'s page', (images) => images.length === 0);
      assert.equal(await shownText(bob.page), 'Too much:');
      assert.deepEqual([...alice.pageErrors, ...bob.pageErrors], []);
    });
  });

  it('a picture in a table cell, filled in by two people (and the picture of it for the README)', { timeout: 90_000 }, async (t) => {
    await runScenario(e2e(), async (scenario) => {
      const doc = await scenario.newDoc(
        '# Launch checklist\n\nWho does what before Friday, with the chart for the release notes.\n\n' +
          '| Task | Owner | Chart |\n|---|---|---|\n| Write the release notes | Alice | |\n| Check the download page | Bob | |\n',
      );
      const alice = await scenario.open(doc.editPath, 'Alice', { contextOptions: { viewport: { width: 1100, height: 640 } }, prepare: withColor('Alice', '#6741d9') });
      const bob = await scenario.open(doc.editPath, 'Bob', { prepare: withColor('Bob', '#0c8599') });
      await alice.page.locator('#editor tr').nth(1).locator('td').nth(2).click();
      await pickPicture(alice.page, makePng({ width: 240, height: 120, bars: [0.35, 0.42, 0.4, 0.55, 0.63, 0.78, 0.92] }), 'downloads.png');
      await waitForImages(alice.page, 'the picture in the cell to be uploaded', (images) => images.length === 1 && images[0]!.loaded && images[0]!.upload === 'done');
      await alice.page.locator('#editor .image-alt').fill('Downloads per day, rising');
      await alice.page.locator('#editor .image-alt').press('Enter');
      assert.equal(await alice.page.locator('#editor tr').nth(1).locator('td').nth(2).locator('.image img').count(), 1, 'the picture is in the cell');

      await bob.page.locator('#editor tr').nth(2).locator('td').nth(2).click();
      await bob.page.keyboard.type('Tomorrow', { delay: 15 });
      await waitForImages(bob.page, 'Bob to see the picture in the table', (images) => images.length === 1 && images[0]!.loaded && images[0]!.alt === 'Downloads per day, rising');
      await waitFor('Alice to see Bob\'s text', async () => (await shownText(alice.page)).includes('Tomorrow'), { timeoutMs: PAGE_TIMEOUT_MS });

      await alice.page.locator('.remote-cursor-label', { hasText: 'Bob' }).waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
      await saveScreenshot(alice.page, 'table-image.png', 'screenshot-table-image.png', (message) => t.diagnostic(message));
      assert.deepEqual([...alice.pageErrors, ...bob.pageErrors], []);
    });
  });
});
