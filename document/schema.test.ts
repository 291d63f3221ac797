import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHTML } from 'linkedom';
import { DOMParser as PmDOMParser, DOMSerializer, type Node as PmNode } from 'prosemirror-model';
import { headingLevel, listStart, marks, nodes, schema } from './schema.js';

/** Parses HTML the way a paste does: ProseMirror's DOMParser over the schema's rules. */
function parse(html: string): PmNode {
  const { document } = parseHTML(`<html><body><div id="root">${html}</div></body></html>`);
  const root = document.getElementById('root');
  assert.ok(root);
  return PmDOMParser.fromSchema(schema).parse(root);
}

/** Renders a document with the schema's toDOM, as the editor does, and returns the HTML. */
function render(doc: PmNode): string {
  const { document } = parseHTML('<html><body></body></html>');
  const holder = document.createElement('div');
  // linkedom's Document stands in for the browser's; DOMSerializer only calls createElement & co.
  holder.appendChild(DOMSerializer.fromSchema(schema).serializeFragment(doc.content, { document: document as unknown as Document }) as unknown as Node);
  return holder.innerHTML;
}

function linksOf(doc: PmNode): unknown[] {
  const hrefs: unknown[] = [];
  doc.descendants((node) => {
    for (const mark of node.marks) if (mark.type === marks.link) hrefs.push(mark.attrs['href']);
  });
  return hrefs;
}

describe('the schema', () => {
  it('has the node and mark names the stored documents use', () => {
    assert.deepEqual(Object.keys(schema.nodes).sort(), [
      'blockquote', 'bullet_list', 'code_block', 'doc', 'hard_break', 'heading', 'horizontal_rule', 'image', 'list_item',
      'ordered_list', 'paragraph', 'table', 'table_cell', 'table_header', 'table_row', 'text',
    ]);
    assert.deepEqual(Object.keys(schema.marks).sort(), ['code', 'em', 'link', 'strike', 'strong']);
  });

  it('parses every supported construct from pasted HTML', () => {
    const doc = parse(
      '<h1>One</h1><h2>Two</h2><h3>Three</h3><p><strong>b</strong><em>i</em><s>s</s><code>c</code><br>x</p>' +
        '<blockquote><p>q</p></blockquote><pre>  code\n  kept</pre><hr><ul><li>u</li></ul><ol start="4"><li>o</li></ol>',
    );
    assert.deepEqual(
      doc.content.content.map((n) => n.type.name),
      ['heading', 'heading', 'heading', 'paragraph', 'blockquote', 'code_block', 'horizontal_rule', 'bullet_list', 'ordered_list'],
    );
    assert.deepEqual([1, 2, 3].map((i) => doc.child(i - 1).attrs['level']), [1, 2, 3]);
    assert.equal(doc.child(5).textContent, '  code\n  kept');
    assert.equal(doc.child(8).attrs['order'], 4);
    const paragraph = doc.child(3);
    assert.deepEqual(
      paragraph.content.content.map((n) => [n.type.name, n.marks.map((m) => m.type.name).join()]),
      [['text', 'strong'], ['text', 'em'], ['text', 'strike'], ['text', 'code'], ['hard_break', ''], ['text', '']],
    );
  });

  it('reduces foreign HTML to the schema: scripts, images and handlers do not survive', () => {
    const doc = parse(
      '<p onclick="x()">Hi<img src="x" onerror="alert(1)"><script>alert(2)</script><iframe src="https://e.com"></iframe></p>' +
        '<table><tr><td>cell</td></tr></table><h5>deep</h5><div><span style="font-weight:700">heavy</span></div>',
    );
    const json = JSON.stringify(doc.toJSON());
    for (const word of ['onclick', 'onerror', 'alert', 'iframe', 'img', 'script']) assert.ok(!json.includes(word), word);
    assert.equal(doc.child(0).textContent, 'Hi');
    assert.equal(doc.child(1).type, nodes.table, 'tables survive (see tables.test.ts)');
    assert.equal(doc.child(1).textContent, 'cell');
    assert.equal(doc.child(2).type, nodes.heading);
    assert.equal(doc.child(2).attrs['level'], 3);
    assert.ok(doc.child(3).firstChild?.marks.some((m) => m.type === marks.strong));
  });

  it('does not take a Google Docs wrapper <b style="font-weight:normal"> for bold', () => {
    const doc = parse('<b style="font-weight:normal" id="docs-internal-guid-1"><p>plain</p></b>');
    assert.deepEqual(doc.firstChild?.firstChild?.marks, []);
  });

  it('keeps the text of pasted links with unsafe or relative hrefs, but not the link', () => {
    const doc = parse(
      '<p><a href="javascript:alert(1)">a</a> <a href="java&#10;script:alert(1)">b</a> <a href="data:text/html,x">c</a> ' +
        '<a href="/relative">d</a> <a href="https://example.com/ok" title="t">e</a> <a href="mailto:x@example.com">f</a></p>',
    );
    assert.equal(doc.textContent, 'a b c d e f');
    assert.deepEqual(linksOf(doc), ['https://example.com/ok', 'mailto:x@example.com']);
  });

  it('renders a link a peer stored with an unsafe href without any href', () => {
    for (const href of ['javascript:alert(1)', ' JAVASCRIPT:alert(1)', 'data:text/html,x', 42, null, '/relative']) {
      const doc = nodes.doc.create(null, nodes.paragraph.create(null, schema.text('x', [marks.link.create({ href })])));
      const html = render(doc);
      assert.match(html, /<a[^>]*>x<\/a>/, JSON.stringify(href));
      assert.ok(!html.includes('href'), `${JSON.stringify(href)} rendered as ${html}`);
    }
    const safe = render(nodes.doc.create(null, nodes.paragraph.create(null, schema.text('x', [marks.link.create({ href: 'https://example.com' })]))));
    assert.match(safe, /href="https:\/\/example\.com\/"/);
    assert.match(safe, /rel="noopener noreferrer nofollow"/);
  });

  it('renders attributes a peer stored out of range as the nearest valid ones', () => {
    const heading = (level: unknown): string => render(nodes.doc.create(null, nodes.heading.create({ level }, schema.text('h'))));
    assert.equal(heading(2), '<h2>h</h2>');
    assert.equal(heading('1'), '<h1>h</h1>');
    assert.equal(heading(9), '<h3>h</h3>');
    assert.equal(heading(0), '<h1>h</h1>');
    assert.equal(heading('3 onload=alert(1)'), '<h3>h</h3>');
    assert.equal(heading({}), '<h3>h</h3>');
    const list = (order: unknown): string =>
      render(nodes.doc.create(null, nodes.orderedList.create({ order }, nodes.listItem.create(null, nodes.paragraph.create(null, schema.text('i'))))));
    assert.equal(list(1), '<ol><li><p>i</p></li></ol>');
    assert.equal(list(5), '<ol start="5"><li><p>i</p></li></ol>');
    assert.equal(list('7" onclick="x'), '<ol start="7"><li><p>i</p></li></ol>');
    assert.equal(list(-3), '<ol start="0"><li><p>i</p></li></ol>');
  });

  it('clamps heading levels and list starts', () => {
    assert.deepEqual([1, 2, 3, 0, -1, 4, 'x', NaN].map(headingLevel), [1, 2, 3, 1, 1, 3, 3, 3]);
    assert.deepEqual([1, '12', 2.7, -4, 10_000_000, 'x'].map(listStart), [1, 12, 2, 0, 999_999, 1]);
  });
});
