/**
 * The documents recently opened in this browser, kept in localStorage for the home page: id,
 * last known title and when it was last opened, newest first. DOM-free apart from the storage
 * it is handed; damaged entries are dropped, never trusted.
 */
import { isDocId } from '../../shared/doc-id.js';
import type { KeyValueStorage } from './identity.js';

export const RECENT_STORAGE_KEY = 'quire:recent';
/** How many documents the list remembers; older ones fall off. */
export const MAX_RECENT_DOCS = 30;

export interface RecentDoc {
  readonly id: string;
  /** The document's title when it was last seen; '' when it had no text. */
  readonly title: string;
  /** Milliseconds since the epoch. */
  readonly openedAt: number;
}

function isRecentDoc(value: unknown): value is RecentDoc {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return isDocId(v['id']) && typeof v['title'] === 'string' && typeof v['openedAt'] === 'number' && Number.isFinite(v['openedAt']);
}

/** The remembered documents, newest first. Never throws. */
export function listRecentDocs(storage: KeyValueStorage | null): RecentDoc[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(storage?.getItem(RECENT_STORAGE_KEY) ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const newestFirst = parsed.filter(isRecentDoc).sort((a, b) => b.openedAt - a.openedAt);
  const seen = new Set<string>();
  const docs: RecentDoc[] = [];
  for (const doc of newestFirst) {
    if (seen.has(doc.id)) continue;
    seen.add(doc.id);
    docs.push(doc);
  }
  return docs.slice(0, MAX_RECENT_DOCS);
}

function write(storage: KeyValueStorage | null, docs: readonly RecentDoc[]): void {
  try {
    storage?.setItem(RECENT_STORAGE_KEY, JSON.stringify(docs.slice(0, MAX_RECENT_DOCS)));
  } catch {
    // A full or disabled storage only costs the recent list.
  }
}

/**
 * Records that document `id` was opened now (or at `now`), with its current title, moving it to
 * the top of the list. When `title` is undefined the previously known title is kept.
 */
export function rememberDoc(storage: KeyValueStorage | null, id: string, title?: string, now: number = Date.now()): void {
  if (!isDocId(id)) throw new RangeError(`Cannot remember "${id}": it is not a document id.`);
  const docs = listRecentDocs(storage);
  const previous = docs.find((d) => d.id === id);
  const entry: RecentDoc = { id, title: title ?? previous?.title ?? '', openedAt: now };
  write(storage, [entry, ...docs.filter((d) => d.id !== id)]);
}

/** Updates the remembered title of document `id`, if it is in the list; the order is kept. */
export function updateRecentTitle(storage: KeyValueStorage | null, id: string, title: string): void {
  const docs = listRecentDocs(storage);
  if (!docs.some((d) => d.id === id && d.title !== title)) return;
  write(storage, docs.map((d) => (d.id === id ? { ...d, title } : d)));
}

/** Removes document `id` from the list (the document itself is untouched). */
export function forgetDoc(storage: KeyValueStorage | null, id: string): void {
  const docs = listRecentDocs(storage);
  write(storage, docs.filter((d) => d.id !== id));
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 minutes ago", "yesterday", "3 days ago", or a date for older ones. */
export function openedAgo(openedAt: number, now: number): string {
  const elapsed = Math.max(0, now - openedAt);
  if (elapsed < MINUTE) return 'just now';
  if (elapsed < HOUR) {
    const minutes = Math.floor(elapsed / MINUTE);
    return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  }
  if (elapsed < DAY) {
    const hours = Math.floor(elapsed / HOUR);
    return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  }
  const days = Math.floor(elapsed / DAY);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  return new Date(openedAt).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}
