/**
 * Inserting a block node (a divider, a table) where the selection is, whatever the selection is:
 * a caret, a range, a selected node, or the whole document (Ctrl+A makes an AllSelection, which
 * has no parent block to ask). DOM-free.
 */
import type { Node as PmNode, NodeType } from 'prosemirror-model';
import { AllSelection, Selection, TextSelection, type EditorState, type Transaction } from 'prosemirror-state';
import { nodes } from '../../document/schema.js';

/**
 * Whether a block of `type` can go where the selection is: not inside code, and some block around
 * the selection (or the document itself) may hold one at that point.
 */
export function canInsertBlock(state: EditorState, type: NodeType): boolean {
  const { $from } = state.selection;
  if ($from.parent.type.spec.code) return false;
  for (let depth = $from.depth; depth >= 0; depth--) {
    const index = $from.index(depth);
    if ($from.node(depth).canReplaceWith(index, index, type)) return true;
  }
  return false;
}

/** Where `block` ended up after the last step of `tr`, which inserted it: the position after it. */
function endOfInserted(tr: Transaction, block: PmNode): number | null {
  const step = tr.steps[tr.steps.length - 1];
  if (step === undefined) return null;
  let end = -1;
  step.getMap().forEach((_from, _to, _newFrom, newTo) => {
    end = newTo;
  });
  if (end < 0) return null;
  // Inserted between blocks, the block ends at `end`; inserted inside a textblock, that block was
  // split and `end` is at the start of its second half.
  for (const candidate of [end, end - 1]) {
    if (candidate < 0 || candidate > tr.doc.content.size) continue;
    if (tr.doc.resolve(candidate).nodeBefore?.type === block.type) return candidate;
  }
  return null;
}

/**
 * A transaction that puts `block` in place of the selection and the caret after it, in the next
 * textblock (an empty paragraph is added when none follows, so the caret never lands on the
 * block itself). Returns the position where the block starts too, or -1 when it was not found.
 * Check `canInsertBlock` first.
 */
export function insertBlock(state: EditorState, block: PmNode): { tr: Transaction; start: number } {
  const tr = state.tr;
  if (state.selection instanceof AllSelection) {
    tr.deleteSelection();
    tr.setSelection(Selection.atStart(tr.doc));
  }
  tr.replaceSelectionWith(block, false);
  const end = endOfInserted(tr, block);
  if (end === null) return { tr, start: -1 };
  const $end = tr.doc.resolve(end);
  if (!$end.nodeAfter?.isTextblock) {
    const index = $end.index();
    if ($end.parent.canReplaceWith(index, index, nodes.paragraph)) tr.insert(end, nodes.paragraph.create());
  }
  if (tr.doc.resolve(end).nodeAfter?.isTextblock) tr.setSelection(TextSelection.create(tr.doc, end + 1));
  return { tr, start: end - block.nodeSize };
}
