/**
 * The README's pictures, made by the browser tests: a screenshot of a page is written to
 * e2e/artifacts/ on every run, and copied into docs/ only with UPDATE_SCREENSHOT=1, so that a
 * test run leaves the checkout clean.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../server-process.js';

const ARTIFACTS = join(REPO_ROOT, 'e2e', 'artifacts');

/**
 * Saves what `page` shows as e2e/artifacts/`artifact` (the pointer moved out of the way first)
 * and, with UPDATE_SCREENSHOT=1, as docs/`docsFile`; `note` hears where it went.
 */
export async function saveScreenshot(page: Page, artifact: string, docsFile: string, note: (message: string) => void): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.mouse.move(5, 600);
  const shot = join(ARTIFACTS, artifact);
  await page.screenshot({ path: shot, animations: 'disabled' });
  if (process.env.UPDATE_SCREENSHOT === '1') await copyFile(shot, join(REPO_ROOT, 'docs', docsFile));
  note(`screenshot saved: ${shot} (UPDATE_SCREENSHOT=1 copies it to docs/${docsFile})`);
}
