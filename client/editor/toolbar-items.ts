/**
 * What the toolbar holds, in order: history, block types, inline marks, lists and blocks.
 * The `command` names are the toolbar's public contract (`button[data-command=…]`).
 */
import { setBlockType } from 'prosemirror-commands';
import type { Command } from 'prosemirror-state';
import { redoCommand, undoCommand } from 'y-prosemirror';
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
import { marks, nodes } from './schema.js';
import type { ToolbarLayout } from './toolbar.js';

/** The toolbar layout; `onLink` opens the link prompt. */
export function toolbarLayout(onLink: Command): ToolbarLayout {
  return [
    [
      { command: 'undo', label: 'Undo', face: { icon: 'undo' }, run: undoCommand },
      { command: 'redo', label: 'Redo', face: { icon: 'redo' }, run: redoCommand },
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
        isActive: (state: Parameters<Command>[0]) => isBlockActive(state, nodes.heading, { level }),
      })),
    ],
    [
      { command: 'bold', label: 'Bold', face: { text: 'B' }, run: toggleMarkCommand(marks.strong), isActive: (s) => isMarkActive(s, marks.strong) },
      { command: 'italic', label: 'Italic', face: { text: 'I' }, run: toggleMarkCommand(marks.em), isActive: (s) => isMarkActive(s, marks.em) },
      { command: 'strike', label: 'Strikethrough', face: { text: 'S' }, run: toggleMarkCommand(marks.strike), isActive: (s) => isMarkActive(s, marks.strike) },
      { command: 'code', label: 'Inline code', face: { icon: 'code' }, run: toggleMarkCommand(marks.code), isActive: (s) => isMarkActive(s, marks.code) },
      { command: 'link', label: 'Link', face: { icon: 'link' }, run: onLink, isActive: (s) => linkAt(s) !== null, isEnabled: canLink },
    ],
    [
      { command: 'bullet-list', label: 'Bulleted list', face: { icon: 'bullet-list' }, run: toggleList(nodes.bulletList), isActive: (s) => isListActive(s, nodes.bulletList) },
      { command: 'ordered-list', label: 'Numbered list', face: { icon: 'ordered-list' }, run: toggleList(nodes.orderedList), isActive: (s) => isListActive(s, nodes.orderedList) },
      { command: 'blockquote', label: 'Quote', face: { icon: 'blockquote' }, run: toggleBlockquote, isActive: isInBlockquote },
      { command: 'code-block', label: 'Code block', face: { icon: 'code-block' }, run: toggleBlockType(nodes.codeBlock), isActive: (s) => isBlockActive(s, nodes.codeBlock) },
      { command: 'hr', label: 'Divider', face: { icon: 'hr' }, run: insertHorizontalRule },
    ],
  ];
}
