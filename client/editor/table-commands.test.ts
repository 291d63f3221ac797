/**
 * Block insertion and the table commands on real ProseMirror states (no DOM): a divider and a
 * table go in wherever the selection is, select-all included, and Tab moves through cells.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node as PmNode } from 'prosemirror-model';
import { AllSelection, EditorState, TextSelection, type Command } from 'prosemirror-state';
import { insertHorizontalRule } from './commands.js';
import { canInsertBlock } from './insert-block.js';
import { emptyTable, insertTable, isHeaderRowActive, nextCell, previousCell, toggleHeaderRow } from './table-commands.js';
import { nodes, schema } from '../../document/schema.js';

const p = (text: string): PmNode => nodes.paragraph.create(null, text === '' ? null : schema.text(text));
const doc = (...blocks: PmNode[]): PmNode => nodes.doc.create(null, blocks);

class Editor {
  state: EditorState;
  constructor(content: PmNode) {
    this.state = EditorState.create({ schema, doc: content });
  }
  run(command: Command): boolean {
    return command(this.state, (tr) => {
      this.state = this.state.apply(tr);
    });
  }
  caret(pos: number): this {
    this.state = this.state.apply(this.state.tr.setSelection(TextSelection.create(this.state.doc, pos)));
    return this;
  }
  selectAll(): this {
    this.state = this.state.apply(this.state.tr.setSelection(new AllSelection(this.state.doc)));
    return this;
  }
  blocks(): string[] {
    return this.state.doc.content.content.map((node) => node.type.name);
  }
  /** The text of the textblock the caret is in. */
  caretBlock(): string {
    return this.state.selection.$from.parent.textContent;
  }
}

describe('inserting blocks', () => {
  it('replaces a select-all with a divider and leaves the caret in a paragraph after it', () => {
    const editor = new Editor(doc(p('one'), p('two'))).selectAll();
    assert.equal(canInsertBlock(editor.state, nodes.horizontalRule), true);
    assert.ok(editor.run(insertHorizontalRule));
    assert.deepEqual(editor.blocks(), ['horizontal_rule', 'paragraph']);
    assert.ok(editor.state.selection instanceof TextSelection);
    assert.equal(editor.state.selection.$from.parent.type, nodes.paragraph);
  });

  it('puts a divider after the paragraph the caret ends, before the one it starts, between the halves of one it splits', () => {
    const atEnd = new Editor(doc(p('one'), p('two'))).caret(4);
    atEnd.run(insertHorizontalRule);
    assert.deepEqual(atEnd.blocks(), ['paragraph', 'horizontal_rule', 'paragraph']);
    assert.equal(atEnd.caretBlock(), 'two', 'the caret moves on to the next paragraph');

    const atLastEnd = new Editor(doc(p('only'))).caret(5);
    atLastEnd.run(insertHorizontalRule);
    assert.deepEqual(atLastEnd.blocks(), ['paragraph', 'horizontal_rule', 'paragraph'], 'a paragraph is added after a divider at the end');
    assert.equal(atLastEnd.caretBlock(), '');

    const inMiddle = new Editor(doc(p('abcd'))).caret(3);
    inMiddle.run(insertHorizontalRule);
    assert.deepEqual(inMiddle.blocks(), ['paragraph', 'horizontal_rule', 'paragraph']);
    assert.equal(inMiddle.state.doc.textContent, 'abcd');
    assert.equal(inMiddle.caretBlock(), 'cd');
  });

  it('inserts no block inside code', () => {
    const editor = new Editor(doc(nodes.codeBlock.create(null, schema.text('x = 1')))).caret(2);
    assert.equal(canInsertBlock(editor.state, nodes.horizontalRule), false);
    assert.equal(editor.run(insertHorizontalRule), false);
    assert.equal(editor.run(insertTable), false);
  });
});

describe('table commands', () => {
  it('inserts a 3 × 3 table with a header row and the caret in its first cell, also over a select-all', () => {
    const editor = new Editor(doc(p('Plan'))).caret(5);
    assert.ok(editor.run(insertTable));
    assert.deepEqual(editor.blocks(), ['paragraph', 'table', 'paragraph']);
    const table = editor.state.doc.child(1);
    assert.equal(table.childCount, 3);
    assert.deepEqual(table.firstChild?.content.content.map((cell) => cell.type.name), ['table_header', 'table_header', 'table_header']);
    assert.equal(editor.state.selection.$from.node(-1).type, nodes.tableHeader, 'the caret is in the first cell');
    assert.ok(isHeaderRowActive(editor.state));
    assert.equal(editor.run(insertTable), false, 'no table inside a table');

    const all = new Editor(doc(p('a'), p('b'))).selectAll();
    assert.ok(all.run(insertTable));
    assert.deepEqual(all.blocks(), ['table', 'paragraph']);
  });

  it('moves with Tab and Shift-Tab, and Tab in the last cell adds a row', () => {
    const editor = new Editor(doc(emptyTable(2, 2), p('')));
    editor.caret(4);
    // Depth: doc > table > row > cell > paragraph; the cell's index in its row, plus ten per row.
    const cellIndex = (): number => editor.state.selection.$from.index(-2) + 10 * editor.state.selection.$from.index(-3);
    assert.equal(cellIndex(), 0);
    assert.ok(editor.run(nextCell));
    assert.equal(cellIndex(), 1);
    assert.ok(editor.run(nextCell));
    assert.equal(cellIndex(), 10);
    assert.ok(editor.run(previousCell));
    assert.equal(cellIndex(), 1);
    editor.run(nextCell);
    editor.run(nextCell);
    assert.equal(cellIndex(), 11);
    assert.ok(editor.run(nextCell), 'Tab in the last cell');
    assert.equal(editor.state.doc.firstChild?.childCount, 3, 'a row was added');
    assert.equal(cellIndex(), 20, 'the caret is in the new row');
  });

  it('leaves Tab alone outside tables', () => {
    const editor = new Editor(doc(p('text'))).caret(2);
    assert.equal(editor.run(nextCell), false);
    assert.equal(editor.run(previousCell), false);
  });

  it('toggles the first row between header and ordinary cells from any row', () => {
    const editor = new Editor(doc(emptyTable(3, 2)));
    // The caret in the last row: the header row is still the first one.
    const lastRowCell = editor.state.doc.firstChild!.child(0).nodeSize + editor.state.doc.firstChild!.child(1).nodeSize + 4;
    editor.caret(lastRowCell);
    assert.ok(isHeaderRowActive(editor.state));
    editor.run(toggleHeaderRow);
    assert.equal(isHeaderRowActive(editor.state), false);
    assert.deepEqual(editor.state.doc.firstChild?.child(2).content.content.map((c) => c.type.name), ['table_cell', 'table_cell']);
    editor.run(toggleHeaderRow);
    assert.ok(isHeaderRowActive(editor.state));
  });
});
