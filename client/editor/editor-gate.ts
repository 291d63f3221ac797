/**
 * When a document page may show its editor. A page must never show an editor for a document the
 * server refuses (one that does not exist, a revoked link…), so the editor stays hidden until:
 * - the server accepted the join (the provider reports a role), or
 * - the server cannot be reached (the page then works offline, on what this browser kept), or
 * - this browser kept a copy of the document and the server has not refused it within
 *   `LOCAL_COPY_GRACE_MS` (a slow server must not keep someone from their own work), or
 * - the server answered the join with an error that is no refusal (its storage is down, say).
 * A refusal, whenever it comes, wins: the page then shows why instead (see refusal.ts).
 */
import type { IndexeddbPersistence } from 'y-indexeddb';
import type * as Y from 'yjs';
import type { DocProvider } from '../provider.js';

/** How long a locally kept copy waits for the server's answer before it is shown anyway. */
export const LOCAL_COPY_GRACE_MS = 1500;

export interface GateOptions {
  readonly provider: DocProvider;
  readonly persistence: IndexeddbPersistence;
  readonly fragment: Y.XmlFragment;
  /** Whether the page was refused (then nothing is revealed any more). */
  readonly refused: () => boolean;
  /** Shows the editor; called at most once. */
  readonly reveal: () => void;
}

/**
 * Starts watching for the moment the editor may show. Returns a function that shows it now (for
 * a server error that is no refusal: the page then works on what this browser kept).
 */
export function gateEditor(options: GateOptions): () => void {
  const { provider, persistence, fragment } = options;
  let revealed = false;
  let graceTimer: ReturnType<typeof setTimeout> | null = null;
  const reveal = (): void => {
    if (revealed || options.refused()) return;
    revealed = true;
    if (graceTimer !== null) clearTimeout(graceTimer);
    options.reveal();
  };
  provider.on('role', reveal);
  provider.channel.on('connect-failed', reveal);
  window.addEventListener('offline', reveal);
  if (!navigator.onLine) reveal();
  const afterLocalLoad = (): void => {
    if (fragment.length > 0 && !revealed) graceTimer = setTimeout(reveal, LOCAL_COPY_GRACE_MS);
  };
  if (persistence.synced) afterLocalLoad();
  else persistence.once('synced', afterLocalLoad);
  return reveal;
}
