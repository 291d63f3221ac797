import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHTML } from 'linkedom';
import { DOMParser as PmDOMParser, DOMSerializer, type Node as PmNode } from 'prosemirror-model';
import { prosemirrorToYXmlFragment, yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror';
import * as Y from 'yjs';
import { FRAGMENT_NAME } from './fragment.js';
import { htmlPage, htmlToPm, markdownToPm, pmToHtml, pmToMarkdown, pmToYUpdate, yDocToPm } from './doc-format.js';
import { nodes, schema } from './schema.js';
import { clampSpan, MAX_COLSPAN, MAX_ROWSPAN } from './table-schema.js';
import { activeHtmlParts } from '../test/support/export-safety.js';

const p = (text: string): PmNode => nodes.paragraph.create(null, text === '' ? null : schema.text(text));
const th = (text: string, attrs?: Record<string, unknown>): PmNode => nodes.tableHeader.create(attrs, p(text));
const td = (text: string, attrs?: Record<string, unknown>): PmNode => nodes.tableCell.create(attrs, p(text));
const tr = (...cells: PmNode[]): PmNode => nodes.tableRow.create(null, cells);
const table = (...rows: PmNode[]): PmNode => nodes.table.create(null, rows);
const doc = (...blocks: PmNode[]): PmNode => nodes.doc.create(null, blocks);

/** Rows of `tag:text` cells of the first table in `node`. */
function cellsOf(node: PmNode): string[][] {
  let found: PmNode | null = null;
  node.descendants((child) => {
    if (found === null && child.type === nodes.table) found = child;
    return found === null;
  });
  assert.ok(found, 'no table');
  const rows: string[][] = [];
  (found as PmNode).forEach((row) => {
    const cells: string[] = [];
    row.forEach((cell) => cells.push(`${cell.type === nodes.tableHeader ? 'th' : 'td'}:${cell.textContent}`));
    rows.push(cells);
  });
  return rows;
}

/** Parses HTML the way a paste does. */
function paste(html: string): PmNode {
  const { document } = parseHTML(`<html><body><div id="root">${html}</div></body></html>`);
  return PmDOMParser.fromSchema(schema).parse(document.getElementById('root') as unknown as Node);
}

function render(node: PmNode): string {
  const { document } = parseHTML('<html><body></body></html>');
  const holder = document.createElement('div');
  holder.appendChild(DOMSerializer.fromSchema(schema).serializeFragment(node.content, { document: document as unknown as Document }) as unknown as Node);
  return holder.innerHTML;
}

const SIMPLE = doc(p('Before.'), table(tr(th('H1'), th('H2')), tr(td('c1'), td('c2'))), p('After.'));

describe('tables in the schema', () => {
  it('parses pasted tables from web pages, Google Docs and Word into table nodes', () => {
    const web = paste('<table><thead><tr><th>H1</th><th>H2</th></tr></thead><tbody><tr><td>c1</td><td>c2</td></tr></tbody></table>');
    assert.deepEqual(cellsOf(web), [['th:H1', 'th:H2'], ['td:c1', 'td:c2']]);

    const googleDocs = paste(
      '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1"><div dir="ltr" style="margin-left:0pt;" align="left">' +
        '<table style="border:none;border-collapse:collapse;"><colgroup><col width="301"><col width="301"></colgroup><tbody>' +
        '<tr style="height:0pt"><td style="border-left:solid #000000 1pt;padding:5pt"><p dir="ltr" style="line-height:1.2"><span style="font-size:11pt;font-weight:700">Name</span></p></td>' +
        '<td style="padding:5pt"><p dir="ltr"><span style="font-size:11pt">Role</span></p></td></tr>' +
        '<tr><td><p dir="ltr"><span>Ada</span></p></td><td><p dir="ltr"><span>Engineer</span></p></td></tr></tbody></table></div></b>',
    );
    assert.deepEqual(cellsOf(googleDocs), [['td:Name', 'td:Role'], ['td:Ada', 'td:Engineer']]);
    const bold = googleDocs.firstChild?.firstChild?.firstChild?.firstChild?.firstChild;
    assert.equal(bold?.marks[0]?.type.name, 'strong', 'formatting inside cells is kept');

    const word = paste(
      '<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style="border-collapse:collapse;border:none">' +
        '<tr><td width=301 valign=top style="width:225.4pt;border:solid windowtext 1.0pt"><p class=MsoNormal>One<o:p></o:p></p></td>' +
        '<td width=301 valign=top><p class=MsoNormal>Two</p></td></tr></table>',
    );
    assert.deepEqual(cellsOf(word), [['td:One', 'td:Two']]);
  });

  it('keeps spans from a paste, clamped to what browsers allow, and nothing else of the cell', () => {
    const pasted = paste('<table><tr><td colspan="3" style="background:red" class="x" data-colwidth="100" width="90">a</td><td rowspan="999999">b</td><td colspan="-4">c</td></tr></table>');
    const cells: Record<string, unknown>[] = [];
    pasted.descendants((node) => {
      if (node.type === nodes.tableCell) cells.push({ ...node.attrs });
      return true;
    });
    assert.deepEqual(cells, [
      { colspan: 3, rowspan: 1, colwidth: null },
      { colspan: 1, rowspan: MAX_ROWSPAN, colwidth: null },
      { colspan: 1, rowspan: 1, colwidth: null },
    ]);
    assert.deepEqual([0, 1, '2', 7.9, 5000, 'x', null].map((v) => clampSpan(v, MAX_COLSPAN)), [1, 1, 2, 7, MAX_COLSPAN, 1, 1]);
  });

  it('renders cells with their spans only: no widths, styles or other attributes', () => {
    const html = render(doc(table(tr(td('a', { colspan: 2, colwidth: [100, 200] }), td('b', { rowspan: 3 })), tr(td('c')))));
    assert.equal(html, '<table><tbody><tr><td colspan="2"><p>a</p></td><td rowspan="3"><p>b</p></td></tr><tr><td><p>c</p></td></tr></tbody></table>');
  });

  it('refuses stored cells whose spans or widths are out of range, as a peer could write them', () => {
    for (const attrs of [{ colspan: 1e9 }, { colspan: 0 }, { rowspan: -1 }, { rowspan: 1.5 }, { colspan: '2' }, { colwidth: 'wide' }, { colwidth: [1, 'x'] }]) {
      assert.throws(() => nodes.tableCell.create(attrs, p('x')), RangeError, JSON.stringify(attrs));
    }
    assert.doesNotThrow(() => nodes.tableCell.create({ colspan: MAX_COLSPAN, rowspan: MAX_ROWSPAN, colwidth: [10, 20] }, p('x')));
  });
});

describe('tables through Yjs', () => {
  it('y-prosemirror round-trips a document with a table through a Y.XmlFragment', () => {
    const original = doc(p('Intro'), table(tr(th('A'), th('B', { colspan: 2 })), tr(td('1'), td('2'), td('3', { rowspan: 1 }))));
    const ydoc = new Y.Doc();
    prosemirrorToYXmlFragment(original, ydoc.getXmlFragment(FRAGMENT_NAME));
    const back = yXmlFragmentToProseMirrorRootNode(ydoc.getXmlFragment(FRAGMENT_NAME), schema);
    assert.deepEqual(back.toJSON(), original.toJSON());
    // And through an update, as the server stores it.
    const stored = new Y.Doc();
    Y.applyUpdate(stored, pmToYUpdate(original));
    assert.deepEqual(yDocToPm(stored).toJSON(), original.toJSON());
    ydoc.destroy();
    stored.destroy();
  });

  it('drops a cell a peer stored with an absurd span instead of sizing a grid by it', (t) => {
    const ydoc = new Y.Doc();
    prosemirrorToYXmlFragment(doc(table(tr(td('kept'), td('evil')))), ydoc.getXmlFragment(FRAGMENT_NAME));
    const row = (ydoc.getXmlFragment(FRAGMENT_NAME).get(0) as Y.XmlElement).get(0) as Y.XmlElement;
    (row.get(1) as Y.XmlElement).setAttribute('colspan', 1e9 as unknown as string);
    const started = Date.now();
    const read = yDocToPm(ydoc);
    const tookMs = Date.now() - started;
    t.diagnostic(`reading took ${tookMs} ms`);
    // Reading takes milliseconds; a grid sized by the span would take far longer than 5 s (or run
    // out of memory), so the bound leaves room for a busy machine and still catches that.
    assert.ok(tookMs < 5000, `reading took too long: ${tookMs} ms`);
    assert.deepEqual(cellsOf(read), [['td:kept']]);
    assert.match(pmToMarkdown(read), /kept/);
    ydoc.destroy();
  });
});

describe('tables in Markdown', () => {
  it('parses GFM pipe tables, header row included', () => {
    const parsed = markdownToPm('| Name | Role |\n|:--|--:|\n| Ada | *Engineer* |\n| Grace | |\n');
    assert.deepEqual(cellsOf(parsed), [['th:Name', 'th:Role'], ['td:Ada', 'td:Engineer'], ['td:Grace', 'td:']]);
  });

  it('writes a table as a pipe table that reads back as the same document', () => {
    const markdown = pmToMarkdown(SIMPLE);
    assert.equal(markdown, 'Before.\n\n| H1 | H2 |\n| --- | --- |\n| c1 | c2 |\n\nAfter.');
    assert.deepEqual(markdownToPm(markdown).toJSON(), SIMPLE.toJSON());
  });

  it('escapes pipes in cells, code included, and keeps inline formatting', () => {
    const cell = nodes.paragraph.create(null, [schema.text('a|b '), schema.text('x|y', [schema.marks.code.create()]), schema.text(' '), schema.text('bold', [schema.marks.strong.create()])]);
    const source = doc(table(tr(th('Head')), tr(nodes.tableCell.create(null, cell))));
    const markdown = pmToMarkdown(source);
    assert.match(markdown, /\| a\\\|b `x\\\|y` \*\*bold\*\* \|/);
    assert.deepEqual(markdownToPm(markdown).toJSON(), source.toJSON());
  });

  it('writes spanning cells once, blocks in a cell on one line, and a first row that is not a header as the header', () => {
    const cellWithBlocks = nodes.tableCell.create(null, [p('one'), nodes.bulletList.create(null, nodes.listItem.create(null, p('two')))]);
    const source = doc(table(tr(td('wide', { colspan: 2 }), td('tall', { rowspan: 2 })), tr(cellWithBlocks, td('x'))));
    assert.equal(pmToMarkdown(source), '| wide |   | tall |\n| --- | --- | --- |\n| one two | x |   |');
  });

  it('writes hard breaks in a cell as spaces (a pipe table row is one line)', () => {
    const cell = nodes.paragraph.create(null, [schema.text('line one'), nodes.hardBreak.create(), schema.text('line two')]);
    assert.equal(pmToMarkdown(doc(table(tr(nodes.tableHeader.create(null, cell))))), '| line one line two |\n| --- |');
  });
});

describe('tables in HTML', () => {
  it('exports tables as HTML tables and imports them back', () => {
    const html = pmToHtml(SIMPLE);
    assert.equal(html, '<p>Before.</p><table><tbody><tr><th><p>H1</p></th><th><p>H2</p></th></tr><tr><td><p>c1</p></td><td><p>c2</p></td></tr></tbody></table><p>After.</p>');
    assert.deepEqual(htmlToPm(html).toJSON(), SIMPLE.toJSON());
    assert.deepEqual(activeHtmlParts(html), []);
  });

  it('gives the exported page a readable style of its own, tables included, and still no scripts', () => {
    const page = htmlPage('Plan', pmToHtml(SIMPLE));
    assert.match(page, /<style>[^<]*table[^<]*<\/style>/);
    assert.match(page, /<meta name="viewport"/);
    assert.deepEqual(activeHtmlParts(page, { allowPageHead: true }), [], page);
  });
});
