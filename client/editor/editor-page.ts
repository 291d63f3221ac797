/**
 * The editor page (`/d/<id>` and `/v/<token>`): wires the Yjs document, its IndexedDB copy, the
 * provider, the ProseMirror view with y-prosemirror's sync, cursor and undo plugins, and the
 * page chrome (toolbar, status line, notices, presence, share dialog, title).
 *
 * For tests and diagnostics it sets `window.quire = { provider, ydoc, view, docName }`.
 */
import { EditorState, type Command } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import { IndexeddbPersistence } from 'y-indexeddb';
import { yCursorPlugin, ySyncPlugin, yUndoPlugin } from 'y-prosemirror';
import * as Y from 'yjs';
import { DocProvider } from '../provider.js';
import { canLink } from './commands.js';
import { byId, browserStorage } from './dom.js';
import { buildInputRules } from './input-rules.js';
import { buildKeymap } from './keymap.js';
import { LinkPopover } from './link-popover.js';
import { linkClickPlugin } from './link-click.js';
import { loadIdentity } from './identity.js';
import { NoticeBar } from './notice.js';
import { routeFromPath, type PageRoute } from './page-route.js';
import { placeholderPlugin } from './placeholder.js';
import { Presence } from './presence.js';
import { rememberDoc } from './recent-docs.js';
import { buildRemoteCursor, buildRemoteSelection } from './remote-cursors.js';
import { schema } from './schema.js';
import { ShareDialog } from './share-dialog.js';
import { StatusIndicator } from './status-indicator.js';
import { TitleTracker } from './title-tracker.js';
import { Toolbar } from './toolbar.js';
import { toolbarLayout } from './toolbar-items.js';

/** The fragment y-prosemirror keeps the document in; the server and exporters read the same name. */
export const FRAGMENT_NAME = 'prosemirror';

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

function showInvalidLink(notice: NoticeBar): void {
  document.title = 'Link not valid — Quire';
  document.body.classList.add('is-invalid');
  notice.show('This address is not a Quire document link. Check the link you were given, or start a new document.', 'error', true);
  byId('toolbar').hidden = true;
  byId('share-button').hidden = true;
}

function start(route: PageRoute): void {
  const storage = browserStorage();
  const notice = new NoticeBar(byId('notice'));
  const viewLink = route.kind === 'view';
  let readOnly = viewLink;
  let fatal = false;

  const ydoc = new Y.Doc();
  const fragment = ydoc.getXmlFragment(FRAGMENT_NAME);
  const persistence = new IndexeddbPersistence('quire:' + route.docName, ydoc);
  const provider = new DocProvider(window.location.origin, route.docName, ydoc, { untrackedOrigins: [persistence] });

  const linkPopover = new LinkPopover(document.body);
  let view: EditorView | null = null;
  const openLinkPrompt: Command = (state, dispatch) => {
    if (readOnly || fatal || !view || !canLink(state)) return false;
    if (dispatch) linkPopover.open(view);
    return true;
  };
  const toolbar = new Toolbar(byId('toolbar'), toolbarLayout(openLinkPrompt), () => view);

  const state = EditorState.create({
    schema,
    plugins: [
      ySyncPlugin(fragment),
      yCursorPlugin(provider.awareness, { cursorBuilder: buildRemoteCursor, selectionBuilder: buildRemoteSelection }),
      yUndoPlugin(),
      buildInputRules(),
      ...buildKeymap(openLinkPrompt),
      placeholderPlugin(() => (readOnly ? 'This document is empty.' : 'Start writing…')),
      linkClickPlugin(() => readOnly),
    ],
  });

  const editorView = new EditorView(byId('editor'), {
    state,
    editable: () => !readOnly && !fatal,
    attributes: { 'aria-label': 'Document', spellcheck: 'true', class: 'document' },
    // `this`, not `editorView`: y-prosemirror dispatches while the view is still being built.
    dispatchTransaction(this: EditorView, tr) {
      const next = this.state.apply(tr);
      this.updateState(next);
      toolbar.update(next);
    },
  });
  view = editorView;
  toolbar.update(editorView.state);

  const status = new StatusIndicator(byId('status'), provider, () => ({ role: readOnly ? 'view' : provider.role, fatal }));
  const titles = new TitleTracker(fragment, byId('doc-title'), route.kind === 'edit' ? route.docId : null, storage);

  const setReadOnly = (value: boolean): void => {
    readOnly = value;
    document.body.classList.toggle('is-view-only', readOnly);
    byId('toolbar').hidden = readOnly;
    toolbar.setEnabled(!readOnly && !fatal, editorView.state);
    editorView.setProps({ editable: () => !readOnly && !fatal });
    status.refresh();
  };

  new Presence(
    provider.awareness,
    { list: byId('presence'), nameInput: byId('name-input', HTMLInputElement), colorButton: byId('color-button', HTMLButtonElement) },
    loadIdentity(storage),
    storage,
  );

  if (viewLink) {
    byId('share-button').hidden = true;
    byId('edit-link-section').remove();
    setReadOnly(true);
  } else {
    rememberDoc(storage, route.docId);
    new ShareDialog(route.docId, {
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

  provider.on('role', (role) => setReadOnly(viewLink || role === 'view'));
  provider.on('error', (error) => {
    if (notice.showError(error).fatal) {
      fatal = true;
      linkPopover.close(false);
      setReadOnly(readOnly);
    }
  });
  provider.on('synced', () => {
    if (!fatal) notice.clearPassing();
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
  titles.refresh();
  if (!readOnly) editorView.focus();
}

function main(): void {
  const route = routeFromPath(window.location.pathname);
  if (route === null) {
    showInvalidLink(new NoticeBar(byId('notice')));
    return;
  }
  start(route);
}

main();
