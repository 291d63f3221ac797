#!/usr/bin/env node
/**
 * Makes sure a Chromium exists for the browser tests, and prints its path.
 *
 * Search order (kept the same as e2e/support/browser.ts): env CHROMIUM_PATH; Playwright's own
 * downloaded browser; /usr/bin/chromium; `chromium` or `chromium-browser` on PATH.
 * When none is found it tries, in order, `npx playwright-core install chromium` (needs downloads)
 * and, as root on Debian, `apt-get update && apt-get install -y chromium`. Exits 0 when a browser
 * is found, non-zero with the command that fixes it otherwise.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const INSTALL_TIMEOUT_MS = 10 * 60 * 1000;

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

async function playwrightBrowser() {
  try {
    const { chromium } = await import('playwright-core');
    const path = chromium.executablePath();
    return path && isExecutable(path) ? path : null;
  } catch {
    return null;
  }
}

async function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    console.error(`CHROMIUM_PATH=${fromEnv} is not an executable file; looking elsewhere.`);
  }
  return (
    (await playwrightBrowser()) ??
    (isExecutable('/usr/bin/chromium') ? '/usr/bin/chromium' : null) ??
    onPath('chromium') ??
    onPath('chromium-browser')
  );
}

function run(command, args) {
  console.log(`$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', timeout: INSTALL_TIMEOUT_MS });
  if (result.error) console.log(`  failed: ${result.error.message}`);
  else if (result.status !== 0) console.log(`  failed with exit status ${result.status ?? result.signal}`);
  return result.status === 0;
}

let found = await findChromium();
if (found === null) {
  console.log('No Chromium found for the browser tests; trying to install one.');
  if (run('npx', ['--no-install', 'playwright-core', 'install', 'chromium'])) found = await findChromium();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (found === null && isRoot && existsSync('/etc/debian_version')) {
    if (run('apt-get', ['update']) && run('apt-get', ['install', '-y', 'chromium'])) found = await findChromium();
  }
}

if (found === null) {
  console.error(
    'Could not find or install Chromium for the browser tests. Fix it with one of:\n' +
      '  apt-get install chromium            (as root, Debian/Ubuntu)\n' +
      '  npx playwright install chromium     (where downloads work)\n' +
      'or point CHROMIUM_PATH at a Chromium or Chrome executable.',
  );
  process.exit(1);
}
console.log(`Chromium for the browser tests: ${found}`);
