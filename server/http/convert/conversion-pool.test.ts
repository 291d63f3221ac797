import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { waitFor } from '../../../test/support/wait.js';
import * as Y from 'yjs';
import { markdownToPm, pmToYUpdate } from '../../../document/doc-format.js';
import { compactUpdates } from '../../../storage/store-support.js';
import { ConversionPool } from './conversion-pool.js';

describe('ConversionPool', () => {
  const pool = new ConversionPool({ idleMs: 200 });
  after(() => pool.close());

  it('starts a worker on first use, stops it once idle, and starts another for the next conversion', async () => {
    assert.equal(pool.runningWorkers, 0, 'no worker before the first conversion');
    const first = await pool.run({ kind: 'import', format: 'md', text: '# Notes\n\nfirst' });
    assert.equal(first.kind === 'import' && first.title, 'Notes');
    assert.equal(pool.runningWorkers, 1);
    await waitFor('the idle worker to be stopped', () => pool.runningWorkers === 0, 5000);
    const second = await pool.run({ kind: 'import', format: 'html', text: '<h1>Again</h1>' });
    assert.equal(second.kind === 'import' && second.title, 'Again');
  });

  it('merges a stored document for its compaction in a worker, as compactUpdates does on the event loop', async () => {
    const doc = new Y.Doc();
    const parts: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => parts.push(update));
    const text = doc.getText('t');
    for (let i = 0; i < 200; i++) text.insert(text.length, `word ${i} `);
    text.delete(0, 500);
    const result = await pool.run({ kind: 'compact', updates: parts });
    assert.equal(result.kind, 'compact');
    assert.ok(result.kind === 'compact');
    assert.deepEqual(result.update, compactUpdates(parts));
    const merged = new Y.Doc();
    Y.applyUpdate(merged, result.update);
    assert.equal(merged.getText('t').toString(), text.toString());
    assert.deepEqual(Y.encodeSnapshot(Y.snapshot(merged)), Y.encodeSnapshot(Y.snapshot(doc)));
  });

  it('loads the converters in a worker started for a compaction once a conversion needs them', async () => {
    const fresh = new ConversionPool();
    try {
      const update = pmToYUpdate(markdownToPm('# Plan\n\nShip *it*'));
      const merged = await fresh.run({ kind: 'compact', updates: [update] });
      assert.equal(fresh.runningWorkers, 1);
      assert.ok(merged.kind === 'compact');
      const exported = await fresh.run({ kind: 'export', format: 'md', updates: [merged.update] });
      assert.equal(fresh.runningWorkers, 1, 'the same worker');
      assert.ok(exported.kind === 'export');
      assert.equal(exported.body, '# Plan\n\nShip *it*');
      assert.equal(exported.title, 'Plan');
    } finally {
      await fresh.close();
    }
  });

  it('does not count loading the converters against a conversion\'s time', async () => {
    // Run from source, loading the converters takes 0.5-2 s here; the conversions, a few ms each.
    const strict = new ConversionPool({ timeoutMs: 250 });
    try {
      const update = pmToYUpdate(markdownToPm('# Plan\n\nShip *it*'));
      for (const format of ['md', 'html'] as const) {
        const exported = await strict.run({ kind: 'export', format, updates: [update] });
        assert.ok(exported.kind === 'export' && exported.title === 'Plan', format);
      }
      assert.equal(strict.runningWorkers, 1, 'one worker did both');
    } finally {
      await strict.close();
    }
  });

  it('keeps a worker that is given work before its idle time is up', async () => {
    await pool.run({ kind: 'import', format: 'md', text: 'one' });
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 120));
      assert.equal(pool.runningWorkers, 1, `still running before conversion ${i + 2}`);
      await pool.run({ kind: 'import', format: 'md', text: `text ${i}` });
    }
  });
});

describe('ConversionPool whose worker cannot start', () => {
  // A heap of 1 MiB is too small for a worker to load its code: it fails before it is ready, as a
  // worker does on a host out of memory or with a broken install. (The pool gives it
  // MIN_WORKER_HEAP_MB: under Node 22 and 24 a heap of 1 MiB would end this whole process.)
  const restartDelayMs = 1_500;
  const pool = new ConversionPool({ maxHeapMb: 1, restartDelayMs });
  after(() => pool.close());
  const request = { kind: 'import', format: 'md', text: 'waiting' } as const;

  it('refuses the waiting conversions, starts no other worker for a while, then tries again', { timeout: 30_000 }, async () => {
    // Before, the pool started a new worker the moment one failed, forever, and the waiting
    // conversions never settled.
    const waiting = [pool.run(request), pool.run(request)];
    for (const result of waiting) await assert.rejects(result, { code: 'conversion-failed', message: /could not start a conversion worker/ });
    const failedAt = Date.now();
    assert.equal(pool.runningWorkers, 0);
    assert.equal(pool.hasFreeWorker, false);
    // Within the delay: refused at once, and no worker is started for it.
    const refused = pool.run(request);
    assert.equal(pool.runningWorkers, 0, 'no worker is started for a conversion asked for during the delay');
    await assert.rejects(refused, { code: 'conversion-failed' });
    assert.ok(Date.now() - failedAt < restartDelayMs, 'the second refusal came within the delay');
    await waitFor('the delay to pass', () => pool.hasFreeWorker, restartDelayMs + 5_000);
    const retried = pool.run(request);
    assert.equal(pool.runningWorkers, 1, 'a worker is started again after the delay');
    await assert.rejects(retried, { code: 'conversion-failed' });
  });
});

describe('ConversionPool whose worker is not ready in time', () => {
  // A real worker takes tens of milliseconds to load its code: with 1 ms to say it is ready, every
  // start counts as hanging, as a worker stuck in its start would.
  const pool = new ConversionPool({ startTimeoutMs: 1, restartDelayMs: 60_000 });
  after(() => pool.close());

  it('gives up the worker, refuses the waiting conversions and the next ones during the delay', { timeout: 30_000 }, async () => {
    const waiting = pool.run({ kind: 'import', format: 'md', text: 'waiting' });
    await assert.rejects(waiting, { code: 'conversion-failed', message: /did not start within 1 ms/ });
    assert.equal(pool.runningWorkers, 0, 'the hanging worker is given up');
    const next = pool.run({ kind: 'import', format: 'md', text: 'next' });
    assert.equal(pool.runningWorkers, 0, 'no worker is started during the delay');
    await assert.rejects(next, { code: 'conversion-failed', message: /did not start within 1 ms/ });
  });
});
