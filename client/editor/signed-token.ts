/**
 * A signed token an embedding application put in the page's address (`/d/<id>#token=<jwt>`): the
 * fragment never reaches a server or its logs. The page takes it out of the address bar, so that
 * it is not copied along with the address, and keeps it for this tab only, so a reload still has it.
 */
const SESSION_PREFIX = 'quire:signed-token:';

/** The signed token for `docName`, from the address (then removed from it) or from this tab's storage. */
export function takeSignedToken(docName: string): string | null {
  const fromHash = /^#token=([A-Za-z0-9_.-]{1,4096})$/.exec(window.location.hash)?.[1] ?? null;
  let tab: Storage | null = null;
  try {
    tab = window.sessionStorage;
  } catch {
    // Storage refused (a sandboxed frame): the token lives until the page closes.
  }
  if (fromHash !== null) {
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    try {
      tab?.setItem(SESSION_PREFIX + docName, fromHash);
    } catch {
      // As above.
    }
    return fromHash;
  }
  return tab?.getItem(SESSION_PREFIX + docName) ?? null;
}
