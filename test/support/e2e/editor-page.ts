/**
 * Helpers to drive the editor page as a person would: one browser context per person, their
 * name typed into `#name-input`, text read from what the page shows.
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { QuireWindow } from './page-types.js';
import { waitFor } from '../wait.js';

/** A wait for something a page must do by itself (sync, reconnect, render). */
export const PAGE_TIMEOUT_MS = 15_000;

export interface Person {
  readonly name: string;
  readonly context: BrowserContext;
  page: Page;
  /** Uncaught page exceptions and console errors, for failure messages. */
  readonly problems: string[];
  /** Uncaught page exceptions only: these are bugs in the page. */
  readonly pageErrors: string[];
}

export interface OpenOptions {
  /** Extra context options, e.g. `bypassCSP`. */
  readonly contextOptions?: BrowserContextOptions;
  /** Runs on the new context before the page opens (routes, init scripts). */
  readonly prepare?: (context: BrowserContext) => Promise<void>;
  /** Wait until the provider reports `synced` (default true). */
  readonly waitForSync?: boolean;
  /** Type the person's name into #name-input (default true). */
  readonly typeName?: boolean;
}

/**
 * A new browser context for a person. The init script defines `__name`: tsx compiles the
 * callbacks we pass to `page.evaluate` with esbuild's keepNames, which wraps inner named
 * functions in `__name(...)`, a helper that does not exist in the page.
 */
export async function newPersonContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, ...options });
  await context.addInitScript('window.__name = window.__name || ((fn) => fn);');
  return context;
}

/** Records what goes wrong in `page`, so a failing test can say more than "timed out". */
export function watchPage(page: Page, person: Pick<Person, 'name' | 'problems' | 'pageErrors'>): void {
  page.on('pageerror', (error) => {
    person.pageErrors.push(`${person.name}: ${error.message}`);
    person.problems.push(`${person.name} page error: ${error.stack ?? error.message}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') person.problems.push(`${person.name} console: ${message.text()}`);
  });
}

/** A new person: their own browser context and one page, watched for errors; nothing opened yet. */
export async function createPerson(browser: Browser, name: string, options: OpenOptions = {}): Promise<Person> {
  const context = await newPersonContext(browser, options.contextOptions);
  try {
    if (options.prepare) await options.prepare(context);
    const page = await context.newPage();
    const person: Person = { name, context, page, problems: [], pageErrors: [] };
    watchPage(page, person);
    return person;
  } catch (error) {
    await context.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Opens `url` in `person`'s page and waits until it is synced. The name is typed into
 * #name-input unless `options.typeName` is false (then `name` only labels the person in messages).
 */
export async function openEditorAs(person: Person, url: string, options: OpenOptions = {}): Promise<void> {
  await gotoEditor(person.page, url, options.waitForSync ?? true);
  if (options.typeName ?? true) await setName(person.page, person.name);
}

/** Navigates to an editor URL and waits for the editor (and, by default, for the first sync). */
export async function gotoEditor(page: Page, url: string, waitForSync = true): Promise<void> {
  await page.goto(url, { timeout: PAGE_TIMEOUT_MS });
  await page.locator('#editor .ProseMirror').waitFor({ timeout: PAGE_TIMEOUT_MS });
  if (waitForSync) await waitForProviderStatus(page, 'synced');
}

/** Waits until `window.quire.provider.status` is `status`. */
export async function waitForProviderStatus(page: Page, status: string, timeout = PAGE_TIMEOUT_MS): Promise<void> {
  await page.waitForFunction(
    (wanted) => (window as unknown as QuireWindow).quire?.provider.status === wanted,
    status,
    { timeout, polling: 50 },
  );
}

/** Types `name` into #name-input and commits it (Enter fires `change`; the input event already fired). */
export async function setName(page: Page, name: string): Promise<void> {
  const input = page.locator('#name-input');
  await input.fill(name, { timeout: PAGE_TIMEOUT_MS });
  await input.press('Enter');
  await input.evaluate((element) => (element as HTMLInputElement).blur());
}

/**
 * The document text the page shows: one line per top-level block, without the remote cursor
 * widgets (whose labels are text too) and without trailing breaks ProseMirror adds.
 */
export async function shownText(page: Page): Promise<string> {
  return page.locator('#editor .ProseMirror').evaluate((root) => {
    const copy = root.cloneNode(true) as HTMLElement;
    for (const widget of Array.from(copy.querySelectorAll('.remote-cursor, .ProseMirror-widget, .ProseMirror-yjs-cursor'))) {
      widget.remove();
    }
    return Array.from(copy.children)
      .map((block) => block.textContent ?? '')
      .join('\n');
  });
}

/** The text of `#status`. */
export async function statusText(page: Page): Promise<string> {
  return (await page.locator('#status').textContent({ timeout: PAGE_TIMEOUT_MS }))?.trim() ?? '';
}

/** Waits until `#status` matches `pattern`, and returns the text. */
export async function waitForStatus(page: Page, pattern: RegExp, timeoutMs = PAGE_TIMEOUT_MS): Promise<string> {
  return waitFor(`#status to match ${pattern}`, async () => {
    const text = await statusText(page);
    return pattern.test(text) ? text : false;
  }, { timeoutMs });
}

/**
 * Puts the caret at the end of the `index`-th top-level block (0-based) with the keyboard
 * (Ctrl+Home, Down `index` times, End; blocks here are one line each), then waits until
 * ProseMirror has taken the caret over: it reads the DOM selection on `selectionchange`, which
 * the browser fires asynchronously, and a key sent through CDP right after can beat it. When the
 * caret is not there within a few seconds (a key landed before ProseMirror read the selection the
 * one before made), the keys are pressed again: they lead to the same place from anywhere.
 */
export async function caretToEndOfBlock(page: Page, index: number): Promise<void> {
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    await page.locator('#editor .ProseMirror').focus({ timeout: PAGE_TIMEOUT_MS });
    await page.keyboard.press('ControlOrMeta+Home');
    for (let line = 0; line < index; line++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    try {
      await page.waitForFunction(
        (blockIndex) => {
          const view = (window as unknown as QuireWindow).quire?.view;
          if (view === undefined) return false;
          const { $head, empty } = view.state.selection;
          return empty && $head.index(0) === blockIndex && $head.parentOffset === $head.parent.content.size;
        },
        index,
        { timeout: attempt < attempts ? 4_000 : PAGE_TIMEOUT_MS, polling: 20 },
      );
      return;
    } catch (error) {
      if (attempt === attempts) throw error;
    }
  }
}

/**
 * Waits until every page shows the same text and that text passes `accept`; returns it. The
 * error on timeout lists what each page showed last.
 */
export async function waitForSameText(
  pages: readonly Page[],
  what: string,
  accept: (text: string) => boolean = () => true,
  timeoutMs = PAGE_TIMEOUT_MS,
): Promise<string> {
  let last: string[] = [];
  try {
    const result = await waitFor(what, async () => {
      last = await Promise.all(pages.map(shownText));
      const first = last[0];
      return first !== undefined && last.every((text) => text === first) && accept(first) ? { text: first } : false;
    }, { timeoutMs });
    return result.text;
  } catch (error) {
    const shown = last.map((text, index) => `  page ${index}: ${JSON.stringify(text)}`).join('\n');
    throw new Error(`${(error as Error).message}\nThe pages showed:\n${shown}`);
  }
}

/** Waits until every page shows exactly `expected`. */
export async function waitForText(pages: readonly Page[], expected: string, timeoutMs = PAGE_TIMEOUT_MS): Promise<void> {
  await waitForSameText(pages, `every page to show ${JSON.stringify(expected)}`, (text) => text === expected, timeoutMs);
}

/** Closes the person's context; never throws (cleanup must go on). */
export async function closePerson(person: Person | undefined): Promise<void> {
  if (person === undefined) return;
  await person.context.close().catch(() => undefined);
}

/**
 * Waits until the page says "All changes saved" and its provider really has nothing unsaved: the
 * status line stays calm for the first half second of a save, so its words alone are no proof
 * that the last keystroke is durable.
 */
export async function waitForSaved(page: Page, timeoutMs = PAGE_TIMEOUT_MS): Promise<void> {
  await waitForStatus(page, /^All changes saved$/, timeoutMs);
  await page.waitForFunction(
    () => {
      const provider = (window as unknown as QuireWindow).quire?.provider;
      return provider !== undefined && provider.status === 'synced' && provider.unsavedCount === 0;
    },
    undefined,
    { timeout: timeoutMs, polling: 20 },
  );
}

/**
 * A `prepare` step for `OpenOptions` that gives the person `color` (a `#rrggbb` of the palette):
 * it seeds the identity the page reads from localStorage, as a returning visitor has it.
 */
export function withColor(name: string, color: string): (context: BrowserContext) => Promise<void> {
  return async (context) => {
    await context.addInitScript((identity: string) => {
      try {
        localStorage.setItem('quire:identity', identity);
      } catch {
        // about:blank has no storage of its own.
      }
    }, JSON.stringify({ name, color }));
  };
}
