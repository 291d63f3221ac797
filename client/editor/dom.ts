/**
 * Small DOM helpers shared by the pages: typed element lookup that fails loudly when the
 * page's markup and its script disagree, access to localStorage that tolerates browsers
 * where it is disabled, and saving a file.
 */
import type { KeyValueStorage } from './identity.js';

type ElementClass<T extends HTMLElement> = abstract new (...args: never[]) => T;

/**
 * The element with `id`, checked to be an instance of `type` (HTMLElement by default).
 * Throws a RangeError naming the id when it is missing or of another kind.
 */
export function byId(id: string): HTMLElement;
export function byId<T extends HTMLElement>(id: string, type: ElementClass<T>): T;
export function byId(id: string, type: ElementClass<HTMLElement> = HTMLElement): HTMLElement {
  const element = document.getElementById(id);
  if (!(element instanceof type)) {
    throw new RangeError(`The page has no ${type.name} with id "${id}"; its markup and script disagree.`);
  }
  return element;
}

/** localStorage, or null where the browser refuses it (some private modes, sandboxed frames). */
export function browserStorage(): KeyValueStorage | null {
  try {
    const storage = window.localStorage;
    const probe = 'quire:probe';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return storage;
  } catch {
    return null;
  }
}

/** Saves `blob` as a file called `name` (through a temporary link; no page navigation). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by now; the URL is only needed for that.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
