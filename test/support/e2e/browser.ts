/**
 * Finds and launches the Chromium the browser tests drive. The search order is the same as
 * scripts/ensure-browser.mjs (which runs first under `npm test` and installs one when none is
 * found); it is repeated here because that script is plain Node and cannot be imported from
 * TypeScript without declarations.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Flags for a quiet, deterministic headless Chromium in a container. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/**
 * The Chromium executable to use, or null when there is none: `CHROMIUM_PATH` if set, else
 * Playwright's own downloaded browser if its file exists, else the system's chromium.
 */
export function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== '') return isExecutable(fromEnv) ? fromEnv : null;
  try {
    const bundled = chromium.executablePath();
    if (bundled !== '' && isExecutable(bundled)) return bundled;
  } catch {
    // playwright-core throws when it has no browser registry entry for this platform.
  }
  if (isExecutable('/usr/bin/chromium')) return '/usr/bin/chromium';
  return onPath('chromium') ?? onPath('chromium-browser');
}

/** Launches headless Chromium, or throws naming the command that installs one. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium();
  if (executablePath === null) {
    const hint = process.env.CHROMIUM_PATH
      ? `CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not an executable file.`
      : 'No Chromium found.';
    throw new Error(
      `${hint} Run "node scripts/ensure-browser.mjs", or install one with "apt-get install chromium" (as root) ` +
        'or "npx playwright install chromium", or set CHROMIUM_PATH.',
    );
  }
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS], timeout: 30_000 });
}
