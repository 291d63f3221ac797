/**
 * Asks a server's `/healthz` every 100 ms from a worker thread and records the slowest answer and
 * the failures (no answer within 10 s, or not 200). How slow an answer may be is each test's own
 * bound on the slowest (AttackWatch.finish); a cut-off shorter than that bound would count an
 * answer the test allows as a failure. The timing runs on the worker's own event loop,
 * so work in the test's thread (readers of a flood resuming, big documents decoded) does not
 * count against the server.
 */
import { Worker } from 'node:worker_threads';

export interface HealthRecord {
  readonly maxMs: number;
  readonly failures: number;
}

const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
let running = true;
let maxMs = 0;
let failures = 0;
parentPort.on('message', () => { running = false; });
(async () => {
  while (running) {
    const started = performance.now();
    try {
      const response = await fetch(workerData.url + '/healthz', { signal: AbortSignal.timeout(10000) });
      await response.arrayBuffer();
      if (response.status !== 200) failures++;
    } catch {
      failures++;
    }
    maxMs = Math.max(maxMs, performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  parentPort.postMessage({ maxMs, failures });
})();
`;

export class HealthProbe {
  private readonly result: Promise<HealthRecord>;
  private stopped = false;

  private constructor(private readonly worker: Worker) {
    this.result = new Promise((resolve, reject) => {
      worker.once('message', (record: HealthRecord) => resolve(record));
      worker.once('error', reject);
    });
  }

  static start(url: string): HealthProbe {
    return new HealthProbe(new Worker(PROBE, { eval: true, workerData: { url } }));
  }

  /** Stops probing (after the probe in flight) and returns what it saw. Safe to call more than once. */
  async stop(): Promise<HealthRecord> {
    if (!this.stopped) this.worker.postMessage('stop');
    this.stopped = true;
    const record = await this.result;
    await this.worker.terminate();
    return record;
  }
}
