/**
 * How many changes this device holds that the server has not confirmed, counted in changes a
 * person would name (a run of typing is one change; a pause of `CHANGE_PAUSE_MS` starts the next),
 * not in keystrokes or messages. The count is kept in localStorage per document, so that after a
 * reload, or when the page is opened again offline, the changes restored from IndexedDB still
 * count as unsaved until the server confirms that it holds everything (the provider's `isSaved`).
 * DOM-free apart from the storage it is handed.
 */
import type { KeyValueStorage } from './identity.js';

/** A pause in editing this long ends one change; the next edit starts another. */
export const CHANGE_PAUSE_MS = 1500;
const KEY_PREFIX = 'quire:kept:';

function readCount(storage: KeyValueStorage | null, docName: string): number {
  const value = Number(storage?.getItem(KEY_PREFIX + docName) ?? '0');
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** Whether this device holds changes to `docName` the server has not confirmed. */
export function hasKeptChanges(storage: KeyValueStorage | null, docName: string): boolean {
  return readCount(storage, docName) > 0;
}

/** Forgets the count for `docName` (its offline copy is being removed). */
export function forgetKeptChanges(storage: KeyValueStorage | null, docName: string): void {
  try {
    storage?.removeItem(KEY_PREFIX + docName);
  } catch {
    // A disabled storage has nothing to forget.
  }
}

export class KeptChanges {
  private count: number;
  private lastEditAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly storage: KeyValueStorage | null,
    private readonly docName: string,
    private readonly now: () => number = Date.now,
  ) {
    this.count = readCount(storage, docName);
  }

  /** Changes not confirmed by the server, restored ones included. */
  get value(): number {
    return this.count;
  }

  /** Notes a local edit; returns true when it started a new change (the count grew). */
  noteEdit(): boolean {
    const at = this.now();
    const starts = this.count === 0 || at - this.lastEditAt >= CHANGE_PAUSE_MS;
    this.lastEditAt = at;
    if (!starts) return false;
    this.count++;
    this.write();
    return true;
  }

  /** The server confirmed it holds everything: nothing is kept any more. Returns true if the count changed. */
  settle(): boolean {
    this.lastEditAt = Number.NEGATIVE_INFINITY;
    if (this.count === 0) return false;
    this.count = 0;
    forgetKeptChanges(this.storage, this.docName);
    return true;
  }

  private write(): void {
    try {
      this.storage?.setItem(KEY_PREFIX + this.docName, String(this.count));
    } catch {
      // A full storage only costs the count after a reload.
    }
  }
}
