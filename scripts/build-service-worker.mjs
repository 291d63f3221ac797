#!/usr/bin/env node
/**
 * Builds the service worker (client/sw/service-worker.ts) into a built public folder, with the
 * precache manifest of that folder baked in: every file of the app shell and a revision made from
 * its content, so a changed file gets a new revision and therefore a new service worker.
 *
 *   node scripts/build-service-worker.mjs [public-dir]    (default dist/public)
 *
 * build-client.mjs calls `buildServiceWorker` after it built the pages; a test that needs a new
 * version of the app calls this script on its own copy of the folder.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SERVICE_WORKER_FILE = 'sw.js';

/** Which built files belong to the app shell: pages, scripts, styles, icons and the manifest. */
const SHELL_FILE = /\.(html|js|css|svg|png|webmanifest|woff2?)$/;

/** The precache manifest of `publicDir`: `{ url, revision }` for every shell file, by name. */
export async function precacheManifest(publicDir) {
  const entries = [];
  for (const entry of (await readdir(publicDir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isFile() || !SHELL_FILE.test(entry.name) || entry.name.startsWith(SERVICE_WORKER_FILE)) continue;
    const content = await readFile(join(publicDir, entry.name));
    entries.push({ url: `/${entry.name}`, revision: createHash('sha256').update(content).digest('hex').slice(0, 16) });
  }
  return entries;
}

/** Bundles the service worker into `publicDir`; resolves to the number of precached files. */
export async function buildServiceWorker(publicDir) {
  const manifest = await precacheManifest(publicDir);
  await build({
    absWorkingDir: root,
    entryPoints: ['client/sw/service-worker.ts'],
    outfile: join(publicDir, SERVICE_WORKER_FILE),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"', QUIRE_PRECACHE_MANIFEST: JSON.stringify(manifest) },
  });
  return manifest.length;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const publicDir = resolve(process.argv[2] ?? join(root, 'dist', 'public'));
  const count = await buildServiceWorker(publicDir);
  console.log(`service worker built into ${publicDir} with ${count} precached files`);
}
