import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { parseHTML } from 'linkedom';
import { FRAGMENT_NAME } from './fragment.js';
import { htmlPage, htmlToPm, markdownToPm, pmToHtml, pmToMarkdown, pmToMarkdownByLibrary, pmToYUpdate, yDocToPm } from './doc-format.js';
import { activeHtmlParts, activeMarkdownParts, forbiddenStrings } from '../test/support/export-safety.js';
import type { Node as PmNode } from 'prosemirror-model';
import { EVERY_TYPE, FULL_MARKDOWN, typesIn, writeAsPeer } from '../test/support/sample-docs.js';
import { int, pick, withSeed } from '../test/support/seeded.js';
import { schema } from './schema.js';

/** A new Y.Doc holding one paragraph written directly by a peer. */
function peerDoc(write: (paragraph: Y.XmlElement, text: Y.XmlText, fragment: Y.XmlFragment) => void): Y.Doc {
  const doc = new Y.Doc();
  writeAsPeer(doc, write);
  return doc;
}

describe('Markdown conversion', () => {
  it('parses a document that uses every node and mark of the schema', () => {
    const doc = markdownToPm(FULL_MARKDOWN);
    const types = typesIn(doc);
    for (const name of EVERY_TYPE) assert.ok(types.has(name), `the sample should contain ${name}`);
    const levels = new Set<unknown>();
    doc.descendants((node) => {
      if (node.type.name === 'heading') levels.add(node.attrs['level']);
      return true;
    });
    assert.deepEqual([...levels].sort(), [1, 2, 3]);
    const ordered = doc.content.content.find((n) => n.type.name === 'ordered_list');
    assert.equal(ordered?.attrs['order'], 3, 'a numbered list keeps its start number');
  });

  it('round-trips Markdown → document → Markdown → the same document', () => {
    const doc = markdownToPm(FULL_MARKDOWN);
    const exported = pmToMarkdown(doc);
    assert.deepEqual(markdownToPm(exported).toJSON(), doc.toJSON(), `exported Markdown:\n${exported}`);
  });

  it('writes Markdown exactly as prosemirror-markdown does, with its output moved aside as it goes (seeded: SEED=n)', async () => {
    // Every kind of block, nested ones, empty paragraphs and paragraphs of hard breaks only (which
    // write nothing), and long lists.
    const samples = markdownToPm(
      `${FULL_MARKDOWN}\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n| a heading cell longer than what is kept | b |\n| --- | --- |\n| a body cell with **bold** and [a link](https://example.com) in it | and more text |\n\n- [x] done\n\n1. one\n\n* other bullets\n\n> quoted\n>\n> - a list in a quote\n\n![picture](blobs/abc "t")\n\n` +
        `${Array.from({ length: 30 }, (_, i) => `- item ${i}`).join('\n')}\n\n${Array.from({ length: 20 }, (_, i) => `${i + 1}. step ${i}`).join('\n\n')}\n`,
    );
    const paragraph = schema.nodes.paragraph!;
    const pool: PmNode[] = [paragraph.create(), paragraph.create(null, [schema.nodes.hard_break!.create()]), paragraph.create(null, [schema.text('x'), schema.nodes.hard_break!.create()])];
    samples.forEach((block) => pool.push(block));
    await withSeed(async (_seed, rng) => {
      for (let round = 0; round < 300; round++) {
        const blocks = Array.from({ length: int(rng, 40) }, () => pick(rng, pool));
        const doc = schema.nodes.doc!.create(null, blocks);
        const moveAbove = 1 + int(rng, 64);
        assert.equal(pmToMarkdown(doc, undefined, moveAbove), pmToMarkdownByLibrary(doc), `moved above ${moveAbove} characters: ${blocks.map((b) => b.type.name).join(', ')}`);
      }
    });
  });

  it('keeps link targets and titles, and code block text verbatim', () => {
    const exported = pmToMarkdown(markdownToPm(FULL_MARKDOWN));
    assert.match(exported, /\[link\]\(https:\/\/example\.com\/page "A title"\)/);
    assert.match(exported, /const x = 1;\n {2}indented\(\);/);
  });

  it('drops unsafe link targets on import, keeping the text', () => {
    const doc = markdownToPm('[click](javascript:alert(1)) and [ok](https://ok.example/)');
    const hrefs: unknown[] = [];
    doc.descendants((node) => {
      for (const mark of node.marks) if (mark.type.name === 'link') hrefs.push(mark.attrs['href']);
      return true;
    });
    assert.deepEqual(hrefs, ['https://ok.example/']);
    assert.match(doc.textContent, /click/);
  });

  it('escapes text that looks like HTML, so the Markdown export carries no raw tags', () => {
    // Someone typed these characters as text; a Markdown renderer must not see them as markup.
    const typed = '<script>alert(1)</script> <img src=x onerror=alert(1)> <javascript:alert(1)>';
    const doc = peerDoc((_p, text) => text.insert(0, typed));
    const exported = pmToMarkdown(yDocToPm(doc));
    assert.deepEqual(activeMarkdownParts(exported), [], `exported Markdown:\n${exported}`);
    assert.equal(markdownToPm(exported).textContent, typed, 'the text itself survives the round trip');
    doc.destroy();
  });

  it('keeps a link title ending in a backslash (or holding quotes and line breaks) inside the link', () => {
    for (const title of ['\\', 'a \\" b', 'line\nbreak "quoted" \\']) {
      const doc = peerDoc((_p, text) => {
        text.insert(0, 'x', { link: { href: 'https://ok.example/a(b)c d', title } });
        text.insert(1, '<img src=x onerror=alert(1)>');
      });
      const exported = pmToMarkdown(yDocToPm(doc));
      assert.deepEqual(activeMarkdownParts(exported), [], `exported Markdown:\n${exported}`);
      const back = markdownToPm(exported);
      assert.equal(back.textContent, 'x<img src=x onerror=alert(1)>', `the link closes where it should:\n${exported}`);
      let href: unknown = null;
      back.descendants((node) => {
        for (const mark of node.marks) if (mark.type.name === 'link') href = mark.attrs['href'];
      });
      assert.equal(href, 'https://ok.example/a%28b%29c%20d');
      doc.destroy();
    }
  });
});

describe('HTML conversion', () => {
  it('imports the structure of HTML and drops what the schema does not know', () => {
    const doc = htmlToPm('<h1>Title</h1><h5>deep</h5><p>a <b>b</b> <i>c</i> <s>d</s> <code>e</code> <a href="https://x.example/">f</a></p><table><tr><td>cell</td></tr></table>');
    assert.equal(doc.firstChild?.type.name, 'heading');
    assert.equal(doc.child(1).attrs['level'], 3, 'h5 becomes the deepest heading level');
    const types = typesIn(doc);
    for (const name of ['mark:strong', 'mark:em', 'mark:strike', 'mark:code', 'mark:link']) assert.ok(types.has(name), name);
    assert.ok(types.has('table'), 'tables are kept (see tables.test.ts)');
    assert.match(doc.textContent, /cell/);
  });

  it('exports imported HTML without scripts, event handlers or javascript: links', () => {
    const doc = htmlToPm(
      '<p onclick="steal()">Hello <img src="x" onerror="alert(1)"><script>alert(2)</script>' +
        '<a href="javascript:alert(3)">one</a> <a href=" JaVaScRiPt:alert(4)">two</a> <a href="java\tscript:alert(5)">three</a></p>' +
        '<iframe src="javascript:alert(6)"></iframe><svg onload="alert(7)"><a href="javascript:alert(8)">four</a></svg>',
    );
    const html = pmToHtml(doc);
    const markdown = pmToMarkdown(doc);
    assert.deepEqual(forbiddenStrings(html), [], html);
    assert.deepEqual(forbiddenStrings(markdown), [], markdown);
    assert.deepEqual(activeHtmlParts(html), [], html);
    assert.deepEqual(activeMarkdownParts(markdown), [], markdown);
    assert.match(doc.textContent, /Hello/);
    assert.match(doc.textContent, /one two three/);
  });

  it('exports a javascript: link a peer wrote into the Yjs document as plain text', () => {
    for (const href of ['javascript:alert(1)', ' JAVASCRIPT:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>']) {
      const doc = peerDoc((_p, text) => text.insert(0, 'evil', { link: { href, title: 'A title' } }));
      const pm = yDocToPm(doc);
      const html = pmToHtml(pm);
      const markdown = pmToMarkdown(pm);
      assert.deepEqual(forbiddenStrings(html), [], `${JSON.stringify(href)} → ${html}`);
      assert.deepEqual(forbiddenStrings(markdown), [], `${JSON.stringify(href)} → ${markdown}`);
      assert.deepEqual(activeHtmlParts(html), [], `${JSON.stringify(href)} → ${html}`);
      assert.deepEqual(activeMarkdownParts(markdown), [], `${JSON.stringify(href)} → ${markdown}`);
      assert.doesNotMatch(html, /href=|data:/i, html);
      assert.match(html, /evil/);
      assert.equal(markdown.trim(), 'evil');
      doc.destroy();
    }
  });

  it('escapes text and attribute values in the HTML export', () => {
    const doc = peerDoc((_p, text) => {
      text.insert(0, '<script>alert(1)</script> & "q"');
      text.insert(0, 'ok', { link: { href: 'https://a.example/"onclick="x', title: 'x" onmouseover="alert(2)"><script>alert(3)</script>' } });
    });
    const html = pmToHtml(yDocToPm(doc));
    assert.deepEqual(activeHtmlParts(html), [], html);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp;/);
    // The escaped title is one attribute holding the whole string.
    const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
    assert.equal(document.querySelector('a')?.getAttribute('title'), 'x" onmouseover="alert(2)"><script>alert(3)</script>');
    doc.destroy();
  });

  it('ignores attributes a peer adds to elements, and clamps heading levels', () => {
    const doc = peerDoc((paragraph, text, fragment) => {
      text.insert(0, 'body');
      paragraph.setAttribute('onclick', 'alert(1)');
      const heading = new Y.XmlElement('heading');
      heading.setAttribute('level', '9" onmouseover="alert(1)' as unknown as string);
      heading.setAttribute('style', 'background:url(javascript:alert(1))');
      heading.insert(0, [new Y.XmlText('title')]);
      fragment.insert(0, [heading]);
    });
    const html = pmToHtml(yDocToPm(doc));
    assert.deepEqual(activeHtmlParts(html), [], html);
    assert.match(html, /^<h3>title<\/h3><p>body<\/p>$/);
    doc.destroy();
  });

  it('wraps an export in a page whose title is escaped and which allows no scripts', () => {
    const page = htmlPage('</title><script>alert(1)</script>', '<p>x</p>');
    assert.deepEqual(activeHtmlParts(page, { allowPageHead: true }), [], page);
    assert.doesNotMatch(page, /<script/i, page);
    assert.match(page, /Content-Security-Policy" content="default-src 'none'/);
  });
});

describe('Yjs conversion', () => {
  it('stores a document as a Yjs update that reads back as the same document', () => {
    const doc = markdownToPm(FULL_MARKDOWN);
    const ydoc = new Y.Doc();
    Y.applyUpdate(ydoc, pmToYUpdate(doc));
    assert.deepEqual(yDocToPm(ydoc).toJSON(), doc.toJSON());
    ydoc.destroy();
  });

  it('reading a document for export does not change it', () => {
    // y-prosemirror deletes elements the schema cannot hold when it builds a ProseMirror node;
    // an export must never change what is stored or what peers have.
    const ydoc = peerDoc((_p, text, fragment) => {
      text.insert(0, 'kept');
      const unknown = new Y.XmlElement('script');
      unknown.insert(0, [new Y.XmlText('alert(1)')]);
      fragment.insert(1, [unknown]);
      text.insert(4, ' also', { blink: true });
    });
    const before = Y.encodeStateAsUpdate(ydoc);
    const beforeXml = ydoc.getXmlFragment(FRAGMENT_NAME).toString();
    const html = pmToHtml(yDocToPm(ydoc));
    assert.deepEqual(activeHtmlParts(html), [], html);
    assert.equal(ydoc.getXmlFragment(FRAGMENT_NAME).toString(), beforeXml, 'the Y.Doc content is unchanged');
    assert.deepEqual(Y.encodeStateAsUpdate(ydoc), before, 'the Y.Doc state is unchanged');
    ydoc.destroy();
  });
});
