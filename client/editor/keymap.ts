/**
 * Keyboard shortcuts of the editor. Undo and redo go to Yjs's undo manager (history.ts), so they
 * revert only this person's own changes, never a collaborator's. In a table, Tab and Shift-Tab
 * move between cells (Tab in the last cell adds a row); the arrow keys and cell selection come
 * from prosemirror-tables' plugin.
 */
import { baseKeymap, chainCommands, exitCode, setBlockType } from 'prosemirror-commands';
import { undoInputRule } from 'prosemirror-inputrules';
import { keymap } from 'prosemirror-keymap';
import { liftListItem, sinkListItem, splitListItem } from 'prosemirror-schema-list';
import type { Command, Plugin } from 'prosemirror-state';
import { redo, undo } from './history.js';
import { nextCell, previousCell } from './table-commands.js';
import {
  insertHardBreak,
  insertHorizontalRule,
  toggleBlockType,
  toggleBlockquote,
  toggleList,
  toggleMarkCommand,
} from './commands.js';
import { marks, nodes } from '../../document/schema.js';

/**
 * The shortcut of each toolbar command, in ProseMirror key notation (`Mod` is Cmd on macOS,
 * Ctrl elsewhere). The toolbar shows them in its tooltips; `buildKeymap` binds them.
 */
export const SHORTCUTS: Readonly<Record<string, string>> = {
  bold: 'Mod-b',
  italic: 'Mod-i',
  strike: 'Mod-Shift-s',
  code: 'Mod-e',
  link: 'Mod-k',
  paragraph: 'Mod-Alt-0',
  h1: 'Mod-Alt-1',
  h2: 'Mod-Alt-2',
  h3: 'Mod-Alt-3',
  'bullet-list': 'Mod-Shift-8',
  'ordered-list': 'Mod-Shift-7',
  blockquote: 'Mod-Shift-9',
  'code-block': 'Mod-Alt-c',
  hr: 'Mod-Shift-Enter',
  undo: 'Mod-z',
  redo: 'Shift-Mod-z',
};

/** Human form of a shortcut for this platform: `Mod-Shift-s` → `Ctrl+Shift+S` or `⌘⇧S`. */
export function describeShortcut(shortcut: string, mac: boolean): string {
  const names: Record<string, [string, string]> = {
    Mod: ['Ctrl', '⌘'],
    Shift: ['Shift', '⇧'],
    Alt: ['Alt', '⌥'],
    Enter: ['Enter', '↩'],
  };
  const parts = shortcut.split('-').map((part) => {
    const name = names[part];
    if (name) return mac ? name[1] : name[0];
    return part.length === 1 ? part.toUpperCase() : part;
  });
  return parts.join(mac ? '' : '+');
}

/**
 * The editor's keymaps, most specific first: list and formatting shortcuts, then ProseMirror's
 * base keymap. `onLink` runs for Mod-K (it opens the link prompt), `onOpenLink` for Alt-Enter
 * (it opens the link at the caret).
 */
export function buildKeymap(onLink: Command, onOpenLink: Command): Plugin[] {
  const bindings: Record<string, Command> = {
    'Alt-Enter': onOpenLink,
    'Mod-z': undo,
    'Shift-Mod-z': redo,
    'Mod-y': redo,
    Backspace: undoInputRule,
    'Mod-b': toggleMarkCommand(marks.strong),
    'Mod-i': toggleMarkCommand(marks.em),
    'Mod-u': () => true, // no underline in the schema; keep the browser from adding one
    'Mod-Shift-s': toggleMarkCommand(marks.strike),
    'Mod-Shift-x': toggleMarkCommand(marks.strike),
    'Mod-e': toggleMarkCommand(marks.code),
    'Mod-`': toggleMarkCommand(marks.code),
    'Mod-k': onLink,
    'Mod-Alt-0': setBlockType(nodes.paragraph),
    'Mod-Alt-1': toggleBlockType(nodes.heading, { level: 1 }),
    'Mod-Alt-2': toggleBlockType(nodes.heading, { level: 2 }),
    'Mod-Alt-3': toggleBlockType(nodes.heading, { level: 3 }),
    'Mod-Alt-c': toggleBlockType(nodes.codeBlock),
    'Mod-Shift-8': toggleList(nodes.bulletList),
    'Mod-Shift-7': toggleList(nodes.orderedList),
    'Mod-Shift-9': toggleBlockquote,
    'Mod-Shift-Enter': insertHorizontalRule,
    Enter: splitListItem(nodes.listItem),
    Tab: chainCommands(sinkListItem(nodes.listItem), nextCell),
    'Shift-Tab': chainCommands(liftListItem(nodes.listItem), previousCell),
    'Shift-Enter': chainCommands(exitCode, insertHardBreak),
    'Mod-Enter': chainCommands(exitCode, insertHardBreak),
  };
  return [keymap(bindings), keymap(baseKeymap)];
}
