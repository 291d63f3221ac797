/**
 * The document schema of Quire: paragraphs, headings 1–3, block quotes, code blocks, horizontal
 * rules, bullet and numbered lists, tables, hard breaks, images (the document's own blobs, see
 * image-schema.ts); bold, italic, strikethrough, inline code and links. Node and mark names
 * follow prosemirror-markdown's defaults (`strong`, `em`, `code`, `link`, `bullet_list`, …) so
 * that the default Markdown serializer applies, plus `strike`; the table nodes use
 * prosemirror-tables' names (`table`, `table_row`, `table_cell`, `table_header`).
 *
 * The names are part of the stored format: y-prosemirror writes them into the Yjs document as
 * element names and formatting keys. Renaming one is a data migration.
 *
 * Nothing here touches the DOM at module level, so the server can import the schema in Node.
 *
 * Safety: the parse rules are strict (anything not listed is dropped or reduced to its text when
 * pasted), and `toDOM` never trusts attribute values, because a peer can write any attribute into
 * the shared Yjs document: links without a safe href render without href, heading levels and list
 * numbers are clamped, table cell spans are validated (see table-schema.ts).
 */
import { Schema, type DOMOutputSpec, type Mark, type Node as PmNode } from 'prosemirror-model';
import { safeHref } from './safe-href.js';
import { imageNodeSpec } from './image-schema.js';
import { quireTableNodes } from './table-schema.js';

/** Heading levels the schema has. */
export const HEADING_LEVELS = [1, 2, 3] as const;
export type HeadingLevel = (typeof HEADING_LEVELS)[number];

/** Clamps any stored heading level (it may come from a peer) to 1–3. */
export function headingLevel(value: unknown): HeadingLevel {
  const n = typeof value === 'number' ? value : Number.parseInt(String(value), 10);
  if (n === 1 || n === 2 || n === 3) return n;
  return Number.isFinite(n) && n < 1 ? 1 : 3;
}

/** Clamps any stored start number of a numbered list to an integer in 0–999999. */
export function listStart(value: unknown): number {
  const n = typeof value === 'number' ? value : Number.parseInt(String(value), 10);
  if (!Number.isFinite(n)) return 1;
  return Math.min(999_999, Math.max(0, Math.trunc(n)));
}

/** A stored string attribute, or null when it is not a string or too long to be sensible. */
function stringAttr(value: unknown, maxLength: number): string | null {
  return typeof value === 'string' && value.length <= maxLength ? value : null;
}

function isBoldWeight(weight: string): boolean {
  return weight === 'bold' || weight === 'bolder' || (/^\d+$/.test(weight) && Number(weight) >= 600);
}

function renderLink(mark: Mark): DOMOutputSpec {
  const href = safeHref(mark.attrs['href']);
  const title = stringAttr(mark.attrs['title'], 500);
  const attrs: Record<string, string> = {};
  if (href !== null) {
    attrs['href'] = href;
    attrs['rel'] = 'noopener noreferrer nofollow';
    attrs['target'] = '_blank';
  }
  if (title !== null && title !== '') attrs['title'] = title;
  return ['a', attrs, 0];
}

function renderHeading(node: PmNode): DOMOutputSpec {
  return ['h' + headingLevel(node.attrs['level']), 0];
}

function renderOrderedList(node: PmNode): DOMOutputSpec {
  const start = listStart(node.attrs['order']);
  return start === 1 ? ['ol', 0] : ['ol', { start: String(start) }, 0];
}

/** The Quire schema. */
export const schema = new Schema({
  nodes: {
    doc: { content: 'block+' },
    paragraph: {
      content: 'inline*',
      group: 'block',
      parseDOM: [{ tag: 'p' }],
      toDOM: () => ['p', 0],
    },
    heading: {
      attrs: { level: { default: 1 } },
      content: 'inline*',
      group: 'block',
      defining: true,
      parseDOM: [
        { tag: 'h1', attrs: { level: 1 } },
        { tag: 'h2', attrs: { level: 2 } },
        { tag: 'h3', attrs: { level: 3 } },
        // Deeper headings from other documents become the deepest level we have.
        { tag: 'h4', attrs: { level: 3 } },
        { tag: 'h5', attrs: { level: 3 } },
        { tag: 'h6', attrs: { level: 3 } },
      ],
      toDOM: renderHeading,
    },
    blockquote: {
      content: 'block+',
      group: 'block',
      defining: true,
      parseDOM: [{ tag: 'blockquote' }],
      toDOM: () => ['blockquote', 0],
    },
    code_block: {
      content: 'text*',
      marks: '',
      group: 'block',
      code: true,
      defining: true,
      parseDOM: [{ tag: 'pre', preserveWhitespace: 'full' }],
      toDOM: () => ['pre', ['code', 0]],
    },
    horizontal_rule: {
      group: 'block',
      parseDOM: [{ tag: 'hr' }],
      toDOM: () => ['hr'],
    },
    bullet_list: {
      content: 'list_item+',
      group: 'block',
      parseDOM: [{ tag: 'ul' }],
      toDOM: () => ['ul', 0],
    },
    ordered_list: {
      attrs: { order: { default: 1 } },
      content: 'list_item+',
      group: 'block',
      parseDOM: [
        {
          tag: 'ol',
          getAttrs: (dom) => ({ order: dom.hasAttribute('start') ? listStart(dom.getAttribute('start')) : 1 }),
        },
      ],
      toDOM: renderOrderedList,
    },
    list_item: {
      content: 'paragraph block*',
      defining: true,
      parseDOM: [{ tag: 'li' }],
      toDOM: () => ['li', 0],
    },
    ...quireTableNodes(),
    text: { group: 'inline' },
    hard_break: {
      inline: true,
      group: 'inline',
      selectable: false,
      parseDOM: [{ tag: 'br' }],
      toDOM: () => ['br'],
    },
    image: imageNodeSpec,
  },
  marks: {
    // Links come first so that they wrap the other marks, as in most editors' output.
    link: {
      attrs: { href: { default: null }, title: { default: null } },
      inclusive: false,
      parseDOM: [
        {
          tag: 'a[href]',
          getAttrs: (dom) => {
            const href = safeHref(dom.getAttribute('href'));
            if (href === null) return false; // unsafe or relative: keep the text, drop the link
            return { href, title: stringAttr(dom.getAttribute('title'), 500) };
          },
        },
      ],
      toDOM: renderLink,
    },
    em: {
      parseDOM: [
        { tag: 'i' },
        { tag: 'em' },
        { style: 'font-style=italic' },
        { style: 'font-style=normal', clearMark: (m) => m.type.name === 'em' },
      ],
      toDOM: () => ['em', 0],
    },
    strong: {
      parseDOM: [
        { tag: 'strong' },
        // Google Docs wraps whole pastes in <b style="font-weight:normal">; that is not bold.
        { tag: 'b', getAttrs: (dom) => dom.style.fontWeight !== 'normal' && null },
        { style: 'font-weight=400', clearMark: (m) => m.type.name === 'strong' },
        { style: 'font-weight', getAttrs: (value) => isBoldWeight(value) && null },
      ],
      toDOM: () => ['strong', 0],
    },
    strike: {
      parseDOM: [
        { tag: 's' },
        { tag: 'del' },
        { tag: 'strike' },
        { style: 'text-decoration', getAttrs: (value) => value.includes('line-through') && null },
        { style: 'text-decoration-line', getAttrs: (value) => value.includes('line-through') && null },
      ],
      toDOM: () => ['s', 0],
    },
    code: {
      code: true,
      parseDOM: [{ tag: 'code' }],
      toDOM: () => ['code', 0],
    },
  },
});

/** The node types of the schema, under camel-case names. */
export const nodes = {
  doc: schema.nodes.doc,
  paragraph: schema.nodes.paragraph,
  heading: schema.nodes.heading,
  blockquote: schema.nodes.blockquote,
  codeBlock: schema.nodes.code_block,
  horizontalRule: schema.nodes.horizontal_rule,
  bulletList: schema.nodes.bullet_list,
  orderedList: schema.nodes.ordered_list,
  listItem: schema.nodes.list_item,
  text: schema.nodes.text,
  hardBreak: schema.nodes.hard_break,
  image: schema.nodes.image,
  table: schema.nodes.table,
  tableRow: schema.nodes.table_row,
  tableCell: schema.nodes.table_cell,
  tableHeader: schema.nodes.table_header,
};

/** The mark types of the schema. */
export const marks = {
  link: schema.marks.link,
  em: schema.marks.em,
  strong: schema.marks.strong,
  strike: schema.marks.strike,
  code: schema.marks.code,
};
