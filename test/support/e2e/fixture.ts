/**
 * The browser tests' fixture: for the test file that calls `useBrowserAndServer()`, the real
 * server as a child process (LevelDB in a temp dir, 127.0.0.1, a port of its own) and headless
 * Chromium, started before the file's tests and closed after them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { REPO_ROOT, ServerProcess } from '../server-process.js';
import { launchBrowser } from './browser.js';

export interface BrowserAndServer {
  readonly browser: Browser;
  readonly server: ServerProcess;
}

/** Fails with a clear message when the browser bundle has not been built. */
function assertClientBuilt(): void {
  const page = join(REPO_ROOT, 'dist', 'public', 'editor.html');
  if (!existsSync(page)) throw new Error(`${page} is missing: run npm run build before the browser tests.`);
}

export interface FixtureOptions {
  /** Extra server configuration (environment variables), e.g. `ADMIN_TOKEN`. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Registers the file's before/after hooks; the getter throws when used before they ran. */
export function useBrowserAndServer(options: FixtureOptions = {}): () => BrowserAndServer {
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  before(async () => {
    assertClientBuilt();
    server = await ServerProcess.start({ name: 'Quire server', env: options.env });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return () => {
    if (browser === undefined || server === undefined) throw new Error('The server and browser did not start (see the before hook).');
    return { browser, server };
  };
}
