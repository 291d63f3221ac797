/**
 * A fault-injection DocStore for tests: it forwards every call to a real backend unchanged, except
 * that while `failing` is true, `append` rejects the way a full disk would, without writing
 * anything. It stands in for the disk, not for the store's logic: reads, compaction, deletes and
 * view tokens always reach the real backend.
 */
import type { AppendEntry, CompactResult, DocStore, DocSummary, StoredDoc } from '../../storage/doc-store.js';

export class FailingDocStore implements DocStore {
  private readonly inner: DocStore;
  /** While true, every `append` rejects and writes nothing. */
  failing = false;
  /** Appends refused so far. */
  refusedAppends = 0;
  /** Appends passed to the real backend so far. */
  passedAppends = 0;

  constructor(inner: DocStore) {
    this.inner = inner;
  }

  async append(entries: readonly AppendEntry[]): Promise<void> {
    if (this.failing) {
      this.refusedAppends++;
      const error = new Error('ENOSPC: no space left on device, write (injected by FailingDocStore)') as NodeJS.ErrnoException;
      error.code = 'ENOSPC';
      throw error;
    }
    this.passedAppends++;
    return this.inner.append(entries);
  }
  load(docId: string): Promise<StoredDoc | null> {
    return this.inner.load(docId);
  }
  compact(docId: string): Promise<CompactResult> {
    return this.inner.compact(docId);
  }
  delete(docId: string): Promise<void> {
    return this.inner.delete(docId);
  }
  list(): Promise<DocSummary[]> {
    return this.inner.list();
  }
  stat(docId: string): Promise<DocSummary | null> {
    return this.inner.stat(docId);
  }
  getViewToken(docId: string): Promise<string | null> {
    return this.inner.getViewToken(docId);
  }
  setViewToken(docId: string, token: string): Promise<void> {
    return this.inner.setViewToken(docId, token);
  }
  resolveViewToken(token: string): Promise<string | null> {
    return this.inner.resolveViewToken(token);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
