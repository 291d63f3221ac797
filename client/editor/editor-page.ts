/**
 * The editor page (`/d/<id>` and `/v/<token>`): wires the Yjs document, its IndexedDB copy, the
 * provider, the editor (editor-view.ts) and the page chrome (toolbar, status line, notices,
 * presence, share dialog, download menu, link bubble, title). A page the server refuses shows
 * why instead (refusal.ts), and forgets what this browser kept of a document it may not see.
 *
 * For tests and diagnostics it sets `window.quire = { provider, ydoc, view, docName, persistence }`.
 */
import type { Command } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import { IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';
import { DocProvider } from '../provider.js';
import { canLink, linkAt } from './commands.js';
import { byId, browserStorage } from './dom.js';
import { deviceSession } from './device-session.js';
import { DownloadMenu } from './download-menu.js';
import { HistoryPanel } from './history-panel.js';
import { gateEditor } from './editor-gate.js';
import { createEditorView } from './editor-view.js';
import { watchHistory } from './history.js';
import { LinkBubble, openSafely } from './link-bubble.js';
import { LinkPopover } from './link-popover.js';
import { loadIdentity } from './identity.js';
import { NoticeBar } from './notice.js';
import { routeFromPath, type PageRoute } from './page-route.js';
import { Presence } from './presence.js';
import { KeptChanges } from './kept-changes.js';
import { watchKeptChanges } from './kept-changes-watch.js';
import { watchNetwork } from './network-watch.js';
import { createOnServer, forgetCreatedOffline, isCreatedOffline } from './offline-created.js';
import { DB_PREFIX, emptyCopy, evictStaleCopies, forgetCopy, noteCopyOpened } from './offline-copies.js';
import { watchOfflineMerges } from './offline-merge-note.js';
import { offerPageCopy } from './page-copy.js';
import { forgetDoc, rememberDoc } from './recent-docs.js';
import { emptiesLocalCopy, forgetsDocument, refusalFor, showRefusal, type RefusalReason } from './refusal.js';
import { registerServiceWorker } from './service-worker-registration.js';
import { ShareDialog } from './share-dialog.js';
import { bearerHeaders } from './share-tools.js';
import { LinkManager } from './link-manager.js';
import { keptLinks } from './kept-links.js';
import { takeSignedToken } from './signed-token.js';
import { mayEdit } from '../../shared/events.js';
import type { KeyValueStorage } from './identity.js';
import { StatusIndicator } from './status-indicator.js';
import { TitleTracker } from './title-tracker.js';
import { Toolbar } from './toolbar.js';
import { toolbarLayout } from './toolbar-items.js';
import { pickPictureCommand, removePictures } from './image-insert.js';
import { blobPath, fetchWaitingOutBusy } from './image-copy.js';
import { ImageQueue } from './image-queue.js';
import { ImageUploads } from './image-uploads.js';
import { FRAGMENT_NAME } from '../../document/fragment.js';
import { docTitle } from '../../document/title.js';

interface QuireHandle {
  readonly provider: DocProvider;
  readonly ydoc: Y.Doc;
  readonly view: EditorView;
  readonly docName: string;
  readonly persistence: IndexeddbPersistence;
}

declare global {
  interface Window {
    quire?: QuireHandle;
  }
}

/** A message the server does not acknowledge within this time means a dead connection (a Wi-Fi drop). */
const ACK_TIMEOUT_MS = 4000;

function shareDialog(docId: string, storage: KeyValueStorage | null, signedToken: string | null): ShareDialog {
  const message = byId('share-message');
  const links = new LinkManager(docId, storage, (text, isError = false) => {
    message.textContent = text;
    message.classList.toggle('is-error', isError);
  }, signedToken);
  return new ShareDialog(docId, {
    editSection: byId('edit-link-section'),
    links,
    signedToken,
    keptEditUrl: keptLinks(storage, docId).find((link) => link.role === 'edit' && link.id === undefined)?.url ?? null,
    button: byId('share-button', HTMLButtonElement),
    dialog: byId('share-dialog', HTMLDialogElement),
    editLink: byId('edit-link', HTMLInputElement),
    viewLink: byId('view-link', HTMLInputElement),
    copyEdit: byId('copy-edit', HTMLButtonElement),
    copyView: byId('copy-view', HTMLButtonElement),
    regenerateView: byId('regenerate-view', HTMLButtonElement),
    close: byId('share-close', HTMLButtonElement),
    message: byId('share-message'),
  });
}

function start(route: PageRoute): void {
  const storage = browserStorage();
  const notice = new NoticeBar(byId('notice'));
  const viewLink = route.kind === 'view';
  let readOnly = viewLink;
  let refused = false;

  const ydoc = new Y.Doc();
  const fragment = ydoc.getXmlFragment(FRAGMENT_NAME);
  const persistence = new IndexeddbPersistence(DB_PREFIX + route.docName, ydoc);
  noteCopyOpened(storage, route.docName);
  void evictStaleCopies(storage);
  // A document started offline on this device is created on the server before it is joined.
  const createdOffline = route.kind === 'edit' && isCreatedOffline(storage, route.docId);
  // An embedding application's signed token, given in the address's fragment.
  const signedToken = route.kind === 'edit' ? takeSignedToken(route.docName) : null;
  const provider = new DocProvider(window.location.origin, route.docName, ydoc, {
    token: signedToken,
    untrackedOrigins: [persistence],
    session: deviceSession(storage, route.docName),
    ackTimeoutMs: ACK_TIMEOUT_MS,
    connect: !createdOffline,
  });
  const kept = new KeptChanges(storage, route.docName);

  const linkPopover = new LinkPopover(document.body);
  let view: EditorView | null = null;
  const openLinkPrompt: Command = (state, dispatch) => {
    if (readOnly || refused || !view || !canLink(state)) return false;
    if (dispatch) linkPopover.open(view);
    return true;
  };
  const openLink: Command = (state) => {
    const link = linkAt(state);
    return link !== null && openSafely(link.href);
  };
  const uploads = new ImageUploads(
    route.docName,
    new ImageQueue(),
    (message, id) => {
      notice.show(message, 'error');
      if (view !== null) removePictures(view, id);
    },
    signedToken,
  );
  const images = {
    docName: route.docName,
    uploads,
    isEditable: () => !readOnly && !refused,
    refuse: (message: string) => notice.show(message, 'error'),
  };
  const toolbar = new Toolbar(byId('toolbar'), toolbarLayout(openLinkPrompt, pickPictureCommand(() => view, images)), () => view, 'toolbar');
  const bubble = new LinkBubble(byId('editor'), {
    readOnly: () => readOnly,
    edit: (editorView) => openLinkPrompt(editorView.state, editorView.dispatch),
    promptOpen: () => linkPopover.isOpen,
  });

  const editorView = createEditorView(byId('editor'), {
    fragment,
    awareness: provider.awareness,
    isEditable: () => !readOnly && !refused,
    isReadOnly: () => readOnly,
    images,
    openLinkPrompt,
    openLink,
    onUpdate: (updated) => {
      toolbar.update(updated.state);
      bubble.update(updated);
    },
  });
  view = editorView;
  toolbar.update(editorView.state);
  // Undo and Redo follow the undo manager, which updates its stacks after the editor has updated.
  watchHistory(editorView.state, () => toolbar.update(editorView.state));

  const status = new StatusIndicator(byId('status'), byId('status-live'), provider, () => ({
    role: readOnly ? 'view' : provider.role,
    fatal: refused,
    unsavedChanges: Math.max(kept.value, Math.min(1, provider.unsavedCount)),
  }));
  watchKeptChanges(kept, provider, persistence, status.refresh);
  watchOfflineMerges(provider, kept, (text) => notice.show(text, 'info'));
  // Not before a document started offline exists on the server: a reconnect would join it first.
  if (!createdOffline) watchNetwork(provider);
  const titles = new TitleTracker(fragment, byId('doc-title'), route.kind === 'edit' ? route.docId : null, storage);

  const setReadOnly = (value: boolean): void => {
    readOnly = value;
    document.body.classList.toggle('is-view-only', readOnly);
    byId('toolbar').hidden = readOnly;
    toolbar.setEnabled(!readOnly && !refused, editorView.state);
    editorView.setProps({ editable: () => !readOnly && !refused });
    status.refresh();
  };

  new Presence(
    provider.awareness,
    { list: byId('presence'), nameInput: byId('name-input', HTMLInputElement), colorButton: byId('color-button', HTMLButtonElement) },
    loadIdentity(storage),
    storage,
    () => editorView.focus(),
  );
  new DownloadMenu(byId('download-button', HTMLButtonElement), {
    docName: route.docName,
    token: signedToken,
    title: () => docTitle(fragment),
    fail: (message) => notice.show(message, 'error'),
  });
  // Version history, for every link but view-only ones.
  const history = new HistoryPanel({ docName: route.docName, currentDoc: () => editorView.state.doc, signedToken });
  byId('download-button').before(history.button);
  history.setAvailable(!viewLink);
  provider.on('role', (role) => history.setAvailable(!viewLink && role !== 'view'));

  if (viewLink) {
    byId('share-button').hidden = true;
    byId('edit-link-section').remove();
    setReadOnly(true);
  } else {
    const dialog = shareDialog(route.docId, storage, signedToken);
    provider.on('role', (role) => dialog.setRole(role));
    // Pictures an earlier visit added offline are uploaded now.
    void uploads.restore().catch((error: unknown) => console.warn('Waiting pictures could not be read from IndexedDB', error));
  }

  /** A picture for the page's copy (page-copy.ts): one still waiting to be uploaded, else the server's. */
  const pictureForCopy = async (id: string): Promise<Blob | null> => {
    const waiting = uploads.waiting(id);
    if (waiting !== null) return waiting;
    const response = await fetchWaitingOutBusy(blobPath(route.docName, id), { credentials: 'same-origin', headers: bearerHeaders(signedToken) });
    return response.ok ? response.blob() : null;
  };

  /** The server will not show this page its document: say why, and keep nothing of it here. */
  const refuse = (reason: RefusalReason): void => {
    if (refused) return;
    refused = true;
    provider.disconnect();
    linkPopover.close(false);
    bubble.hide();
    titles.destroy();
    // A page whose copy the server could not take keeps what it showed, for the person to save
    // (the browser's copy is emptied below).
    const shown = { doc: editorView.state.doc, title: docTitle(fragment) };
    // The text leaves the page, not only the screen.
    editorView.destroy();
    byId('editor').replaceChildren();
    if (forgetsDocument(reason)) {
      void persistence.clearData();
      forgetCopy(storage, route.docName);
      if (route.kind === 'edit') forgetCreatedOffline(storage, route.docId);
      if (route.kind === 'edit') forgetDoc(storage, route.docId);
    }
    // This page's copy stops being stored first, so that nothing of it lands in the emptied copy.
    if (emptiesLocalCopy(reason)) void persistence.destroy().then(() => emptyCopy(storage, route.docName));
    notice.clear();
    showRefusal(reason);
    if (emptiesLocalCopy(reason)) offerPageCopy(byId('refusal-keep', HTMLButtonElement), shown.doc, shown.title, pictureForCopy);
  };

  const reveal = gateEditor({
    provider,
    persistence,
    fragment,
    refused: () => refused,
    reveal: () => {
      document.body.classList.remove('is-loading');
      titles.start();
      toolbar.refit();
      if (!readOnly) editorView.focus();
    },
  });

  if (createdOffline && route.kind === 'edit') {
    reveal();
    createOnServer(route.docId, new AbortController().signal).then(
      (outcome) => {
        if (outcome === 'deleted') return refuse('doc-deleted');
        forgetCreatedOffline(storage, route.docId);
        provider.connect();
        watchNetwork(provider);
      },
      (error: Error) => notice.show(error.message, 'error'),
    );
  }

  provider.on('role', (role) => {
    if (mayEdit(role) && route.kind === 'edit') rememberDoc(storage, route.docId);
    setReadOnly(viewLink || role === 'view');
  });
  provider.on('error', (error) => {
    const reason = refusalFor(error.code);
    if (reason !== null) return refuse(reason);
    notice.showError(error);
    // A passing trouble (storage down, rate limits): the person works on, with the notice.
    reveal();
  });
  provider.on('synced', () => {
    if (!refused) notice.clearPassing();
    // Connected again: pictures waiting for the connection need not wait for their retry timer.
    if (!refused && !readOnly) uploads.flush();
  });

  // Saving is automatic; Mod-S would otherwise open the browser's "Save page" dialog.
  document.addEventListener('keydown', (event) => {
    if ((event.metaKey || event.ctrlKey) && !event.altKey && event.key.toLowerCase() === 's' && !event.shiftKey) {
      event.preventDefault();
      status.pulse();
    }
  });

  // Leaving: tell the others at once (the provider removes our presence). A page restored from
  // the back-forward cache would hold a destroyed provider, so it reloads instead.
  window.addEventListener('pagehide', () => provider.destroy());
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) window.location.reload();
  });

  window.quire = { provider, ydoc, view: editorView, docName: route.docName, persistence };
}

function main(): void {
  registerServiceWorker();
  const route = routeFromPath(window.location.pathname);
  if (route === null) {
    showRefusal('invalid');
    return;
  }
  start(route);
}

main();
