/**
 * The editing commands behind the toolbar and the keyboard shortcuts, with the checks that tell
 * the toolbar which of them are active and which apply here. Plain ProseMirror commands over
 * EditorState: no DOM, so they run in Node tests.
 */
import { lift, setBlockType, toggleMark, wrapIn } from 'prosemirror-commands';
import type { MarkType, NodeType, ResolvedPos } from 'prosemirror-model';
import { liftListItem, wrapInList } from 'prosemirror-schema-list';
import type { Command, EditorState, Transaction } from 'prosemirror-state';
import { marks, nodes } from '../../document/schema.js';
import { canInsertBlock, insertBlock } from './insert-block.js';

/** A mark is active when the cursor carries it, or when every character of the selection has it. */
export function isMarkActive(state: EditorState, type: MarkType): boolean {
  const { empty, $from, from, to } = state.selection;
  if (empty) return type.isInSet(state.storedMarks ?? $from.marks()) !== undefined;
  let sawText = false;
  let allMarked = true;
  state.doc.nodesBetween(from, to, (node) => {
    if (!allMarked) return false;
    if (node.isText) {
      sawText = true;
      if (!type.isInSet(node.marks)) allMarked = false;
    }
    return true;
  });
  return sawText && allMarked;
}

/** Whether the selection sits in a textblock of `type` (and, if given, with these attributes). */
export function isBlockActive(state: EditorState, type: NodeType, attrs?: Record<string, unknown>): boolean {
  const { $from, $to } = state.selection;
  const parent = $from.parent;
  if (parent.type !== type || !$to.sameParent($from)) return false;
  if (!attrs) return true;
  return Object.entries(attrs).every(([key, value]) => parent.attrs[key] === value);
}

/** The depth of the innermost ancestor of `$pos` satisfying `pred`, or -1. */
function ancestorDepth($pos: ResolvedPos, pred: (type: NodeType) => boolean): number {
  for (let depth = $pos.depth; depth > 0; depth--) {
    if (pred($pos.node(depth).type)) return depth;
  }
  return -1;
}

const isList = (type: NodeType): boolean => type === nodes.bulletList || type === nodes.orderedList;

/** Whether the innermost list around the selection is of `type`. */
export function isListActive(state: EditorState, type: NodeType): boolean {
  const $from = state.selection.$from;
  const depth = ancestorDepth($from, isList);
  return depth >= 0 && $from.node(depth).type === type;
}

/** Whether the selection is inside a block quote. */
export function isInBlockquote(state: EditorState): boolean {
  return ancestorDepth(state.selection.$from, (type) => type === nodes.blockquote) >= 0;
}

/** Applies `mark` when it is not active on the whole selection, removes it otherwise. */
export function toggleMarkCommand(type: MarkType): Command {
  return toggleMark(type, null, { removeWhenPresent: false });
}

/** Turns textblocks into `type`, or back into paragraphs when they already are. */
export function toggleBlockType(type: NodeType, attrs?: Record<string, unknown>): Command {
  const apply = setBlockType(type, attrs);
  const revert = setBlockType(nodes.paragraph);
  return (state, dispatch, view) =>
    isBlockActive(state, type, attrs) ? revert(state, dispatch, view) : apply(state, dispatch, view);
}

/**
 * Toggles a list of `type`: lifts the items out when the innermost list is already one, turns
 * the other list type into this one, or wraps the selection in a new list.
 */
export function toggleList(type: NodeType): Command {
  return (state, dispatch, view) => {
    const $from = state.selection.$from;
    const depth = ancestorDepth($from, isList);
    if (depth >= 0) {
      const list = $from.node(depth);
      if (list.type === type) return liftListItem(nodes.listItem)(state, dispatch, view);
      if (dispatch) {
        const attrs = type === nodes.orderedList ? { order: 1 } : {};
        dispatch(state.tr.setNodeMarkup($from.before(depth), type, attrs).scrollIntoView());
      }
      return true;
    }
    return wrapInList(type)(state, dispatch, view);
  };
}

/** Wraps the selection in a block quote, or lifts it out of the one it is in. */
export const toggleBlockquote: Command = (state, dispatch, view) =>
  isInBlockquote(state) ? lift(state, dispatch, view) : wrapIn(nodes.blockquote)(state, dispatch, view);

/** Inserts a horizontal rule in place of the selection, with the caret in the block after it. */
export const insertHorizontalRule: Command = (state, dispatch) => {
  if (!canInsertBlock(state, nodes.horizontalRule)) return false;
  if (dispatch) dispatch(insertBlock(state, nodes.horizontalRule.create()).tr.scrollIntoView());
  return true;
};

/** Inserts a hard line break (Shift-Enter). */
export const insertHardBreak: Command = (state, dispatch) => {
  if (!state.selection.$from.parent.inlineContent || state.selection.$from.parent.type.spec.code) return false;
  if (dispatch) dispatch(state.tr.replaceSelectionWith(nodes.hardBreak.create()).scrollIntoView());
  return true;
};

/** The link at the cursor (or at the start of the selection), with the whole range it covers; or null. */
export function linkAt(state: EditorState): { href: string; from: number; to: number } | null {
  const { $from } = state.selection;
  const parent = $from.parent;
  const pos = $from.parentOffset;
  const candidates = [parent.childAfter(pos), pos > 0 ? parent.childBefore(pos) : null];
  const hit = candidates.find((c) => c?.node && marks.link.isInSet(c.node.marks));
  const mark = hit?.node ? marks.link.isInSet(hit.node.marks) : undefined;
  if (!hit?.node || !mark) return null;
  // Grow over the neighbouring text carrying the very same link.
  let startIndex = hit.index;
  let startOffset = hit.offset;
  let endIndex = hit.index + 1;
  let endOffset = hit.offset + hit.node.nodeSize;
  while (startIndex > 0 && mark.isInSet(parent.child(startIndex - 1).marks)) {
    startIndex--;
    startOffset -= parent.child(startIndex).nodeSize;
  }
  while (endIndex < parent.childCount && mark.isInSet(parent.child(endIndex).marks)) {
    endOffset += parent.child(endIndex).nodeSize;
    endIndex++;
  }
  return { href: String(mark.attrs['href'] ?? ''), from: $from.start() + startOffset, to: $from.start() + endOffset };
}

/** Sets a link to `href` on the selection, or on the link under the cursor when nothing is selected. */
export function setLink(href: string): Command {
  return (state, dispatch) => {
    const existing = linkAt(state);
    const { from, to, empty } = state.selection;
    if (empty && !existing) return false;
    if (dispatch) {
      const range = empty && existing ? existing : { from, to };
      const tr: Transaction = state.tr.removeMark(range.from, range.to, marks.link);
      tr.addMark(range.from, range.to, marks.link.create({ href }));
      dispatch(tr.scrollIntoView());
    }
    return true;
  };
}

/** Inserts `text` linked to `href` at the cursor (used when there is no selection to link). */
export function insertLink(text: string, href: string): Command {
  return (state, dispatch) => {
    if (!state.selection.$from.parent.inlineContent || state.selection.$from.parent.type.spec.code) return false;
    if (dispatch) {
      const node = state.schema.text(text, [marks.link.create({ href })]);
      dispatch(state.tr.replaceSelectionWith(node, false).scrollIntoView());
    }
    return true;
  };
}

/** Removes the link under the cursor, or every link in the selection. */
export const removeLink: Command = (state, dispatch) => {
  const existing = linkAt(state);
  const { from, to, empty } = state.selection;
  const range = empty ? existing : { from, to };
  if (!range || !state.doc.rangeHasMark(range.from, range.to, marks.link)) return false;
  if (dispatch) dispatch(state.tr.removeMark(range.from, range.to, marks.link).scrollIntoView());
  return true;
};

/** Whether a link can be set here: in an inline-content block that is not code. */
export function canLink(state: EditorState): boolean {
  const parent = state.selection.$from.parent;
  return parent.inlineContent && !parent.type.spec.code;
}
