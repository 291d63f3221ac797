import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { parseHTML } from 'linkedom';
import type { Node as PmNode } from 'prosemirror-model';
import { htmlPage, htmlToPm, markdownToPm, pmToHtml, pmToMarkdown, yDocToPm } from './doc-format.js';
import { exportPageCsp } from './export-policy.js';
import { schema } from './schema.js';
import { documentShape } from './shape.js';
import { writeAsPeer } from '../test/support/sample-docs.js';
import { activeHtmlParts, activeMarkdownParts } from '../test/support/export-safety.js';

const PREFIX = 'https://docs.example.com/api/docs/v.abcdefghijklmnopqrstuvwxyzABCDEF/blobs/';
const urls = { blobUrlPrefix: PREFIX };
const ID = 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg';

/** The images of a document, as `[src, alt, title]`. */
function imagesIn(doc: PmNode): Array<[unknown, unknown, unknown]> {
  const found: Array<[unknown, unknown, unknown]> = [];
  doc.descendants((node) => {
    if (node.type.name === 'image') found.push([node.attrs['src'], node.attrs['alt'], node.attrs['title']]);
  });
  return found;
}

/** The links of a document, as `[text, href]`. */
function linksIn(doc: PmNode): Array<[string, unknown]> {
  const found: Array<[string, unknown]> = [];
  doc.descendants((node) => {
    const link = node.marks.find((mark) => mark.type.name === 'link');
    if (node.isText && link) found.push([node.text ?? '', link.attrs['href']]);
  });
  return found;
}

describe('images in Markdown', () => {
  it('reads a picture of this document\'s blobs as an image and writes it back the same way', () => {
    const markdown = `See ![A chart](${PREFIX}${ID} "Sales") here.`;
    const doc = markdownToPm(markdown, urls);
    assert.deepEqual(imagesIn(doc), [[ID, 'A chart', 'Sales']]);
    const exported = pmToMarkdown(doc, urls);
    assert.equal(exported, markdown);
    assert.deepEqual(markdownToPm(exported, urls).toJSON(), doc.toJSON());
  });

  it('keeps any other picture as a link, never as an image', () => {
    const doc = markdownToPm(
      `![a cat](https://cats.example/cat.png) ![](https://cats.example/dog.png) ![other doc](https://docs.example.com/api/docs/x/blobs/${ID})`,
      urls,
    );
    assert.deepEqual(imagesIn(doc), []);
    assert.deepEqual(linksIn(doc), [
      ['a cat', 'https://cats.example/cat.png'],
      ['https://cats.example/dog.png', 'https://cats.example/dog.png'],
      ['other doc', `https://docs.example.com/api/docs/x/blobs/${ID}`],
    ]);
  });

  it('keeps even this server\'s blob addresses as links when the import has no document of its own yet', () => {
    const doc = markdownToPm(`![chart](${PREFIX}${ID})`);
    assert.deepEqual(imagesIn(doc), []);
    assert.deepEqual(linksIn(doc), [['chart', PREFIX + ID]]);
  });

  it('escapes alt text and titles so that they cannot end the image early', () => {
    for (const [alt, title] of [['a ] b [ c', 'say "hi" \\'], ['line\nbreak', 'x) <img src=x onerror=alert(1)>'], ['*not em* `code`', null]] as const) {
      const image = schema.nodes.image.create({ src: ID, alt, title });
      const doc = schema.node('doc', null, [schema.node('paragraph', null, [image, schema.text(' after')])]);
      const exported = pmToMarkdown(doc, urls);
      assert.deepEqual(activeMarkdownParts(exported), [], exported);
      const back = markdownToPm(exported, urls);
      assert.deepEqual(imagesIn(back), [[ID, alt.replace('\n', ' '), title === null ? null : title]], exported);
      assert.equal(back.textContent, ' after', exported);
    }
  });
});

describe('images in HTML', () => {
  it('keeps this document\'s blobs as images and reduces other pictures to their alt text', () => {
    const doc = htmlToPm(
      `<p>A <img src="${PREFIX}${ID}" alt="chart" title="Sales"> B <img src="https://evil.example/track.png" alt="a tracker"> ` +
        `C <img src="https://evil.example/pixel.gif"> D <img data-quire-blob="${ID}" src="https://evil.example/x.png" alt="copied"></p>`,
      urls,
    );
    assert.deepEqual(imagesIn(doc), [[ID, 'chart', 'Sales'], [ID, 'copied', null]]);
    assert.equal(doc.textContent, 'A  B a tracker C D ');
  });

  it('exports images with absolute addresses and a page policy that allows only them', () => {
    const doc = markdownToPm(`![A "chart" <b>](${PREFIX}${ID})`, urls);
    const body = pmToHtml(doc, urls);
    const { document } = parseHTML(`<!doctype html><html><body>${body}</body></html>`);
    const shown = Array.from(document.querySelectorAll('img')).map((img) => [img.getAttribute('src'), img.getAttribute('alt')]);
    assert.deepEqual(shown, [[PREFIX + ID, 'A "chart" <b>']]);
    const page = htmlPage('T', body, urls);
    assert.deepEqual(activeHtmlParts(page, { allowPageHead: true }), []);
    assert.equal(exportPageCsp(PREFIX), "default-src 'none'; style-src 'unsafe-inline'; img-src data: https://docs.example.com");
    assert.ok(page.includes(exportPageCsp(PREFIX)));
    assert.deepEqual(imagesIn(htmlToPm(body, urls)), [[ID, 'A "chart" <b>', null]], 'the export reads back as the same image');
  });
});

describe('images written by a peer', () => {
  it('shows an image of a blob id and drops one that names anything else', () => {
    const doc = new Y.Doc();
    writeAsPeer(doc, (paragraph, text) => {
      text.insert(0, 'x');
      for (const src of [ID, 'https://evil.example/x.png', 'javascript:alert(1)', 'data:image/png;base64,AAAA', 'a/b', '']) {
        const image = new Y.XmlElement('image');
        image.setAttribute('src', src);
        image.setAttribute('alt', 'pic');
        paragraph.insert(paragraph.length, [image]);
      }
    });
    const pm = yDocToPm(doc);
    assert.deepEqual(imagesIn(pm), [[ID, 'pic', null]]);
    assert.deepEqual(activeHtmlParts(pmToHtml(pm, urls)), []);
    doc.destroy();
  });

  it('is allowed inside paragraphs (and table cells\' paragraphs) by the server\'s shape check, not at the top level', () => {
    const shape = documentShape(schema);
    assert.ok(shape.children.get('paragraph')?.has('image'));
    assert.ok(shape.children.get('heading')?.has('image'));
    assert.ok(!shape.topLevel.has('image'));
    assert.ok(!shape.children.get('code_block')?.has('image'));
  });
});
