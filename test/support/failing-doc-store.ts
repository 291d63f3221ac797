/**
 * A fault-injection DocStore for tests: it forwards every call to a real backend unchanged, except
 * that while `failing` is true, `append` rejects the way a full disk would, without writing
 * anything, and while `failLoadsAfter` is set, `load` waits for it and then rejects the way an
 * unreadable disk would. It stands in for the disk, not for the store's logic: compaction,
 * deletes, links and view tokens always reach the real backend.
 */
import type { AppendEntry, StoredDoc } from '../../storage/doc-store.js';
import { ForwardingDocStore } from '../../storage/forwarding-doc-store.js';

export class FailingDocStore extends ForwardingDocStore {
  /** While true, every `append` rejects and writes nothing. */
  failing = false;
  /** Appends refused so far. */
  refusedAppends = 0;
  /** Appends passed to the real backend so far. */
  passedAppends = 0;
  /** While set, every `load` waits for it, then rejects and reads nothing. */
  failLoadsAfter: Promise<void> | null = null;

  override async load(docName: string): Promise<StoredDoc | null> {
    const gate = this.failLoadsAfter;
    if (gate === null) return this.inner.load(docName);
    await gate;
    const error = new Error('EIO: i/o error, read (injected by FailingDocStore)') as NodeJS.ErrnoException;
    error.code = 'EIO';
    throw error;
  }

  override async append(entries: readonly AppendEntry[]): Promise<void> {
    if (this.failing) {
      this.refusedAppends++;
      const error = new Error('ENOSPC: no space left on device, write (injected by FailingDocStore)') as NodeJS.ErrnoException;
      error.code = 'ENOSPC';
      throw error;
    }
    this.passedAppends++;
    return this.inner.append(entries);
  }
}
