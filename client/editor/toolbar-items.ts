/**
 * What the toolbar holds, in order: history, block types, inline marks, lists and blocks, tables
 * and pictures.
 * The `command` names are the toolbar's public contract (`button[data-command=…]`), and so are
 * the Table menu's (`#toolbar-item-menu [data-command=…]`).
 */
import { setBlockType } from 'prosemirror-commands';
import type { Command, EditorState } from 'prosemirror-state';
import {
  canLink,
  insertHorizontalRule,
  isBlockActive,
  isInBlockquote,
  isListActive,
  isMarkActive,
  linkAt,
  toggleBlockquote,
  toggleBlockType,
  toggleList,
  toggleMarkCommand,
} from './commands.js';
import { redo, undo } from './history.js';
import {
  addColumnAfter,
  addColumnBefore,
  addRowAfter,
  addRowBefore,
  deleteColumn,
  deleteRow,
  deleteTable,
  insertTable,
  isHeaderRowActive,
  isInTable,
  toggleHeaderRow,
} from './table-commands.js';
import { marks, nodes } from '../../document/schema.js';
import type { ToolbarItem, ToolbarLayout } from './toolbar.js';

/** A table command that applies only with the selection in a table. */
const inTable = (command: Command): Command => (state, dispatch, view) => isInTable(state) && command(state, dispatch, view);

/** The Table menu: insert a table, or change the one the selection is in. */
export const TABLE_MENU: readonly ToolbarItem[] = [
  { command: 'insert-table', label: 'Insert table', face: { icon: 'table' }, run: insertTable },
  { command: 'add-row-before', label: 'Insert row above', face: { icon: 'row-above' }, run: inTable(addRowBefore), separatorBefore: true },
  { command: 'add-row-after', label: 'Insert row below', face: { icon: 'row-below' }, run: inTable(addRowAfter) },
  { command: 'add-column-before', label: 'Insert column left', face: { icon: 'column-left' }, run: inTable(addColumnBefore) },
  { command: 'add-column-after', label: 'Insert column right', face: { icon: 'column-right' }, run: inTable(addColumnAfter) },
  { command: 'delete-row', label: 'Delete row', face: { icon: 'delete-row' }, run: inTable(deleteRow), separatorBefore: true },
  { command: 'delete-column', label: 'Delete column', face: { icon: 'delete-column' }, run: inTable(deleteColumn) },
  {
    command: 'toggle-header-row',
    label: 'Header row',
    face: { icon: 'header-row' },
    run: inTable(toggleHeaderRow),
    isActive: isHeaderRowActive,
    separatorBefore: true,
  },
  { command: 'delete-table', label: 'Delete table', face: { icon: 'trash' }, run: inTable(deleteTable) },
];

/** The toolbar layout; `onLink` opens the link prompt, `onPicture` the file chooser for pictures. */
export function toolbarLayout(onLink: Command, onPicture: Command): ToolbarLayout {
  return [
    [
      { command: 'undo', label: 'Undo', face: { icon: 'undo' }, run: undo },
      { command: 'redo', label: 'Redo', face: { icon: 'redo' }, run: redo },
    ],
    [
      {
        command: 'paragraph',
        label: 'Normal text',
        face: { text: '¶' },
        run: setBlockType(nodes.paragraph),
        isActive: (state) => isBlockActive(state, nodes.paragraph),
        isEnabled: (state) => isBlockActive(state, nodes.paragraph) || setBlockType(nodes.paragraph)(state),
      },
      ...([1, 2, 3] as const).map((level) => ({
        command: `h${level}`,
        label: `Heading ${level}`,
        face: { text: `H${level}` },
        run: toggleBlockType(nodes.heading, { level }),
        isActive: (state: EditorState) => isBlockActive(state, nodes.heading, { level }),
      })),
    ],
    [
      { command: 'bold', label: 'Bold', face: { text: 'B' }, run: toggleMarkCommand(marks.strong), isActive: (s) => isMarkActive(s, marks.strong) },
      { command: 'italic', label: 'Italic', face: { text: 'I' }, run: toggleMarkCommand(marks.em), isActive: (s) => isMarkActive(s, marks.em) },
      { command: 'strike', label: 'Strikethrough', face: { text: 'S' }, run: toggleMarkCommand(marks.strike), isActive: (s) => isMarkActive(s, marks.strike) },
      { command: 'code', label: 'Inline code', face: { icon: 'code' }, run: toggleMarkCommand(marks.code), isActive: (s) => isMarkActive(s, marks.code) },
      { command: 'link', label: 'Link', face: { icon: 'link' }, run: onLink, isActive: (s) => linkAt(s) !== null, isEnabled: canLink, keepsFocus: true },
    ],
    [
      { command: 'bullet-list', label: 'Bulleted list', face: { icon: 'bullet-list' }, run: toggleList(nodes.bulletList), isActive: (s) => isListActive(s, nodes.bulletList) },
      { command: 'ordered-list', label: 'Numbered list', face: { icon: 'ordered-list' }, run: toggleList(nodes.orderedList), isActive: (s) => isListActive(s, nodes.orderedList) },
      { command: 'blockquote', label: 'Quote', face: { icon: 'blockquote' }, run: toggleBlockquote, isActive: isInBlockquote },
      { command: 'code-block', label: 'Code block', face: { icon: 'code-block' }, run: toggleBlockType(nodes.codeBlock), isActive: (s) => isBlockActive(s, nodes.codeBlock) },
      { command: 'hr', label: 'Divider', face: { icon: 'hr' }, run: insertHorizontalRule },
    ],
    [
      { command: 'table', label: 'Table', face: { icon: 'table' }, run: () => false, isActive: isInTable, menu: TABLE_MENU },
      { command: 'image', label: 'Picture', face: { icon: 'image' }, run: onPicture, keepsFocus: true },
    ],
  ];
}
