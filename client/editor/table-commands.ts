/**
 * Table commands for the toolbar and the keyboard: inserting a table, and prosemirror-tables'
 * row, column and header commands under the names the toolbar uses. DOM-free.
 */
import type { Node as PmNode } from 'prosemirror-model';
import { TextSelection, type Command, type EditorState, type Transaction } from 'prosemirror-state';
import {
  addColumnAfter,
  addColumnBefore,
  addRowAfter,
  addRowBefore,
  deleteColumn,
  deleteRow,
  deleteTable,
  goToNextCell,
  isInTable,
  selectionCell,
  toggleHeader,
} from 'prosemirror-tables';
import { nodes } from '../../document/schema.js';
import { canInsertBlock, insertBlock } from './insert-block.js';

export { addColumnAfter, addColumnBefore, addRowAfter, addRowBefore, deleteColumn, deleteRow, deleteTable, isInTable };

/**
 * Turns the table's first row into header cells, or back into ordinary cells, wherever the
 * selection is in the table. (prosemirror-tables' own `toggleHeaderRow` acts on the selected row.)
 */
export const toggleHeaderRow: Command = toggleHeader('row');

/** A new table of `rows` × `columns` empty cells whose first row is a header row. */
export function emptyTable(rows: number, columns: number): PmNode {
  const row = (cell: typeof nodes.tableCell): PmNode =>
    nodes.tableRow.create(null, Array.from({ length: columns }, () => cell.createAndFill()!));
  return nodes.table.create(null, [row(nodes.tableHeader), ...Array.from({ length: rows - 1 }, () => row(nodes.tableCell))]);
}

/** Inserts a 3 × 3 table (header row included) with the caret in its first cell. Not inside a table. */
export const insertTable: Command = (state, dispatch) => {
  if (isInTable(state) || !canInsertBlock(state, nodes.table)) return false;
  if (dispatch) {
    const { tr, start } = insertBlock(state, emptyTable(3, 3));
    // table > row > cell > paragraph: the first cell's text starts four positions in.
    if (start >= 0) tr.setSelection(TextSelection.create(tr.doc, start + 4));
    dispatch(tr.scrollIntoView());
  }
  return true;
};

/** Whether the selection is in a table whose first row is all header cells. */
export function isHeaderRowActive(state: EditorState): boolean {
  if (!isInTable(state)) return false;
  const $cell = selectionCell(state);
  const table = $cell.node(-1);
  const first = table.firstChild;
  if (first === null) return false;
  let allHeaders = first.childCount > 0;
  first.forEach((cell) => {
    if (cell.type !== nodes.tableHeader) allHeaders = false;
  });
  return allHeaders;
}

/**
 * Tab in a table: the next cell, or a new row after the last one (as in other editors).
 * Outside tables it does not apply.
 */
export const nextCell: Command = (state, dispatch, view) => {
  if (!isInTable(state)) return false;
  if (goToNextCell(1)(state, dispatch, view)) return true;
  const added: { tr: Transaction | null } = { tr: null };
  addRowAfter(state, (tr) => {
    added.tr = tr;
  });
  const tr = added.tr;
  if (tr === null) return false;
  if (dispatch) {
    // The row and the move into it are one step, for undo.
    goToNextCell(1)(state.apply(tr), (move) => tr.setSelection(move.selection));
    dispatch(tr.scrollIntoView());
  }
  return true;
};

/** Shift-Tab in a table: the previous cell. */
export const previousCell: Command = (state, dispatch, view) => isInTable(state) && goToNextCell(-1)(state, dispatch, view);
