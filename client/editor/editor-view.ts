/**
 * The ProseMirror editor of a document page: the schema, y-prosemirror's sync and cursor plugins
 * bound to the Yjs fragment and the provider's awareness, Quire's undo history, input rules,
 * keymaps, tables, pictures, and the small plugins of the page (placeholder, link clicks,
 * remote carets).
 */
import { EditorState, Plugin, type Command } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import { tableEditing } from 'prosemirror-tables';
import { yCursorPlugin, ySyncPlugin } from 'y-prosemirror';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { historyPlugin } from './history.js';
import { picturePlugin, type PictureOptions } from './image-insert.js';
import { ImageView, type ImageViewContext } from './image-view.js';
import { buildInputRules } from './input-rules.js';
import { buildKeymap } from './keymap.js';
import { linkClickPlugin } from './link-click.js';
import { placeholderPlugin } from './placeholder.js';
import { buildRemoteCursor, buildRemoteSelection, remoteCursorsPlugin } from './remote-cursors.js';
import { TableView } from './table-view.js';
import { schema } from '../../document/schema.js';

export interface EditorOptions {
  readonly fragment: Y.XmlFragment;
  readonly awareness: Awareness;
  /** Whether the page may change the document now. */
  readonly isEditable: () => boolean;
  /** Whether the page is view-only (links open on a plain click, the placeholder says so). */
  readonly isReadOnly: () => boolean;
  /** Mod-K: opens the link prompt. */
  readonly openLinkPrompt: Command;
  /** Alt-Enter: opens the link at the caret. */
  readonly openLink: Command;
  /** Pictures: how they are shown and uploaded. */
  readonly images: ImageViewContext & PictureOptions;
  /** Called with every new state, and when the editor gains or loses focus. */
  readonly onUpdate: (view: EditorView) => void;
}

/** Tells `onUpdate` about focus changes, which are no transactions. */
function focusPlugin(onUpdate: (view: EditorView) => void): Plugin {
  // A task later, when focus has settled: during a move (blur here, focus there) nothing has
  // focus yet, and a bubble hidden at that moment would drop the focus meant for it.
  const later = (view: EditorView): boolean => {
    setTimeout(() => {
      if (!view.isDestroyed) onUpdate(view);
    }, 0);
    return false;
  };
  return new Plugin({ props: { handleDOMEvents: { focus: later, blur: later } } });
}

/** Creates the editor in `mount`. */
export function createEditorView(mount: HTMLElement, options: EditorOptions): EditorView {
  const state = EditorState.create({
    schema,
    plugins: [
      ySyncPlugin(options.fragment),
      yCursorPlugin(options.awareness, { cursorBuilder: buildRemoteCursor, selectionBuilder: buildRemoteSelection }),
      historyPlugin(options.fragment),
      buildInputRules(),
      // Before the keymaps: its arrow and delete keys must see cell selections first.
      tableEditing(),
      picturePlugin(options.images),
      ...buildKeymap(options.openLinkPrompt, options.openLink),
      placeholderPlugin(() => (options.isReadOnly() ? 'This document is empty.' : 'Start writing…')),
      linkClickPlugin(options.isReadOnly),
      remoteCursorsPlugin(options.awareness, () => mount),
      focusPlugin(options.onUpdate),
    ],
  });
  return new EditorView(mount, {
    state,
    editable: options.isEditable,
    nodeViews: {
      table: (node) => new TableView(node),
      image: (node, view, getPos) => new ImageView(node, view, getPos, options.images),
    },
    attributes: { 'aria-label': 'Document', spellcheck: 'true', class: 'document' },
    // `this`, not the view variable: y-prosemirror dispatches while the view is still being built.
    dispatchTransaction(this: EditorView, tr) {
      // y-prosemirror dispatches deferred updates that can arrive after the view was destroyed.
      if (this.isDestroyed) return;
      this.updateState(this.state.apply(tr));
      options.onUpdate(this);
    },
  });
}
