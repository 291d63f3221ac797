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
import { headingLevel, listStart, schema } from '../client/editor/schema.js';
import { safeHref } from '../client/editor/safe-href.js';

/** The Y.XmlFragment y-prosemirror binds the editor to. */
export const FRAGMENT_NAME = 'prosemirror';

const markdownParser = new MarkdownParser(schema, MarkdownIt('commonmark', { html: false }).enable('strikethrough'), {
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
  image: { ignore: true, noCloseToken: true },
  em: { mark: 'em' },
  strong: { mark: 'strong' },
  s: { mark: 'strike' },
  code_inline: { mark: 'code', noCloseToken: true },
  link: { mark: 'link', getAttrs: (tok) => ({ href: safeHref(tok.attrGet('href')) ?? '', title: tok.attrGet('title') || null }) },
});

const markdownSerializer = new MarkdownSerializer(
  {
    ...defaultMarkdownSerializer.nodes,
    heading(state, node) {
      state.write(state.repeat('#', headingLevel(node.attrs['level'])) + ' ');
      state.renderInline(node, false);
      state.closeBlock(node);
    },
  },
  {
    ...defaultMarkdownSerializer.marks,
    // A link whose href is not safe is exported as its text alone.
    link: {
      open: (_state, mark: Mark) => (safeHref(mark.attrs['href']) === null ? '' : '['),
      close: (_state, mark: Mark) => {
        const href = safeHref(mark.attrs['href']);
        if (href === null) return '';
        const title = typeof mark.attrs['title'] === 'string' && mark.attrs['title'] ? ` "${mark.attrs['title'].replace(/"/g, '\\"')}"` : '';
        return `](${href.replace(/[()]/g, '\\$&')}${title})`;
      },
      mixable: false,
    },
    strike: { open: '~~', close: '~~', mixable: true, expelEnclosingWhitespace: true },
  },
  // Text that looks like HTML stays text for renderers that allow inline HTML.
  { escapeExtraCharacters: /[<>]/g },
);

/** Parses Markdown into a document of the editor's schema. */
export function markdownToPm(markdown: string): PmNode {
  return markdownParser.parse(markdown);
}

/** Parses HTML into a document of the editor's schema; anything the schema does not know is dropped. */
export function htmlToPm(html: string): PmNode {
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  // linkedom's nodes implement the DOM interfaces ProseMirror's parser reads.
  return PmDOMParser.fromSchema(schema).parse(document.body as unknown as globalThis.Node);
}

export function pmToMarkdown(doc: PmNode): string {
  return markdownSerializer.serialize(doc);
}

/** Serialises to HTML through the schema's toDOM, which renders unsafe links without an href. */
export function pmToHtml(doc: PmNode): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const container = document.createElement('div');
  // linkedom's document implements what DOMSerializer uses.
  const fragment = DOMSerializer.fromSchema(schema).serializeFragment(doc.content, { document: document as unknown as Document });
  container.appendChild(fragment as unknown as Parameters<typeof container.appendChild>[0]);
  return container.innerHTML;
}

/** A whole, standalone HTML page for a document export. */
export function htmlPage(title: string, body: string): string {
  const escaped = title.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<!doctype html>\n<html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"><title>${escaped}</title></head>\n<body>\n${body}\n</body></html>\n`;
}

/**
 * The document as ProseMirror sees it. y-prosemirror deletes from the Yjs fragment whatever the
 * schema cannot hold while converting, so it converts a private copy: the document passed in is
 * never changed.
 */
export function yDocToPm(doc: Y.Doc): PmNode {
  const copy = new Y.Doc();
  try {
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    return yXmlFragmentToProseMirrorRootNode(copy.getXmlFragment(FRAGMENT_NAME), schema);
  } finally {
    copy.destroy();
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
