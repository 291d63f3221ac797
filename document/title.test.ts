import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node as PmNode } from 'prosemirror-model';
import { prosemirrorToYXmlFragment } from 'y-prosemirror';
import * as Y from 'yjs';
import { nodes, schema } from './schema.js';
import { docTitle, MAX_TITLE_LENGTH, tabTitle } from './title.js';
import { FRAGMENT_NAME } from './fragment.js';

const p = (...content: (PmNode | string)[]): PmNode =>
  nodes.paragraph.create(null, content.map((c) => (typeof c === 'string' ? schema.text(c) : c)));
const h = (level: number, text: string): PmNode => nodes.heading.create({ level }, text === '' ? [] : [schema.text(text)]);
const doc = (...blocks: PmNode[]): PmNode => nodes.doc.create(null, blocks);
const br = (): PmNode => nodes.hardBreak.create();

/** The same document as y-prosemirror stores it, so both inputs of docTitle are checked alike. */
function asFragment(pmDoc: PmNode): Y.XmlFragment {
  const ydoc = new Y.Doc();
  const fragment = ydoc.getXmlFragment(FRAGMENT_NAME);
  prosemirrorToYXmlFragment(pmDoc, fragment);
  return fragment;
}

function titleBoth(pmDoc: PmNode): string {
  const fromPm = docTitle(pmDoc);
  const fromY = docTitle(asFragment(pmDoc));
  assert.equal(fromY, fromPm, 'the Yjs fragment and the ProseMirror document disagree');
  return fromPm;
}

describe('docTitle', () => {
  it('is the first heading when there is one, wherever it is', () => {
    assert.equal(titleBoth(doc(h(1, 'Plan'), p('body'))), 'Plan');
    assert.equal(titleBoth(doc(p('intro line'), h(2, 'Agenda'), h(1, 'Later'))), 'Agenda');
  });

  it('skips empty headings', () => {
    assert.equal(titleBoth(doc(h(1, ''), h(2, '   '), p('text'), h(3, 'Real'))), 'Real');
  });

  it('is the first non-empty line when there is no heading', () => {
    assert.equal(titleBoth(doc(p(), p('  '), p('First words', br(), 'second line'))), 'First words');
    assert.equal(titleBoth(doc(p(br(), 'after a break'))), 'after a break');
  });

  it('finds text inside lists, quotes and code blocks', () => {
    const list = nodes.bulletList.create(null, nodes.listItem.create(null, p('item one')));
    assert.equal(titleBoth(doc(p(), list)), 'item one');
    const quote = nodes.blockquote.create(null, p('quoted'));
    assert.equal(titleBoth(doc(quote, p('after'))), 'quoted');
    const code = nodes.codeBlock.create(null, schema.text('const x = 1;\nmore'));
    assert.equal(titleBoth(doc(nodes.horizontalRule.create(), code)), 'const x = 1; more');
  });

  it('ignores marks and collapses whitespace', () => {
    const bold = schema.text('bold', [schema.marks.strong.create()]);
    assert.equal(titleBoth(doc(h(1, ''), p('  A \t ', bold, '   title  '))), 'A bold title');
  });

  it('is empty for a document without text', () => {
    assert.equal(titleBoth(doc(p())), '');
    assert.equal(titleBoth(doc(p(), nodes.horizontalRule.create(), p(br()))), '');
    assert.equal(docTitle(new Y.Doc().getXmlFragment(FRAGMENT_NAME)), '');
  });

  it('shortens long titles at a word, with an ellipsis', () => {
    const long = 'word '.repeat(60).trim();
    const title = titleBoth(doc(p(long)));
    assert.ok(title.length <= MAX_TITLE_LENGTH + 1, `${title.length} characters`);
    assert.ok(title.endsWith('word…'), title);
    const unbroken = 'x'.repeat(300);
    assert.equal(titleBoth(doc(h(1, unbroken))), 'x'.repeat(MAX_TITLE_LENGTH) + '…');
  });
});

describe('tabTitle', () => {
  it('names the tab after the document, or Untitled', () => {
    assert.equal(tabTitle('Plan'), 'Plan — Quire');
    assert.equal(tabTitle(''), 'Untitled — Quire');
  });
});
