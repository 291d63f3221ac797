/**
 * The editor bundle's fix to Yjs's undo manager (scripts/yjs-redo-fix.mjs): on the seeds where the
 * installed Yjs's undo made the server and a reload (or a reader) read the document differently,
 * the fixed copy does not, and every change still passes the server's checks.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as Y from 'yjs';
import { undoMix } from '../test/support/undo-mix.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
type FixModule = { fixRedo(source: string): string };

/** The seeds of test/support/undo-mix.ts, of 1–300, on which the installed Yjs 13.6.33 diverged. */
const DIVERGING_SEEDS = [52, 171, 280];

describe("the editor's fix to Yjs's undo manager", () => {
  let fix: FixModule;
  let fixed: typeof Y;

  before(async () => {
    fix = (await import(pathToFileURL(path.join(root, 'scripts', 'yjs-redo-fix.mjs')).href)) as FixModule;
    // The fixed copy beside the installed one, so that it finds lib0 as Yjs does.
    const copy = path.join(root, 'node_modules', '.cache', 'quire-yjs', 'yjs.mjs');
    await mkdir(path.dirname(copy), { recursive: true });
    await writeFile(copy, fix.fixRedo(await readFile(path.join(root, 'node_modules', 'yjs', 'dist', 'yjs.mjs'), 'utf8')));
    fixed = (await import(pathToFileURL(copy).href)) as typeof Y;
  });

  it('keeps undo from making the server, its readers and a reload read differently, on the seeds where it did', () => {
    for (const seed of DIVERGING_SEEDS) {
      const installed = undoMix(Y, seed, 250, true);
      assert.ok(installed.diverged > 0, `seed ${seed}: the installed Yjs no longer diverges, so this seed tests nothing`);
      const withFix = undoMix(fixed, seed);
      assert.deepEqual({ refused: withFix.refused, diverged: withFix.diverged, converged: withFix.converged }, { refused: 0, diverged: 0, converged: true }, `seed ${seed}`);
      assert.ok(withFix.changes > 100, `seed ${seed}: the replicas sent changes`);
    }
  });

  it('refuses a Yjs source whose redo is not where it expects it', () => {
    assert.throws(() => fix.fixRedo('export const nothing = 1;'), /Yjs source has changed/);
  });
});
