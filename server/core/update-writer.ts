/**
 * Durable appends, grouped. Every update appended in one event-loop turn goes to storage in one
 * batch; while a batch is being written the next one gathers. A failed batch is never dropped: it
 * is retried with backoff, ahead of anything newer, until it is written, and nobody is told "saved"
 * in the meantime. The one exception is a document that was purged: storage refuses it for ever,
 * so its entries are dropped (their appends reject with `doc-deleted`) and the rest is retried.
 */
import { QuireError } from '../../shared/errors.js';
import type { AppendEntry, DocStore } from '../../storage/doc-store.js';
import { DocStatusError } from '../../storage/store-errors.js';
import type { QuireObserver } from './hooks.js';

interface PendingEntry extends AppendEntry {
  readonly done: () => void;
  readonly refused: (error: Error) => void;
}

export interface UpdateWriterOptions {
  /** Told of every failed write attempt (before it is retried) and every batch written. */
  readonly observer?: Pick<QuireObserver, 'storeWriteFailed' | 'changesStored'>;
  readonly maxBatchEntries?: number;
  readonly retryDelayMs?: { readonly initial: number; readonly max: number };
}

export class UpdateWriter {
  private readonly store: DocStore;
  private readonly options: UpdateWriterOptions;
  private queue: PendingEntry[] = [];
  private writing = false;
  private scheduled = false;
  private closed = false;
  private failing = false;
  /** Per document, the promise of its newest pending write; removed once it settles. */
  private readonly tails = new Map<string, Promise<void>>();
  private idleWaiters: Array<() => void> = [];

  constructor(store: DocStore, options: UpdateWriterOptions = {}) {
    this.store = store;
    this.options = options;
  }

  /** True while the last write attempt failed (storage unavailable). */
  get isFailing(): boolean {
    return this.failing;
  }

  /** Queues an update; resolves once it is durable. */
  append(docName: string, update: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The update writer is closed; nothing more can be appended.'));
    const written = new Promise<void>((resolve, reject) => {
      this.queue.push({ docName, update, done: resolve, refused: reject });
    });
    // `settled` never rejects: it says when the document's queue is done with, written or refused.
    const tail = written.catch(() => undefined);
    this.tails.set(docName, tail);
    void tail.then(() => {
      if (this.tails.get(docName) === tail) this.tails.delete(docName);
    });
    this.schedule();
    return written;
  }

  /** Resolves once every update queued so far for this document is durable. */
  settled(docName: string): Promise<void> {
    return this.tails.get(docName) ?? Promise.resolve();
  }

  /** Resolves once everything queued so far is durable. */
  flush(): Promise<void> {
    if (!this.writing && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops accepting appends; resolves when the queue is written (or rejects after `timeoutMs`). */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Storage did not accept ${this.queue.length} pending updates within ${timeoutMs} ms.`)), timeoutMs);
    });
    try {
      await Promise.race([this.flush(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Drops the queued entries of documents the store refused as purged; false when there were none. */
  private dropPurged(error: DocStatusError): boolean {
    const purged = purgedDocs(error);
    const dropped = this.queue.filter((entry) => purged.has(entry.docName));
    if (dropped.length === 0) return false;
    this.queue = this.queue.filter((entry) => !purged.has(entry.docName));
    const refusal = new QuireError('doc-deleted', 'This document was deleted.');
    for (const entry of dropped) entry.refused(refusal);
    return true;
  }

  private schedule(): void {
    if (this.scheduled || this.writing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    const maxEntries = this.options.maxBatchEntries ?? 2000;
    const delays = this.options.retryDelayMs ?? { initial: 100, max: 5000 };
    let attempt = 0;
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, maxEntries);
      const started = performance.now();
      try {
        await this.store.append(batch);
      } catch (error) {
        if (error instanceof DocStatusError && this.dropPurged(error)) continue;
        attempt++;
        this.failing = true;
        this.options.observer?.storeWriteFailed?.({ error, attempt });
        await sleep(Math.min(delays.max, delays.initial * 2 ** Math.min(attempt - 1, 10)));
        continue;
      }
      attempt = 0;
      this.failing = false;
      this.queue.splice(0, batch.length);
      let bytes = 0;
      for (const entry of batch) bytes += entry.update.length;
      this.options.observer?.changesStored?.({ entries: batch.length, bytes, seconds: (performance.now() - started) / 1000 });
      for (const entry of batch) entry.done();
    }
    this.writing = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

/** The purged documents a refusal names. */
function purgedDocs(error: DocStatusError): Set<string> {
  return new Set(error.docs.filter((doc) => doc.status === 'purged').map((doc) => doc.docName));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
