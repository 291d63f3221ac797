/**
 * Imports and exports run in worker threads, never on the event loop: a Markdown or HTML page of
 * a few megabytes can take seconds to convert, and the server must go on answering everyone else
 * meanwhile. Each conversion has a time limit (the worker is terminated and replaced when it runs
 * over) and the workers a heap limit; waiting conversions are bounded too. Refusals are typed.
 * A worker left idle is stopped: after converting a large document its heap holds that garbage
 * until something makes it collect, and an idle thread never does.
 */
import { Worker } from 'node:worker_threads';
import { QuireError } from '../../../shared/errors.js';
import type { ConversionRequest, ConversionResult } from './conversion.js';

export interface ConversionPoolOptions {
  /** Worker threads. Default 1. */
  readonly workers?: number;
  /** Longest a conversion may run. Default 10 s. */
  readonly timeoutMs?: number;
  /** Most conversions waiting for a worker; more are refused (`busy`). Default 16. */
  readonly maxQueued?: number;
  /** Heap of each worker, in MiB. Default 256. */
  readonly maxHeapMb?: number;
  /** How long a worker may stay idle before it is stopped (the next conversion starts one). Default 30 s. */
  readonly idleMs?: number;
}

interface Job {
  readonly id: number;
  readonly request: ConversionRequest;
  readonly resolve: (result: ConversionResult) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** The worker said it is ready (loading it is not part of any conversion's time). */
  ready: boolean;
  job: Job | null;
  /** The running job's time limit, or the idle worker's retirement. */
  timer: NodeJS.Timeout | null;
  /** Given up after being idle: its worker's events no longer count. */
  retired: boolean;
}

/**
 * Built, the worker is convert-worker.js. Run from source (tests, `node --import tsx`), it is the
 * .ts file, and a worker thread does not inherit tsx's loader: a small bootstrap registers tsx in
 * the thread first, then imports the worker.
 */
function workerSource(): { readonly entry: URL | string; readonly eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { entry: new URL('./convert-worker.js', import.meta.url), eval: false };
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = new URL('./convert-worker.ts', import.meta.url).href;
  return { entry: `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}); });`, eval: true };
}

export class ConversionPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly timeoutMs: number;
  private readonly maxQueued: number;
  private readonly maxHeapMb: number;
  private readonly idleMs: number;
  private readonly workers: number;
  private nextId = 1;
  private closed = false;

  constructor(options: ConversionPoolOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxQueued = options.maxQueued ?? 16;
    this.maxHeapMb = options.maxHeapMb ?? 256;
    this.workers = options.workers ?? 1;
    this.idleMs = options.idleMs ?? 30_000;
  }

  /** Worker threads running now (idle ones included, until they are stopped). */
  get runningWorkers(): number {
    return this.slots.length;
  }

  /** A conversion asked for now would start at once: nothing waits, and a worker is free (or can be started). */
  get hasFreeWorker(): boolean {
    if (this.closed || this.queue.length > 0) return false;
    return this.slots.length < this.workers || this.slots.some((slot) => slot.job === null && !slot.retired);
  }

  /** Runs a conversion; rejects with a QuireError (`busy`, `too-costly`, `conversion-failed`). */
  run(request: ConversionRequest): Promise<ConversionResult> {
    if (this.closed) return Promise.reject(new QuireError('server-shutdown', 'The server is shutting down.'));
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(new QuireError('busy', 'The server is converting too many documents at once; try again in a moment.'));
    }
    // Workers start on first use: a server that converts nothing never pays for them.
    while (this.slots.length < this.workers) {
      const slot: Slot = { worker: this.spawn(), ready: false, job: null, timer: null, retired: false };
      this.listen(slot);
      this.slots.push(slot);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, request, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new QuireError('server-shutdown', 'The server is shutting down.'));
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.timer !== null) clearTimeout(slot.timer);
        slot.job?.reject(new QuireError('server-shutdown', 'The server is shutting down.'));
        slot.job = null;
        await slot.worker.terminate();
      }),
    );
  }

  private spawn(): Worker {
    const source = workerSource();
    const worker = new Worker(source.entry, { eval: source.eval, resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb, maxYoungGenerationSizeMb: 16 } });
    // An idle worker must not keep the process alive.
    worker.unref();
    return worker;
  }

  /** Listens to the slot's worker; its events count only while it is the slot's worker and the slot is in use. */
  private listen(slot: Slot): void {
    const worker = slot.worker;
    const current = (): boolean => slot.worker === worker && !slot.retired;
    worker.on('message', (message: { id: number; ok: boolean; result?: ConversionResult; message?: string } | 'ready') => {
      if (!current()) return;
      if (message === 'ready') {
        slot.ready = true;
        this.dispatch();
        return;
      }
      const job = slot.job;
      if (job === null || job.id !== message.id) return;
      this.finish(slot);
      if (message.ok && message.result !== undefined) job.resolve(message.result);
      else job.reject(new QuireError('conversion-failed', `The document could not be converted: ${String(message.message).slice(0, 200)}`));
      this.dispatch();
    });
    // A worker that died (out of memory, say) is replaced; so is one terminated for taking too long.
    worker.on('error', (error) => {
      if (current()) this.replace(slot, new QuireError('too-costly', `The conversion needed more than the server allows (${error.message.slice(0, 120)}).`));
    });
    worker.on('exit', () => {
      if (!this.closed && current()) this.replace(slot, new QuireError('conversion-failed', 'The conversion worker stopped.'));
    });
  }

  private dispatch(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (slot.job !== null || !slot.ready) continue;
      const job = this.queue.shift();
      if (job === undefined) {
        this.retireWhenIdle(slot);
        continue;
      }
      if (slot.timer !== null) clearTimeout(slot.timer);
      slot.job = job;
      slot.worker.ref();
      slot.timer = setTimeout(() => {
        this.replace(slot, new QuireError('too-costly', `The conversion took longer than the ${this.timeoutMs} ms the server allows.`));
      }, this.timeoutMs);
      slot.worker.postMessage({ id: job.id, request: job.request });
    }
  }

  /** Stops the slot's worker once it has been idle for `idleMs`, and gives up the slot. */
  private retireWhenIdle(slot: Slot): void {
    if (slot.timer !== null) return;
    slot.timer = setTimeout(() => {
      slot.timer = null;
      if (slot.job !== null || this.closed) return;
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      slot.retired = true;
      void slot.worker.terminate();
    }, this.idleMs);
    slot.timer.unref();
  }

  private finish(slot: Slot): void {
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    slot.worker.unref();
  }

  /** Gives up a slot's worker (and its job, with `error`) and starts a fresh one in its place. */
  private replace(slot: Slot, error: QuireError): void {
    const job = slot.job;
    const old = slot.worker;
    this.finish(slot);
    job?.reject(error);
    if (this.closed) return;
    slot.worker = this.spawn();
    slot.ready = false;
    this.listen(slot);
    void old.terminate();
    this.dispatch();
  }
}
