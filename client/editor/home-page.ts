/**
 * The home page (`/`): a button that starts a new document (created by the server, which
 * answers with its edit link; without a connection, made on this device and created on the server
 * when its page is next online, see offline-created.ts), and the documents recently opened in this
 * browser, with their titles, newest first, each marked when it opens offline.
 */
import { isDocId, newDocId } from '../../shared/doc-id.js';
import { browserStorage, byId } from './dom.js';
import { keepLinks, type KeptLink } from './kept-links.js';
import { icon } from './icons.js';
import type { KeyValueStorage } from './identity.js';
import { noteCreatedOffline } from './offline-created.js';
import { evictStaleCopies, listCopies } from './offline-copies.js';
import { registerServiceWorker } from './service-worker-registration.js';
import { forgetDoc, listRecentDocs, openedAgo, RECENT_STORAGE_KEY, type RecentDoc } from './recent-docs.js';

function recentItem(doc: RecentDoc, now: number, storage: KeyValueStorage | null, offline: boolean, rerender: () => void): HTMLLIElement {
  const item = document.createElement('li');
  item.className = 'recent-item';

  const docIcon = icon('doc');
  docIcon.classList.add('recent-icon');

  const body = document.createElement('div');
  body.className = 'recent-body';
  const link = document.createElement('a');
  link.href = `/d/${encodeURIComponent(doc.id)}`;
  link.className = doc.title === '' ? 'recent-title is-untitled' : 'recent-title';
  link.textContent = doc.title === '' ? 'Untitled' : doc.title;
  const meta = document.createElement('span');
  meta.className = 'recent-meta';
  meta.textContent = `Opened ${openedAgo(doc.openedAt, now)}`;
  const opened = new Date(doc.openedAt);
  meta.title = opened.toLocaleString();
  body.append(link, meta);
  if (offline) {
    const mark = document.createElement('span');
    mark.className = 'recent-offline';
    mark.textContent = 'Available offline';
    mark.title = 'This browser keeps a copy: it opens without a connection.';
    body.append(mark);
  }

  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'icon-button recent-remove';
  remove.setAttribute('aria-label', `Remove “${link.textContent}” from this list`);
  remove.dataset['tooltip'] = 'Remove from list';
  remove.append(icon('close'));
  remove.addEventListener('click', () => {
    forgetDoc(storage, doc.id);
    rerender();
  });

  item.append(docIcon, body, remove);
  return item;
}

/** Draws the list; `copies` are the documents this browser keeps for offline use. */
function renderRecent(storage: KeyValueStorage | null, copies: ReadonlySet<string>): void {
  const list = byId('recent');
  const empty = byId('recent-empty');
  const docs = listRecentDocs(storage);
  const now = Date.now();
  const rerender = (): void => renderRecent(storage, copies);
  list.replaceChildren(...docs.map((doc) => recentItem(doc, now, storage, copies.has(doc.id), rerender)));
  list.hidden = docs.length === 0;
  empty.hidden = docs.length > 0;
}

/**
 * Creates a document through the API and returns the name to open it by: its owner link's token,
 * whose URL this browser keeps with the edit and view links'. Without a connection, makes the id
 * here and leaves the creation to the document's page. Throws an Error with a sentence.
 */
async function createDocument(storage: KeyValueStorage | null): Promise<string> {
  let response: Response;
  try {
    if (!navigator.onLine) throw new Error('offline');
    response = await fetch('/api/docs', { method: 'POST', headers: { accept: 'application/json' }, credentials: 'same-origin' });
  } catch {
    const id = newDocId();
    noteCreatedOffline(storage, id);
    return id;
  }
  const body = (await response.json().catch(() => null)) as Partial<Record<'id' | 'ownerUrl' | 'editUrl' | 'viewUrl', unknown>> & { error?: { message?: unknown } } | null;
  const ownerToken = typeof body?.ownerUrl === 'string' ? lastSegment(body.ownerUrl) : null;
  if (!response.ok || !isDocId(body?.id) || ownerToken === null) {
    const message = body?.error?.message;
    throw new Error(typeof message === 'string' ? `No document could be started: ${message}` : `No document could be started (the server answered ${response.status}).`);
  }
  // The server shows these URLs only now: this browser keeps them for the share dialog.
  const made: KeptLink[] = [{ name: 'Owner link', role: 'owner', url: String(body.ownerUrl) }];
  if (typeof body.editUrl === 'string') made.push({ name: 'Edit link', role: 'edit', url: body.editUrl });
  if (typeof body.viewUrl === 'string') made.push({ name: 'View link', role: 'view', url: body.viewUrl });
  keepLinks(storage, ownerToken, made);
  return ownerToken;
}

/** The token of a link URL (its last path segment), or null when it is not a document address. */
function lastSegment(url: string): string | null {
  const token = new URL(url, window.location.origin).pathname.split('/').pop() ?? '';
  return isDocId(token) ? token : null;
}

function main(): void {
  registerServiceWorker();
  const storage = browserStorage();
  const newDoc = byId('new-doc', HTMLButtonElement);
  const error = byId('new-doc-error');
  newDoc.prepend(icon('plus'));
  newDoc.addEventListener('click', async () => {
    newDoc.disabled = true;
    error.textContent = '';
    try {
      window.location.assign(`/d/${encodeURIComponent(await createDocument(storage))}`);
    } catch (failure) {
      error.textContent = (failure as Error).message;
      newDoc.disabled = false;
    }
  });
  let copies = new Set<string>();
  const render = (): void => renderRecent(storage, copies);
  render();
  void evictStaleCopies(storage)
    .then(listCopies)
    .then((names) => {
      copies = new Set(names);
      render();
    });
  // Titles change in editor tabs; keep this list current without a reload.
  window.addEventListener('storage', (event) => {
    if (event.key === RECENT_STORAGE_KEY || event.key === null) render();
  });
  // Coming back through the browser's history shows the page from its cache: refresh the list.
  window.addEventListener('pageshow', (event) => {
    newDoc.disabled = false;
    if (event.persisted) render();
  });
}

main();
