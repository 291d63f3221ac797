/**
 * A DocStore decorator for tests: forwards every call to a real backend unchanged, counts the
 * loads per document, and can hold back the result of loads (after the backend read them) until
 * released, so a test can make joins, unloads or a shutdown overlap a load for sure. It observes
 * and delays; it never changes a result.
 */
import type { StoredDoc } from '../../storage/doc-store.js';
import { ForwardingDocStore } from '../../storage/forwarding-doc-store.js';

export class CountingDocStore extends ForwardingDocStore {
  private readonly loadCounts = new Map<string, number>();
  private readonly finishedCounts = new Map<string, number>();
  private gate: Promise<void> | null = null;

  /** How many times `load(docName)` was called. */
  loadsOf(docName: string): number {
    return this.loadCounts.get(docName) ?? 0;
  }

  /** How many loads of `docName` have returned their result to the caller. */
  finishedLoadsOf(docName: string): number {
    return this.finishedCounts.get(docName) ?? 0;
  }

  /**
   * Holds back every load's result (the backend read is done first) until the returned function
   * is called. Only one hold at a time.
   */
  holdLoads(): () => void {
    if (this.gate !== null) throw new RangeError('Loads are already held; release the first hold before taking another.');
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.gate = null;
      release();
    };
  }

  override async load(docName: string): Promise<StoredDoc | null> {
    this.loadCounts.set(docName, this.loadsOf(docName) + 1);
    const gate = this.gate;
    try {
      const result = await this.inner.load(docName);
      if (gate !== null) await gate;
      return result;
    } finally {
      this.finishedCounts.set(docName, this.finishedLoadsOf(docName) + 1);
    }
  }
}
