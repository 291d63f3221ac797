/**
 * Helpers for the offline-first browser tests: the service worker taking control of a page, the
 * browser's whole context going offline (`context.setOffline`), and what this device keeps.
 */
import type { Page } from 'playwright-core';
import { PAGE_TIMEOUT_MS } from './editor-page.js';

/** Waits until the page is controlled by an active service worker (its shell is then cached). */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null && navigator.serviceWorker.controller.state === 'activated', undefined, {
    timeout: PAGE_TIMEOUT_MS,
    polling: 100,
  });
}

/** The document names this browser keeps an IndexedDB copy of. */
export async function keptCopies(page: Page): Promise<string[]> {
  return page.evaluate(async () =>
    (await indexedDB.databases()).flatMap((db) => (db.name?.startsWith('quire:') ? [db.name.slice('quire:'.length)] : [])).sort(),
  );
}

/** The text of the notice bar, '' when it is hidden. */
export async function noticeText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const notice = document.getElementById('notice');
    return notice === null || notice.hidden ? '' : (notice.textContent ?? '').trim();
  });
}
