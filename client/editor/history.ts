/**
 * Undo and redo through Yjs's UndoManager (via y-prosemirror), so that they take back only this
 * person's own changes. Two things y-prosemirror's defaults get wrong for a newcomer, fixed here:
 *
 * - Undoing everything typed into a new document used to empty the Yjs fragment, while
 *   ProseMirror, whose document needs at least one block, showed an empty paragraph. The next
 *   ordinary transaction (a selection change, a presence update) wrote that paragraph back as a
 *   new, tracked change, which cleared the redo stack: redo did nothing. So the last top-level
 *   block is never deleted by an undo (its content is), and after an undo or redo any repair
 *   ProseMirror made is written back at once as a change that is not tracked.
 * - The toolbar asked ProseMirror's state whether undo and redo apply, but the UndoManager
 *   updates its stacks after ProseMirror has seen the change. `watchHistory` reports the
 *   UndoManager's own stack events instead.
 */
import type { Command, EditorState } from 'prosemirror-state';
import { defaultDeleteFilter, defaultProtectedNodes, yUndoPlugin, yUndoPluginKey, ySyncPluginKey } from 'y-prosemirror';
import * as Y from 'yjs';
import type { Plugin } from 'prosemirror-state';

function undoManagerOf(state: EditorState): Y.UndoManager | null {
  const pluginState = yUndoPluginKey.getState(state) as { undoManager?: Y.UndoManager } | undefined;
  return pluginState?.undoManager ?? null;
}

/** Whether deleting `item` would leave `fragment` without any block. */
function isLastBlock(item: Y.Item, fragment: Y.XmlFragment): boolean {
  return item.parent === fragment && !item.deleted && fragment.length <= 1;
}

/**
 * The undo plugin for `fragment`: y-prosemirror's, with an UndoManager that tracks the sync
 * plugin's changes and never deletes the document's last block.
 */
export function historyPlugin(fragment: Y.XmlFragment): Plugin {
  const undoManager = new Y.UndoManager(fragment, {
    trackedOrigins: new Set([ySyncPluginKey]),
    deleteFilter: (item) => defaultDeleteFilter(item, defaultProtectedNodes) && !isLastBlock(item, fragment),
    captureTransaction: (tr) => tr.meta.get('addToHistory') !== false,
  });
  return yUndoPlugin({ undoManager });
}

/**
 * After an undo or redo has been applied to the editor, writes back to Yjs whatever ProseMirror
 * repaired in the result (a schema needs content Yjs may lack), marked as not to be tracked: left
 * for the next ordinary transaction, it would be tracked and clear the redo stack.
 */
function settle(view: Parameters<Command>[2]): void {
  view?.dispatch(view.state.tr.setMeta('addToHistory', false));
}

function historyCommand(step: (manager: Y.UndoManager) => unknown, can: (manager: Y.UndoManager) => boolean): Command {
  return (state, dispatch, view) => {
    const manager = undoManagerOf(state);
    if (manager === null || !can(manager)) return false;
    if (!dispatch) return true;
    const done = step(manager) !== null;
    if (done) settle(view);
    return done;
  };
}

/** Undoes this person's last change (Mod-Z). Applies when the UndoManager has something to undo. */
export const undo: Command = historyCommand(
  (manager) => manager.undo(),
  (manager) => manager.canUndo(),
);

/** Redoes the last undone change (Shift-Mod-Z, Mod-Y). Applies when there is something to redo. */
export const redo: Command = historyCommand(
  (manager) => manager.redo(),
  (manager) => manager.canRedo(),
);

/**
 * Calls `onChange` whenever what can be undone or redone may have changed, after the UndoManager
 * has updated its stacks. Returns a function that stops it.
 */
export function watchHistory(state: EditorState, onChange: () => void): () => void {
  const manager = undoManagerOf(state);
  if (manager === null) return () => undefined;
  const events = ['stack-item-added', 'stack-item-popped', 'stack-item-updated', 'stack-cleared'] as const;
  for (const event of events) manager.on(event, onChange);
  return () => {
    for (const event of events) manager.off(event, onChange);
  };
}
