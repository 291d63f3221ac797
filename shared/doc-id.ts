/**
 * Document names on the wire. A client joins a document by one of two names:
 * - a document id: 16 to 64 characters of `A-Z a-z 0-9 _ -`; ids Quire makes are 22 characters
 *   from 16 random bytes (128 bits). Knowing the id grants the `edit` role.
 * - a view key: `v.` followed by a 32-character view token (192 random bits). It maps to the `view`
 *   role, and the document id cannot be derived from it.
 * Both are checked here, before anything touches storage; a name that is neither is refused.
 *
 * A link token (`/d/<token>`, see server/core/links.ts) has the shape of a document id: 32
 * characters, 192 random bits. The server tells the two apart by looking the name up among the
 * document's links; the page and the wire treat both as the name of a document.
 */

export const DOC_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
export const VIEW_TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;
export const VIEW_KEY_PREFIX = 'v.';
/** Longest string that can possibly be a valid document name; longer input is refused unread. */
export const MAX_DOC_NAME_LENGTH = 64;

export type DocName =
  | { readonly kind: 'id'; readonly docName: string }
  | { readonly kind: 'view'; readonly token: string };

export function isDocId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_DOC_NAME_LENGTH && DOC_ID_PATTERN.test(value);
}

export function isViewToken(value: unknown): value is string {
  return typeof value === 'string' && value.length === 32 && VIEW_TOKEN_PATTERN.test(value);
}

/** Parses a document name from the wire; returns null for anything that is not a valid name. */
export function parseDocName(value: unknown): DocName | null {
  if (typeof value !== 'string' || value.length > MAX_DOC_NAME_LENGTH) return null;
  if (value.startsWith(VIEW_KEY_PREFIX)) {
    const token = value.slice(VIEW_KEY_PREFIX.length);
    return isViewToken(token) ? { kind: 'view', token } : null;
  }
  return isDocId(value) ? { kind: 'id', docName: value } : null;
}

export function viewKeyOf(token: string): string {
  return VIEW_KEY_PREFIX + token;
}

function randomBase64Url(byteCount: number): string {
  const bytes = new Uint8Array(byteCount);
  globalThis.crypto.getRandomValues(bytes);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A new random document id: 22 URL-safe characters, 128 random bits. */
export function newDocId(): string {
  return randomBase64Url(16);
}

/** A new random link token: 32 URL-safe characters, 192 random bits; shaped like a document id. */
export function newLinkToken(): string {
  return randomBase64Url(24);
}

/** A new random view token: 32 URL-safe characters, 192 random bits. */
export function newViewToken(): string {
  return randomBase64Url(24);
}
