/**
 * The home page (`/`): a button that starts a new document under a fresh random id, and the
 * documents recently opened in this browser, with their titles, newest first.
 */
import { newDocId } from '../../shared/doc-id.js';
import { browserStorage, byId } from './dom.js';
import { icon } from './icons.js';
import type { KeyValueStorage } from './identity.js';
import { forgetDoc, listRecentDocs, openedAgo, RECENT_STORAGE_KEY, type RecentDoc } from './recent-docs.js';

function recentItem(doc: RecentDoc, now: number, storage: KeyValueStorage | null, rerender: () => void): HTMLLIElement {
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

function renderRecent(storage: KeyValueStorage | null): void {
  const list = byId('recent');
  const empty = byId('recent-empty');
  const docs = listRecentDocs(storage);
  const now = Date.now();
  const rerender = (): void => renderRecent(storage);
  list.replaceChildren(...docs.map((doc) => recentItem(doc, now, storage, rerender)));
  list.hidden = docs.length === 0;
  empty.hidden = docs.length > 0;
}

function main(): void {
  const storage = browserStorage();
  const newDoc = byId('new-doc', HTMLButtonElement);
  newDoc.prepend(icon('plus'));
  newDoc.addEventListener('click', () => {
    newDoc.disabled = true;
    window.location.assign(`/d/${newDocId()}`);
  });
  renderRecent(storage);
  // Titles change in editor tabs; keep this list current without a reload.
  window.addEventListener('storage', (event) => {
    if (event.key === RECENT_STORAGE_KEY || event.key === null) renderRecent(storage);
  });
  // Coming back through the browser's history shows the page from its cache: refresh the list.
  window.addEventListener('pageshow', (event) => {
    newDoc.disabled = false;
    if (event.persisted) renderRecent(storage);
  });
}

main();
