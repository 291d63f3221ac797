/**
 * Conversions between a document's stored form (a Y.Doc whose `prosemirror` fragment y-prosemirror
 * maintains) and Markdown, HTML and ProseMirror JSON, on the server (no browser DOM: linkedom
 * stands in for parsing and serialising HTML). Everything goes through the editor's schema, so
 * imports are reduced to what the editor allows and exports carry no unsafe links or markup.
 */
import MarkdownIt from 'markdown-it';
import { parseHTML } from 'linkedom';
import { MarkdownParser, MarkdownSerializer, defaultMarkdownSerializer } from 'prosemirror-markdown';
import { DOMParser as PmDOMParser, DOMSerializer, type Mark, type Node as PmNode } from 'prosemirror-model';
import { prosemirrorToYXmlFragment, yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror';
import * as Y from 'yjs';
import { headingLevel, listStart, schema } from './schema.js';
import { safeHref } from './safe-href.js';
import { serializeMarkdown } from './short-output-state.js';
import { FRAGMENT_NAME } from './fragment.js';
import { cellParagraphs, serializeTable, tableTokenHandlers } from './markdown-tables.js';
import { imageTokenHandler, markdownTitle, markdownUrl, ownImagesOnly, serializeImage, type MarkdownImageEnv } from './markdown-images.js';
import { settleForeignImages } from './foreign-images.js';
import { imageDomAttrs } from './image-schema.js';
import { exportPageCsp } from './export-policy.js';

/**
 * Where a conversion finds this document's pictures: the absolute base of its blob URLs
 * (`<PUBLIC_URL>/api/docs/<name>/blobs/`). Exports write image addresses under it; imports take
 * pictures under it as this document's images and keep every other picture as a link (Markdown)
 * or its alt text (HTML). Null (a new document, which has no blobs yet): no picture is its own.
 */
export interface BlobUrls {
  readonly blobUrlPrefix: string | null;
}

const NO_BLOBS: BlobUrls = { blobUrlPrefix: null };


// CommonMark plus GitHub's strikethrough and pipe tables.
const markdownIt = MarkdownIt('commonmark', { html: false }).enable(['strikethrough', 'table']).use(cellParagraphs).use(ownImagesOnly);

const markdownParser = new MarkdownParser(schema, markdownIt, {
  blockquote: { block: 'blockquote' },
  paragraph: { block: 'paragraph' },
  list_item: { block: 'list_item' },
  bullet_list: { block: 'bullet_list' },
  ordered_list: { block: 'ordered_list', getAttrs: (tok) => ({ order: listStart(tok.attrGet('start') ?? 1) }) },
  heading: { block: 'heading', getAttrs: (tok) => ({ level: headingLevel(Number(tok.tag.slice(1))) }) },
  code_block: { block: 'code_block', noCloseToken: true },
  fence: { block: 'code_block', noCloseToken: true },
  hr: { node: 'horizontal_rule' },
  hardbreak: { node: 'hard_break' },
  image: imageTokenHandler,
  em: { mark: 'em' },
  strong: { mark: 'strong' },
  s: { mark: 'strike' },
  code_inline: { mark: 'code', noCloseToken: true },
  link: { mark: 'link', getAttrs: (tok) => ({ href: safeHref(tok.attrGet('href')) ?? '', title: tok.attrGet('title') || null }) },
  ...tableTokenHandlers,
});

/** The Markdown serializer; images are written under `blobUrlPrefix`. */
function markdownSerializer(blobUrlPrefix: string): MarkdownSerializer {
  return new MarkdownSerializer(
    {
      ...defaultMarkdownSerializer.nodes,
      image: serializeImage(blobUrlPrefix),
      heading(state, node) {
        state.write(state.repeat('#', headingLevel(node.attrs['level'])) + ' ');
        state.renderInline(node, false);
        state.closeBlock(node);
      },
      table: serializeTable,
      // Rows and cells are written by `table`; these entries only satisfy the serializer's lookup.
      table_row: () => undefined,
      table_cell: () => undefined,
      table_header: () => undefined,
    },
    {
      ...defaultMarkdownSerializer.marks,
      // A link whose href is not safe is exported as its text alone.
      link: {
        open: (_state, mark: Mark) => (safeHref(mark.attrs['href']) === null ? '' : '['),
        close: (_state, mark: Mark) => {
          const href = safeHref(mark.attrs['href']);
          if (href === null) return '';
          // The title and the address are escaped so that neither can end the link early.
          return `](${markdownUrl(href)}${markdownTitle(mark.attrs['title'])})`;
        },
        mixable: false,
      },
      strike: { open: '~~', close: '~~', mixable: true, expelEnclosingWhitespace: true },
    },
    // Text that looks like HTML stays text for renderers that allow inline HTML.
    { escapeExtraCharacters: /[<>]/g },
  );
}

/** Parses Markdown into a document of the editor's schema. */
export function markdownToPm(markdown: string, urls: BlobUrls = NO_BLOBS): PmNode {
  const env: MarkdownImageEnv = { blobUrlPrefix: urls.blobUrlPrefix };
  return markdownParser.parse(markdown, env);
}

/** Parses HTML into a document of the editor's schema; anything the schema does not know is dropped. */
export function htmlToPm(html: string, urls: BlobUrls = NO_BLOBS): PmNode {
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  settleForeignImages(document.body as unknown as ParentNode, urls.blobUrlPrefix);
  // linkedom's nodes implement the DOM interfaces ProseMirror's parser reads.
  return PmDOMParser.fromSchema(schema).parse(document.body as unknown as globalThis.Node);
}

/**
 * Serialises to Markdown; images point under `blobUrlPrefix` (relative `blobs/<id>` without one).
 * In time proportional to the output (see short-output-state.ts); `moveAbove` is for tests.
 */
export function pmToMarkdown(doc: PmNode, urls: BlobUrls = NO_BLOBS, moveAbove?: number): string {
  return serializeMarkdown(markdownSerializer(urls.blobUrlPrefix ?? 'blobs/'), doc, moveAbove);
}

/** The same with prosemirror-markdown's own `serialize`, for tests to compare with. */
export function pmToMarkdownByLibrary(doc: PmNode, urls: BlobUrls = NO_BLOBS): string {
  return markdownSerializer(urls.blobUrlPrefix ?? 'blobs/').serialize(doc);
}

/**
 * Serialises to HTML through the schema's toDOM, which renders unsafe links without an href;
 * images get their address under `blobUrlPrefix` (none without one).
 */
export function pmToHtml(doc: PmNode, urls: BlobUrls = NO_BLOBS): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const container = document.createElement('div');
  const prefix = urls.blobUrlPrefix;
  const nodes = {
    ...DOMSerializer.nodesFromSchema(schema),
    image: (node: PmNode) => ['img', { ...(prefix === null ? {} : { src: prefix + String(node.attrs['src']) }), ...imageDomAttrs(node) }] as const,
  };
  // linkedom's document implements what DOMSerializer uses.
  const fragment = new DOMSerializer(nodes, DOMSerializer.marksFromSchema(schema)).serializeFragment(doc.content, { document: document as unknown as Document });
  container.appendChild(fragment as unknown as Parameters<typeof container.appendChild>[0]);
  return container.innerHTML;
}

/**
 * The exported page's own style: readable on screen and on paper, in light and dark, with no
 * fonts or anything else to fetch (the page's CSP allows only inline styles).
 */
const PAGE_STYLE = [
  ':root{color-scheme:light dark;--ink:#1d2129;--muted:#5b6270;--line:#d6dae0;--code:#f3f4f7;--accent:#3b3fb6}',
  '@media (prefers-color-scheme:dark){:root{--ink:#e6e8ec;--muted:#a3aab5;--line:#3c414c;--code:#262a32;--accent:#a5abff}}',
  'body{max-width:42rem;margin:0 auto;padding:3rem 1.25rem 4rem;color:var(--ink);font:1.0625rem/1.65 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;overflow-wrap:break-word}',
  'h1,h2,h3{line-height:1.25;margin:1.6em 0 .5em}h1{font-size:2rem;margin-top:0}h2{font-size:1.5rem}h3{font-size:1.2rem}',
  'p,ul,ol,blockquote,pre,table{margin:0 0 1em}a{color:var(--accent)}',
  'blockquote{margin-left:0;padding-left:1em;border-left:3px solid var(--line);color:var(--muted)}',
  'code,pre{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.9em;background:var(--code);border-radius:4px}',
  'code{padding:.1em .3em}pre{padding:.8em 1em;overflow-x:auto;white-space:pre-wrap}pre code{padding:0;background:none}',
  'hr{border:0;border-top:2px solid var(--line);margin:2em 0}',
  'table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}th,td{border:1px solid var(--line);padding:.4em .6em;vertical-align:top;text-align:left;min-width:4em}',
  'th{background:var(--code);font-weight:600}td>p:last-child,th>p:last-child{margin-bottom:0}',
  'img{max-width:100%;height:auto;vertical-align:bottom}',
  '@media print{body{max-width:none;padding:0;font-size:11pt}a{color:inherit}}',
].join('');

/** A whole, standalone HTML page for a document export: its title escaped, its own style, no scripts. */
export function htmlPage(title: string, body: string, urls: BlobUrls = NO_BLOBS): string {
  const escaped = title.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return (
    '<!doctype html>\n<html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${exportPageCsp(urls.blobUrlPrefix)}">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escaped}</title><style>${PAGE_STYLE}</style></head>\n<body>\n${body}\n</body></html>\n`
  );
}

/**
 * The document as ProseMirror sees it. y-prosemirror deletes from the Yjs fragment whatever the
 * schema cannot hold while converting, so it converts a private copy: the document passed in is
 * never changed.
 */
export function yDocToPm(doc: Y.Doc): PmNode {
  return updatesToPm([Y.encodeStateAsUpdate(doc)]);
}

/**
 * The document that Yjs updates hold (applied one after another, as storage returns a snapshot
 * and its log), as ProseMirror sees it. They are decoded into a Y.Doc of its own, which is
 * converted in place and dropped: one copy of the structs, not two.
 */
export function updatesToPm(updates: readonly Uint8Array[]): PmNode {
  return readUpdates(updates, (doc) => yXmlFragmentToProseMirrorRootNode(doc.getXmlFragment(FRAGMENT_NAME), schema));
}

/** Runs `read` on a Y.Doc of its own holding `updates` (applied in one transaction), then drops the doc. */
export function readUpdates<T>(updates: readonly Uint8Array[], read: (doc: Y.Doc) => T): T {
  const doc = new Y.Doc();
  try {
    doc.transact(() => {
      for (const update of updates) Y.applyUpdate(doc, update);
    });
    return read(doc);
  } finally {
    doc.destroy();
  }
}

/** A Yjs update that creates the document's content in an empty Y.Doc. */
export function pmToYUpdate(doc: PmNode): Uint8Array {
  const ydoc = new Y.Doc();
  try {
    prosemirrorToYXmlFragment(doc, ydoc.getXmlFragment(FRAGMENT_NAME));
    return Y.encodeStateAsUpdate(ydoc);
  } finally {
    ydoc.destroy();
  }
}
