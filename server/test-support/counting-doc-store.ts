/**
 * A DocStore decorator for tests: forwards every call to a real backend unchanged, counts the
 * loads per document, and can hold each load back for a while so that concurrent joins are sure
 * to overlap it. It observes; it never changes a result.
 */
import type { AppendEntry, CompactResult, DocStore, DocSummary, StoredDoc } from '../../storage/doc-store.js';

export class CountingDocStore implements DocStore {
  private readonly inner: DocStore;
  private readonly loadCounts = new Map<string, number>();
  /** Extra delay before each load reaches the backend, in ms. */
  loadDelayMs: number;

  constructor(inner: DocStore, options: { loadDelayMs?: number } = {}) {
    this.inner = inner;
    this.loadDelayMs = options.loadDelayMs ?? 0;
  }

  /** How many times `load(docId)` was called. */
  loadsOf(docId: string): number {
    return this.loadCounts.get(docId) ?? 0;
  }

  async load(docId: string): Promise<StoredDoc | null> {
    this.loadCounts.set(docId, this.loadsOf(docId) + 1);
    if (this.loadDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.loadDelayMs));
    return this.inner.load(docId);
  }
  append(entries: readonly AppendEntry[]): Promise<void> {
    return this.inner.append(entries);
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
