/**
 * Records what a page ever showed: a MutationObserver installed by an init script notes whether
 * the status line ever said "All changes saved", whether the editor was ever visible, and whether
 * any of the given strings was ever visible text. For asserting that something never happened,
 * which a poll after the fact cannot see. Looks start once the document is parsed and its
 * stylesheets are in: until then nothing is painted (stylesheets block rendering), and what the
 * styles hide would count as shown.
 */
import type { BrowserContext, Page } from 'playwright-core';

export interface Sightings {
  readonly saved: boolean;
  readonly editorShown: boolean;
  /** The watched strings that were visible at some moment. */
  readonly texts: string[];
}

/** Installs the watch on every page `context` opens from now on (including reloads). */
export async function watchSightings(context: BrowserContext, strings: readonly string[]): Promise<void> {
  await context.addInitScript((watched: readonly string[]) => {
    const seen = { saved: false, editorShown: false, texts: [] as string[] };
    (window as unknown as { __sightings: typeof seen }).__sightings = seen;
    const look = (): void => {
      if (document.readyState === 'loading') return;
      const sheets = Array.from(document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]'));
      if (sheets.some((link) => link.sheet === null)) return;
      if (document.getElementById('status')?.textContent === 'All changes saved') seen.saved = true;
      const editor = document.getElementById('editor');
      if (editor !== null && editor.getClientRects().length > 0 && getComputedStyle(editor).visibility !== 'hidden') seen.editorShown = true;
      const text = document.body?.innerText ?? '';
      for (const s of watched) if (!seen.texts.includes(s) && text.includes(s)) seen.texts.push(s);
    };
    new MutationObserver(look).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    document.addEventListener('readystatechange', look);
    window.addEventListener('load', look);
  }, strings);
}

/** What the page has shown so far (see `watchSightings`). */
export async function sightings(page: Page): Promise<Sightings> {
  return page.evaluate(() => (window as unknown as { __sightings: Sightings }).__sightings);
}
