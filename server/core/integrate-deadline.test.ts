/**
 * The integration deadline cuts a change off only when it has used its time on the CPU, not when
 * it waited: on a machine busy with other work wall time runs while the process waits for a CPU,
 * and a cut-off change is refused for good. Here the waiting is an Atomics.wait inside the
 * deadline's window (no CPU), the using a busy loop. The process's CPU time also counts its other
 * threads (V8 compiles and collects garbage on threads of its own), so the code is warmed up first
 * and the limit leaves room for them.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { CPU_READING_REUSE_MS, IntegrateDeadlineError, withIntegrateDeadline } from './integrate-deadline.js';

/** An update of `items` separate one-character insertions (each its own item to integrate). */
function manyItems(items: number): Uint8Array {
  const doc = new Y.Doc();
  const text = doc.getText('t');
  for (let i = 0; i < items; i++) text.insert(0, 'x');
  return Y.encodeStateAsUpdate(doc);
}

function waitWithoutCpu(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Keeps this thread busy until it has used `ms` of CPU time and as much wall time has passed. */
function spinOnCpu(ms: number): void {
  const started = process.cpuUsage();
  const until = performance.now() + ms;
  for (;;) {
    // Busy: this is the CPU time the deadline counts. On a loaded machine it takes longer.
    if (performance.now() < until) continue;
    const used = process.cpuUsage(started);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
}

/**
 * Wide margins: V8's background threads (compiling, collecting) count in the process's CPU time,
 * and under a loaded test run they may use a good part of a core for a while.
 */
const LIMIT_MS = 300;

describe('the integration deadline', () => {
  before(async () => {
    // Compile what the tests run, and let V8's background threads finish with it.
    Y.applyUpdate(new Y.Doc(), manyItems(2000));
    withIntegrateDeadline(1000, () => Y.applyUpdate(new Y.Doc(), manyItems(2000)));
    await new Promise((resolve) => setTimeout(resolve, 300));
  });

  it('lets a change through that waited past its wall deadline without using the CPU', () => {
    const doc = new Y.Doc();
    const update = manyItems(2000);
    withIntegrateDeadline(LIMIT_MS, () => {
      waitWithoutCpu(3 * LIMIT_MS);
      Y.applyUpdate(doc, update);
    });
    assert.equal(doc.getText('t').length, 2000);
  });

  it('cuts off a change that used its time on the CPU', () => {
    const doc = new Y.Doc();
    const update = manyItems(2000);
    assert.throws(
      () =>
        withIntegrateDeadline(LIMIT_MS, () => {
          spinOnCpu(3 * LIMIT_MS);
          Y.applyUpdate(doc, update);
        }),
      IntegrateDeadlineError,
    );
  });

  it('counts the CPU time from a fresh reading once the last one is older than the reuse window', () => {
    // The CPU clock is read here, then the process works for longer than the window and more
    // than the next change's limit: counted from the old reading, a change that only waits
    // would be cut off at once.
    withIntegrateDeadline(LIMIT_MS, () => undefined);
    spinOnCpu(Math.max(2 * CPU_READING_REUSE_MS, LIMIT_MS / 2 + 10));
    const doc = new Y.Doc();
    const update = manyItems(2000);
    withIntegrateDeadline(LIMIT_MS / 2, () => {
      waitWithoutCpu(LIMIT_MS);
      Y.applyUpdate(doc, update);
    });
    assert.equal(doc.getText('t').length, 2000);
  });

  it('does not limit integration outside a deadline', () => {
    const doc = new Y.Doc();
    spinOnCpu(30);
    Y.applyUpdate(doc, manyItems(2000));
    assert.equal(doc.getText('t').length, 2000);
  });
});
