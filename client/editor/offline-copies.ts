/**
 * The copies of documents this browser keeps in IndexedDB (y-indexeddb, one database named
 * `quire:<document name>` each): when each was last opened, which ones there are, and removing
 * those not opened for a while. A copy holding changes the server has not confirmed is never
 * removed (kept-changes.ts). How long copies are kept is a setting of this device, in
 * localStorage (`quire:offline-keep-days`, default `DEFAULT_KEEP_DAYS`).
 */
import { forgetDeviceSession } from './device-session.js';
import type { KeyValueStorage } from './identity.js';
import { forgetKeptChanges, hasKeptChanges } from './kept-changes.js';

export const DB_PREFIX = 'quire:';
export const DEFAULT_KEEP_DAYS = 30;
const OPENED_KEY = 'quire:offline-opened';
const KEEP_DAYS_KEY = 'quire:offline-keep-days';
const DAY_MS = 24 * 60 * 60 * 1000;

function readOpened(storage: KeyValueStorage | null): Record<string, number> {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(OPENED_KEY) ?? '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const opened: Record<string, number> = {};
    for (const [name, at] of Object.entries(parsed)) if (typeof at === 'number' && Number.isFinite(at)) opened[name] = at;
    return opened;
  } catch {
    return {};
  }
}

function writeOpened(storage: KeyValueStorage | null, opened: Record<string, number>): void {
  try {
    storage?.setItem(OPENED_KEY, JSON.stringify(opened));
  } catch {
    // Without the record copies are only kept longer.
  }
}

/** Records that the copy of `docName` was opened now. */
export function noteCopyOpened(storage: KeyValueStorage | null, docName: string, now: number = Date.now()): void {
  writeOpened(storage, { ...readOpened(storage), [docName]: now });
}

/** How long a copy not opened is kept, in milliseconds. */
export function keepCopiesMs(storage: KeyValueStorage | null): number {
  const days = Number(storage?.getItem(KEEP_DAYS_KEY) ?? DEFAULT_KEEP_DAYS);
  return (Number.isFinite(days) && days >= 0 ? days : DEFAULT_KEEP_DAYS) * DAY_MS;
}

/**
 * Which of the kept copies (`docNames`) to remove at `now`: those last opened longer than the
 * keep time ago, unless they hold unconfirmed changes. A copy never recorded as opened starts its
 * time now (it is recorded, not removed).
 */
export function staleCopies(storage: KeyValueStorage | null, docNames: readonly string[], now: number = Date.now()): string[] {
  const opened = readOpened(storage);
  const keepMs = keepCopiesMs(storage);
  const stale: string[] = [];
  let recorded = false;
  for (const name of docNames) {
    const at = opened[name];
    if (at === undefined) {
      opened[name] = now;
      recorded = true;
    } else if (now - at > keepMs && !hasKeptChanges(storage, name)) {
      stale.push(name);
    }
  }
  if (recorded) writeOpened(storage, opened);
  return stale;
}

/** Forgets what is recorded of the copy of `docName` (it was removed). */
export function forgetCopy(storage: KeyValueStorage | null, docName: string): void {
  const opened = readOpened(storage);
  delete opened[docName];
  writeOpened(storage, opened);
  forgetKeptChanges(storage, docName);
  forgetDeviceSession(storage, docName);
}

/** The document names this browser keeps a copy of (empty where the browser cannot list them). */
export async function listCopies(): Promise<string[]> {
  if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return [];
  const databases = await indexedDB.databases();
  return databases.flatMap((db) => (db.name?.startsWith(DB_PREFIX) ? [db.name.slice(DB_PREFIX.length)] : []));
}

/**
 * Empties the copy of `docName` (its stored updates) without deleting its database: other tabs of
 * this browser may have it open, and y-indexeddb in a tab whose database was deleted under it
 * throws on every change after, before the tab's provider sees the change. What those tabs store
 * afterwards lands in the emptied copy. The copy's kept-changes count goes with it.
 */
export async function emptyCopy(storage: KeyValueStorage | null, docName: string): Promise<void> {
  forgetKeptChanges(storage, docName);
  if (typeof indexedDB === 'undefined') return;
  const db = await new Promise<IDBDatabase | null>((resolve) => {
    const request = indexedDB.open(DB_PREFIX + docName);
    request.onsuccess = () => resolve(request.result);
    request.onerror = request.onblocked = () => resolve(null);
  });
  if (db === null) return;
  try {
    if (!db.objectStoreNames.contains('updates')) return;
    await new Promise<void>((resolve) => {
      const transaction = db.transaction(['updates'], 'readwrite');
      transaction.objectStore('updates').clear();
      transaction.oncomplete = transaction.onerror = transaction.onabort = () => resolve();
    });
  } finally {
    db.close();
  }
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    // Blocked: a tab still has it open; it goes once that tab closes.
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}

/** Removes the stale copies; resolves to the names of the documents removed. */
export async function evictStaleCopies(storage: KeyValueStorage | null): Promise<string[]> {
  const stale = staleCopies(storage, await listCopies());
  for (const name of stale) {
    await deleteDatabase(DB_PREFIX + name);
    forgetCopy(storage, name);
  }
  return stale;
}
