/**
 * The session secret this device uses for a document, kept in localStorage beside its offline
 * copy. The server lets only the session that introduced a Yjs client id write under it, so the
 * changes of an earlier page of this device (restored from IndexedDB after a reload, or when the
 * link is opened again offline) reach the server only if the new page presents the same session.
 */
import { newSessionSecret } from '../session.js';
import type { KeyValueStorage } from './identity.js';

const KEY_PREFIX = 'quire:session:';
const SESSION_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

/** The document's session on this device, made and kept on first use. */
export function deviceSession(storage: KeyValueStorage | null, docName: string): string {
  const kept = storage?.getItem(KEY_PREFIX + docName) ?? null;
  if (kept !== null && SESSION_SHAPE.test(kept)) return kept;
  const session = newSessionSecret();
  try {
    storage?.setItem(KEY_PREFIX + docName, session);
  } catch {
    // Without storage each page is a client of its own; only restored changes of others wait.
  }
  return session;
}

/** Forgets the document's session (its offline copy was removed). */
export function forgetDeviceSession(storage: KeyValueStorage | null, docName: string): void {
  try {
    storage?.removeItem(KEY_PREFIX + docName);
  } catch {
    // Nothing kept.
  }
}
