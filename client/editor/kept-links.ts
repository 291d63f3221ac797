/**
 * Link URLs this browser keeps. The server stores tokens only hashed, so a link's URL is seen
 * once, when it is made: the owner, edit and view links of a document created here, and the links
 * created in the share dialog, are kept in local storage under the name of the page they belong
 * to (the owner's token), each with what it is. DOM-free.
 */
import type { KeyValueStorage } from './identity.js';

export interface KeptLink {
  /** What the link is, as a person reads it: "Owner link", "Edit link", a label. */
  readonly name: string;
  readonly role: 'owner' | 'edit' | 'view';
  readonly url: string;
  /** The link's id on the server, when known (links made in the share dialog). */
  readonly id?: string;
}

const KEY_PREFIX = 'quire:kept-links:';

function isKeptLink(value: unknown): value is KeptLink {
  if (typeof value !== 'object' || value === null) return false;
  const link = value as Record<string, unknown>;
  return typeof link['name'] === 'string' && typeof link['url'] === 'string' && (link['role'] === 'owner' || link['role'] === 'edit' || link['role'] === 'view');
}

/** The links kept for a page, oldest first. */
export function keptLinks(storage: KeyValueStorage | null, pageName: string): KeptLink[] {
  const raw = storage?.getItem(KEY_PREFIX + pageName) ?? null;
  if (raw === null) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter(isKeptLink) : [];
  } catch {
    return [];
  }
}

/** Keeps more links for a page (a link already kept, by URL, is not kept twice). */
export function keepLinks(storage: KeyValueStorage | null, pageName: string, links: readonly KeptLink[]): void {
  if (storage === null) return;
  const kept = keptLinks(storage, pageName);
  const urls = new Set(kept.map((link) => link.url));
  try {
    storage.setItem(KEY_PREFIX + pageName, JSON.stringify([...kept, ...links.filter((link) => !urls.has(link.url))]));
  } catch {
    // Storage full or refused: the links still show until the page closes.
  }
}

/** Forgets a kept link by its server id (it was revoked). */
export function forgetKeptLink(storage: KeyValueStorage | null, pageName: string, id: string): void {
  if (storage === null) return;
  const kept = keptLinks(storage, pageName).filter((link) => link.id !== id);
  storage.setItem(KEY_PREFIX + pageName, JSON.stringify(kept));
}
