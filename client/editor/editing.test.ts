/**
 * The editing behaviour that needs no browser: toolbar commands and markdown-style input rules,
 * run on real ProseMirror states. Input rules are driven through the plugin's own text-input
 * handler, with the smallest view object it reads (state, dispatch, composing).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node as PmNode } from 'prosemirror-model';
import { EditorState, TextSelection, type Command, type Plugin } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import {
  insertHorizontalRule,
  isBlockActive,
  isListActive,
  isMarkActive,
  linkAt,
  removeLink,
  setLink,
  toggleBlockquote,
  toggleBlockType,
  toggleList,
  toggleMarkCommand,
} from './commands.js';
import { buildInputRules } from './input-rules.js';
import { marks, nodes, schema } from '../../document/schema.js';

const rules = buildInputRules();

/** A holder of the current state that dispatch updates, shaped like the bits of EditorView input rules read. */
class Editor {
  state: EditorState;
  readonly composing = false;
  constructor(doc?: PmNode, plugins: Plugin[] = [rules]) {
    this.state = EditorState.create({ schema, doc, plugins });
  }
  dispatch = (tr: Parameters<EditorView['dispatch']>[0]): void => {
    this.state = this.state.apply(tr);
  };
  run(command: Command): boolean {
    return command(this.state, this.dispatch);
  }
  /** Types `text` character by character, letting the input rules see each one as a browser would. */
  type(text: string): void {
    const handler = rules.props.handleTextInput;
    assert.ok(handler);
    for (const char of text) {
      const { from, to } = this.state.selection;
      const view = this as unknown as EditorView;
      const handled = handler.call(rules, view, from, to, char, () => this.state.tr.insertText(char, from, to));
      if (!handled) this.dispatch(this.state.tr.insertText(char, from, to));
    }
  }
  select(from: number, to = from): void {
    this.dispatch(this.state.tr.setSelection(TextSelection.create(this.state.doc, from, to)));
  }
  /** The document as plain JSON (ProseMirror's attrs objects have no prototype). */
  get json(): unknown {
    return JSON.parse(JSON.stringify(this.state.doc.toJSON()));
  }
  blocks(): string[] {
    return this.state.doc.content.content.map((n) => n.type.name);
  }
}

const text = (t: string, ...m: string[]) => ({ type: 'text', text: t, ...(m.length ? { marks: m.map((type) => ({ type })) } : {}) });

describe('input rules', () => {
  it('turns #, ## and ### into headings', () => {
    for (const [prefix, level] of [['# ', 1], ['## ', 2], ['### ', 3]] as const) {
      const editor = new Editor();
      editor.type(`${prefix}Title`);
      assert.deepEqual(editor.json, { type: 'doc', content: [{ type: 'heading', attrs: { level }, content: [text('Title')] }] });
    }
    const four = new Editor();
    four.type('#### x');
    assert.deepEqual(four.blocks(), ['paragraph'], 'four # is no heading level of ours');
    assert.equal(four.state.doc.textContent, '#### x');
  });

  it('starts lists, quotes and code blocks', () => {
    const cases: [string, string][] = [['* ', 'bullet_list'], ['- ', 'bullet_list'], ['1. ', 'ordered_list'], ['> ', 'blockquote'], ['```', 'code_block']];
    for (const [typed, type] of cases) {
      const editor = new Editor();
      editor.type(typed + 'x');
      assert.deepEqual(editor.blocks(), [type], typed);
      assert.equal(editor.state.doc.textContent, 'x', typed);
    }
    const numbered = new Editor();
    numbered.type('7. x');
    assert.equal(numbered.state.doc.firstChild?.attrs['order'], 7);
  });

  it('turns --- in an empty paragraph into a divider followed by a paragraph', () => {
    const editor = new Editor();
    editor.type('---after');
    assert.deepEqual(editor.json, {
      type: 'doc',
      content: [{ type: 'horizontal_rule' }, { type: 'paragraph', content: [text('after')] }],
    });
    const inline = new Editor();
    inline.type('a---');
    assert.equal(inline.state.doc.textContent, 'a---', '--- inside text stays text');
  });

  it('applies bold, italic, strikethrough and code around typed text', () => {
    const editor = new Editor();
    editor.type('a **b** *c* _d_ ~~e~~ `f` g');
    assert.deepEqual(editor.json, {
      type: 'doc',
      content: [{
        type: 'paragraph',
        content: [text('a '), text('b', 'strong'), text(' '), text('c', 'em'), text(' '), text('d', 'em'), text(' '),
          text('e', 'strike'), text(' '), text('f', 'code'), text(' g')],
      }],
    });
  });

  it('leaves snake_case, 2*3*4 and spaced asterisks alone', () => {
    const editor = new Editor();
    editor.type('snake_case_name 2*3*4 a * b *');
    assert.equal(editor.state.doc.textContent, 'snake_case_name 2*3*4 a * b *');
    let marked = false;
    editor.state.doc.descendants((n) => { marked ||= n.marks.length > 0; });
    assert.equal(marked, false);
  });

  it('does nothing inside a code block', () => {
    const editor = new Editor();
    editor.type('```# **x** ---');
    assert.deepEqual(editor.blocks(), ['code_block']);
    assert.equal(editor.state.doc.textContent, '# **x** ---');
  });
});

describe('commands', () => {
  const docWith = (...blocks: PmNode[]): PmNode => nodes.doc.create(null, blocks);
  const para = (t: string): PmNode => nodes.paragraph.create(null, t ? schema.text(t) : []);

  it('toggles marks and reports them active only when the whole selection has them', () => {
    const editor = new Editor(docWith(para('hello world')));
    editor.select(1, 6);
    assert.ok(editor.run(toggleMarkCommand(marks.strong)));
    assert.ok(isMarkActive(editor.state, marks.strong));
    editor.select(1, 12);
    assert.equal(isMarkActive(editor.state, marks.strong), false, 'half bold is not bold');
    editor.run(toggleMarkCommand(marks.strong));
    assert.ok(isMarkActive(editor.state, marks.strong), 'toggling a partly bold selection makes it all bold');
    editor.run(toggleMarkCommand(marks.strong));
    assert.equal(editor.state.doc.rangeHasMark(1, 12, marks.strong), false);
  });

  it('toggles headings and code blocks back to paragraphs', () => {
    const editor = new Editor(docWith(para('x')));
    editor.select(1);
    editor.run(toggleBlockType(nodes.heading, { level: 2 }));
    assert.ok(isBlockActive(editor.state, nodes.heading, { level: 2 }));
    assert.equal(isBlockActive(editor.state, nodes.heading, { level: 1 }), false);
    editor.run(toggleBlockType(nodes.heading, { level: 1 }));
    assert.ok(isBlockActive(editor.state, nodes.heading, { level: 1 }));
    editor.run(toggleBlockType(nodes.heading, { level: 1 }));
    assert.ok(isBlockActive(editor.state, nodes.paragraph));
    editor.run(toggleBlockType(nodes.codeBlock));
    assert.deepEqual(editor.blocks(), ['code_block']);
    editor.run(toggleBlockType(nodes.codeBlock));
    assert.deepEqual(editor.blocks(), ['paragraph']);
  });

  it('wraps, switches and unwraps lists', () => {
    const editor = new Editor(docWith(para('item')));
    editor.select(1);
    editor.run(toggleList(nodes.bulletList));
    assert.ok(isListActive(editor.state, nodes.bulletList));
    editor.run(toggleList(nodes.orderedList));
    assert.ok(isListActive(editor.state, nodes.orderedList));
    assert.deepEqual(editor.blocks(), ['ordered_list']);
    editor.run(toggleList(nodes.orderedList));
    assert.deepEqual(editor.blocks(), ['paragraph']);
    assert.equal(editor.state.doc.textContent, 'item');
  });

  it('wraps in and lifts out of a quote, and inserts a divider', () => {
    const editor = new Editor(docWith(para('q')));
    editor.select(1);
    editor.run(toggleBlockquote);
    assert.deepEqual(editor.blocks(), ['blockquote']);
    editor.run(toggleBlockquote);
    assert.deepEqual(editor.blocks(), ['paragraph']);
    editor.select(2);
    assert.ok(editor.run(insertHorizontalRule));
    assert.ok(editor.blocks().includes('horizontal_rule'));
  });

  it('sets, finds, edits and removes links', () => {
    const editor = new Editor(docWith(para('see the docs here')));
    editor.select(1, 4);
    assert.equal(editor.run(setLink('https://example.com/')), true);
    editor.select(2);
    assert.deepEqual(linkAt(editor.state), { href: 'https://example.com/', from: 1, to: 4 });
    assert.ok(editor.run(setLink('https://example.org/')), 'with a bare cursor the link under it is edited');
    assert.deepEqual(linkAt(editor.state), { href: 'https://example.org/', from: 1, to: 4 });
    editor.select(9);
    assert.equal(linkAt(editor.state), null);
    assert.equal(editor.run(setLink('https://example.com/')), false, 'no selection and no link: nothing to link');
    editor.select(3);
    assert.ok(editor.run(removeLink));
    assert.equal(editor.state.doc.rangeHasMark(0, editor.state.doc.content.size, marks.link), false);
  });
});
