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
  /** Heap of each worker, in MiB. Default 256; at least MIN_WORKER_HEAP_MB. */
  readonly maxHeapMb?: number;
  /** How long a worker may stay idle before it is stopped (the next conversion starts one). Default 30 s. */
  readonly idleMs?: number;
  /** Longest a worker may take to start; one that takes longer failed to start. Default 30 s. */
  readonly startTimeoutMs?: number;
  /** After a worker failed to start, how long conversions are refused before another is tried. Default 5 s. */
  readonly restartDelayMs?: number;
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
  /**
   * Whether the worker has loaded the converters (Markdown, HTML, ProseMirror, a DOM). A merge
   * needs none, so a worker loads them only before its first import or export, and that load is
   * part of its start (bounded by startTimeoutMs), not of the conversion's time.
   */
  converters: 'none' | 'loading' | 'loaded';
  job: Job | null;
  /** The worker's start or converters' load limit, the running job's time limit, or the idle worker's retirement. */
  timer: NodeJS.Timeout | null;
  /** Given up after being idle: its worker's events no longer count. */
  retired: boolean;
}

/** What a worker posts: that it started, that its converters loaded or failed to, or a job's answer. */
type WorkerMessage = 'ready' | 'converters-loaded' | { readonly convertersFailed: string } | { readonly id: number; readonly ok: boolean; readonly result?: ConversionResult; readonly message?: string };

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

/**
 * The smallest heap a worker is given. With less, Node 22 and 24 cannot even create the worker's
 * isolate, and that failure ends the whole process ("Fatal JavaScript out of memory: GC during
 * deserialization" at 1 and 2 MiB) instead of failing the worker (Node 20); from 4 MiB a worker
 * too small for its code fails as a worker, with ERR_WORKER_OUT_OF_MEMORY.
 */
export const MIN_WORKER_HEAP_MB = 4;

export class ConversionPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly timeoutMs: number;
  private readonly maxQueued: number;
  private readonly maxHeapMb: number;
  private readonly idleMs: number;
  private readonly workers: number;
  private readonly startTimeoutMs: number;
  private readonly restartDelayMs: number;
  private nextId = 1;
  private closed = false;
  /** A worker failed to start: until then no other is started, and conversions are refused. */
  private startFailure: { readonly until: number; readonly error: QuireError } | null = null;

  constructor(options: ConversionPoolOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxQueued = options.maxQueued ?? 16;
    this.maxHeapMb = Math.max(MIN_WORKER_HEAP_MB, options.maxHeapMb ?? 256);
    this.workers = options.workers ?? 1;
    this.idleMs = options.idleMs ?? 30_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.restartDelayMs = options.restartDelayMs ?? 5_000;
  }

  /** Worker threads running now (idle ones included, until they are stopped). */
  get runningWorkers(): number {
    return this.slots.length;
  }

  /** A conversion asked for now would start at once: nothing waits, and a worker is free (or can be started). */
  get hasFreeWorker(): boolean {
    if (this.closed || this.queue.length > 0) return false;
    if (this.coolingDown()) return this.slots.some((slot) => slot.job === null && slot.ready && slot.converters !== 'loading' && !slot.retired);
    return this.slots.length < this.workers || this.slots.some((slot) => slot.job === null && slot.converters !== 'loading' && !slot.retired);
  }

  /** Runs a conversion; rejects with a QuireError (`busy`, `too-costly`, `conversion-failed`). */
  run(request: ConversionRequest): Promise<ConversionResult> {
    if (this.closed) return Promise.reject(new QuireError('server-shutdown', 'The server is shutting down.'));
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(new QuireError('busy', 'The server is converting too many documents at once; try again in a moment.'));
    }
    // Workers start on first use: a server that converts nothing never pays for them.
    if (!this.coolingDown()) {
      while (this.slots.length < this.workers) this.slots.push(this.startSlot());
    } else if (this.slots.length === 0) {
      return Promise.reject(this.startFailure!.error);
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

  /** A worker failed to start a moment ago (see restartDelayMs). */
  private coolingDown(): boolean {
    if (this.startFailure !== null && performance.now() >= this.startFailure.until) this.startFailure = null;
    return this.startFailure !== null;
  }

  /** A new slot with a worker starting, which must say it is ready within startTimeoutMs. */
  private startSlot(): Slot {
    const slot: Slot = { worker: this.spawn(), ready: false, converters: 'none', job: null, timer: null, retired: false };
    this.listen(slot);
    this.watchStart(slot);
    return slot;
  }

  private watchStart(slot: Slot): void {
    const worker = slot.worker;
    slot.timer = setTimeout(() => {
      if (slot.worker === worker && !slot.ready) this.failedToStart(slot, `it did not start within ${this.startTimeoutMs} ms`);
    }, this.startTimeoutMs);
    slot.timer.unref();
  }

  /**
   * A worker that dies or hangs before it is ready is not replaced at once (it would most likely
   * fail again, at the cost of a start each time, forever): its slot is given up, and when no
   * other worker is left, the conversions waiting are refused. For restartDelayMs no worker is
   * started and new conversions get the same refusal; the next one after that tries again.
   */
  private failedToStart(slot: Slot, why: string): void {
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.timer = null;
    slot.retired = true;
    void slot.worker.terminate();
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    const error = new QuireError('conversion-failed', `The server could not start a conversion worker (${why.slice(0, 160)}); try again in a moment.`);
    this.startFailure = { until: performance.now() + this.restartDelayMs, error };
    if (this.slots.length === 0) {
      for (const job of this.queue.splice(0)) job.reject(error);
    }
  }

  private spawn(): Worker {
    const source = workerSource();
    // A worker starts for a conversion that waits for it: it keeps the process alive until it is
    // idle (retireWhenIdle). Left unreferenced while starting, a process whose only work was that
    // conversion ended before the worker could answer or fail.
    return new Worker(source.entry, { eval: source.eval, resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb, maxYoungGenerationSizeMb: 16 } });
  }

  /** Listens to the slot's worker; its events count only while it is the slot's worker and the slot is in use. */
  private listen(slot: Slot): void {
    const worker = slot.worker;
    const current = (): boolean => slot.worker === worker && !slot.retired;
    worker.on('message', (message: WorkerMessage) => {
      if (!current()) return;
      if (message === 'ready' || message === 'converters-loaded') {
        if (message === 'ready') slot.ready = true;
        else slot.converters = 'loaded';
        if (slot.timer !== null) clearTimeout(slot.timer);
        slot.timer = null;
        this.dispatch();
        return;
      }
      if ('convertersFailed' in message) {
        this.failedToStart(slot, `its converters did not load: ${message.convertersFailed}`);
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
    // Dying while starting or loading the converters would most likely happen again: that worker failed to start.
    const starting = (): boolean => !slot.ready || slot.converters === 'loading';
    worker.on('error', (error) => {
      if (current() && starting()) this.failedToStart(slot, error.message);
      else if (current()) this.replace(slot, new QuireError('too-costly', `The conversion needed more than the server allows (${error.message.slice(0, 120)}).`));
    });
    worker.on('exit', () => {
      if (!this.closed && current() && starting()) this.failedToStart(slot, 'it stopped');
      else if (!this.closed && current()) this.replace(slot, new QuireError('conversion-failed', 'The conversion worker stopped.'));
    });
  }

  private dispatch(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (slot.job !== null || !slot.ready || slot.converters === 'loading') continue;
      const job = this.queue[0];
      if (job === undefined) {
        this.retireWhenIdle(slot);
        continue;
      }
      if (job.request.kind !== 'compact' && slot.converters === 'none') {
        this.loadConverters(slot);
        continue;
      }
      this.queue.shift();
      if (slot.timer !== null) clearTimeout(slot.timer);
      slot.job = job;
      slot.worker.ref();
      slot.timer = setTimeout(() => {
        this.replace(slot, new QuireError('too-costly', `The conversion took longer than the ${this.timeoutMs} ms the server allows.`));
      }, this.timeoutMs);
      slot.worker.postMessage({ id: job.id, request: job.request });
    }
  }

  /** Has the slot's worker load its converters, within startTimeoutMs; the conversion waits in the queue meanwhile. */
  private loadConverters(slot: Slot): void {
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.converters = 'loading';
    // A conversion waits for this load: it keeps the process alive, as a starting worker does.
    slot.worker.ref();
    const worker = slot.worker;
    slot.timer = setTimeout(() => {
      if (slot.worker === worker && slot.converters === 'loading') this.failedToStart(slot, `its converters did not load within ${this.startTimeoutMs} ms`);
    }, this.startTimeoutMs);
    slot.worker.postMessage('load-converters');
  }

  /** Stops the slot's worker once it has been idle for `idleMs`, and gives up the slot. */
  private retireWhenIdle(slot: Slot): void {
    // An idle worker must not keep the process alive.
    slot.worker.unref();
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
    slot.converters = 'none';
    this.listen(slot);
    this.watchStart(slot);
    void old.terminate();
    this.dispatch();
  }
}
