/**
 * Which document a page address opens: `/d/<id>` opens document `<id>` for editing, and
 * `/v/<token>` opens the document behind a view-only link under the name `v.<token>`.
 * DOM-free.
 */
import { isDocId, isViewToken, viewKeyOf } from '../../shared/doc-id.js';

export type PageRoute =
  | { readonly kind: 'edit'; readonly docId: string; readonly docName: string }
  | { readonly kind: 'view'; readonly token: string; readonly docName: string };

/** The route for `pathname`, or null when it is not a well-formed document address. */
export function routeFromPath(pathname: string): PageRoute | null {
  const match = /^\/([dv])\/([^/]+)\/?$/.exec(pathname);
  if (!match) return null;
  const [, kind, rawKey] = match;
  let key: string;
  try {
    key = decodeURIComponent(rawKey ?? '');
  } catch {
    return null;
  }
  if (kind === 'd') return isDocId(key) ? { kind: 'edit', docId: key, docName: key } : null;
  return isViewToken(key) ? { kind: 'view', token: key, docName: viewKeyOf(key) } : null;
}
