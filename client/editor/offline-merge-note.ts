/**
 * The "While you were offline" note: when a (re)connection merges other people's changes into
 * changes this device kept (written offline, or restored from IndexedDB), the page says how many
 * changes arrived and from whom. Names come from presence: the awareness state of the Yjs client
 * whose content arrived (people who are not here now are counted without a name).
 */
import * as Y from 'yjs';
import type { DocProvider } from '../provider.js';
import type { KeptChanges } from './kept-changes.js';
import { offlineMergeText, type MergedChanges } from './offline-merge-text.js';

/** How long after the handshake presence may take to arrive before the note is written. */
const NAMES_WAIT_MS = 1000;

/**
 * The Yjs client ids of the content in `update`, each with its runs of content. (Deletions are
 * not counted: a handshake's delete set is the whole document's, not what is new.)
 */
function writersOf(update: Uint8Array): Map<number, number> {
  const { structs } = Y.decodeUpdate(update);
  const clients = new Map<number, number>();
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue;
    clients.set(struct.id.client, (clients.get(struct.id.client) ?? 0) + 1);
  }
  return clients;
}

function userName(state: Record<string, unknown> | undefined): string | null {
  const user = state?.['user'];
  if (typeof user !== 'object' || user === null) return null;
  const name = (user as { name?: unknown }).name;
  return typeof name === 'string' && name.trim() !== '' ? name.trim() : null;
}

/** Watches `provider`; calls `show` with the note's text after a reconnect that merged others' changes. */
export function watchOfflineMerges(provider: DocProvider, kept: KeptChanges, show: (text: string) => void): void {
  let collecting = false;
  let changes = 0;
  const writers = new Set<number>();

  provider.on('status', (status) => {
    // Joined: what the server sends before the handshake completes is what we missed.
    if (status === 'connected') {
      collecting = kept.value > 0;
      changes = 0;
      writers.clear();
    }
  });
  provider.doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (!collecting || origin !== provider) return;
    const clients = writersOf(update);
    clients.delete(provider.doc.clientID);
    for (const [client, runs] of clients) {
      writers.add(client);
      changes += runs;
    }
  });
  provider.on('synced', () => {
    if (!collecting) return;
    collecting = false;
    if (changes === 0) return;
    const arrived = { changes, writers: [...writers] };
    setTimeout(() => {
      const states = provider.awareness.getStates();
      const names: string[] = [];
      let unnamed = 0;
      for (const client of arrived.writers) {
        const name = userName(states.get(client));
        if (name === null) unnamed++;
        else if (!names.includes(name)) names.push(name);
      }
      const merged: MergedChanges = { changes: arrived.changes, names, unnamed };
      const text = offlineMergeText(merged);
      if (text !== null) show(text);
    }, NAMES_WAIT_MS);
  });
}
