/**
 * Keeps a `KeptChanges` count in step with the page: local edits count, and everything is settled
 * once the server confirmed that it holds the whole local document (after the offline copy was
 * read, so a copy that is still loading is not taken for saved).
 */
import type { IndexeddbPersistence } from 'y-indexeddb';
import type { DocProvider } from '../provider.js';
import type { KeptChanges } from './kept-changes.js';

export function watchKeptChanges(kept: KeptChanges, provider: DocProvider, persistence: IndexeddbPersistence, changed: () => void): void {
  provider.doc.on('update', (_update: Uint8Array, origin: unknown) => {
    if (origin === provider || origin === persistence || provider.role === 'view') return;
    if (kept.noteEdit()) changed();
  });
  const settle = (): void => {
    if (provider.isSaved && provider.status === 'synced' && persistence.synced && kept.settle()) changed();
  };
  provider.on('unsaved', settle);
  provider.on('synced', settle);
}
