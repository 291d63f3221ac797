#!/usr/bin/env node
/**
 * Builds the browser side of Quire into dist/public: bundles the editor page and the home page
 * with esbuild (one IIFE each, ES2020, minified, with source maps) and copies the static files
 * of client/public beside them, then the service worker with the precache manifest of the result
 * (build-service-worker.mjs). Yjs goes into the bundle with a fix to its undo manager
 * (yjs-redo-fix.mjs). Run from anywhere; paths are relative to the repository.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildServiceWorker, SERVICE_WORKER_FILE } from './build-service-worker.mjs';
import { yjsRedoFix } from './yjs-redo-fix.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const publicSource = join(root, 'client', 'public');
const outdir = join(root, 'dist', 'public');

const started = performance.now();
await mkdir(outdir, { recursive: true });

const redoFix = yjsRedoFix();
const result = await build({
  absWorkingDir: root,
  entryPoints: {
    editor: 'client/editor/editor-page.ts',
    home: 'client/editor/home-page.ts',
  },
  outdir,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  plugins: [redoFix.plugin],
});
if (redoFix.applied() === 0) throw new Error('The editor bundle did not load node_modules/yjs/dist/yjs.mjs, so the fix to its undo manager is missing (scripts/yjs-redo-fix.mjs).');

const copied = [];
for (const entry of await readdir(publicSource, { withFileTypes: true })) {
  if (!entry.isFile()) continue;
  await copyFile(join(publicSource, entry.name), join(outdir, entry.name));
  copied.push(entry.name);
}

// Last: its manifest holds the revisions of everything built and copied above.
const precached = await buildServiceWorker(outdir);

const sizes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith('.js'))
  .map(([file, output]) => `${file.split('/').pop()} ${(output.bytes / 1024).toFixed(0)} KiB`);
const elapsed = Math.round(performance.now() - started);
console.log(`client built in ${elapsed} ms: ${sizes.join(', ')}; copied ${copied.sort().join(', ')}; ${SERVICE_WORKER_FILE} precaches ${precached} files`);
