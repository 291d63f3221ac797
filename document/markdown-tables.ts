/**
 * Tables in Markdown, as GitHub-flavoured Markdown pipe tables, both ways.
 *
 * Reading: markdown-it has pipe tables; its cells hold inline content directly, while the schema's
 * cells hold blocks, so a small markdown-it rule wraps each cell's inline content in a paragraph
 * before prosemirror-markdown builds the document.
 *
 * Writing: a pipe table is a grid of one-line cells under a header row. So the first row is
 * written as the header (whatever its cells are), a cell's blocks are joined into one line, a cell
 * spanning several columns or rows is written once in its top-left position with empty cells in
 * the rest of its area, and pipes inside a cell are escaped (GFM wants that inside code too).
 * Spans and block structure inside cells do not survive a trip through Markdown; text does.
 */
import type MarkdownIt from 'markdown-it';
import type { MarkdownSerializerState } from 'prosemirror-markdown';
import type { Node as PmNode } from 'prosemirror-model';
import { TableMap } from 'prosemirror-tables';

/** prosemirror-markdown token handlers for markdown-it's table tokens. */
export const tableTokenHandlers = {
  table: { block: 'table' },
  thead: { ignore: true },
  tbody: { ignore: true },
  tr: { block: 'table_row' },
  th: { block: 'table_header' },
  td: { block: 'table_cell' },
} as const;

/** A markdown-it plugin: wraps the inline content of every table cell in a paragraph. */
export function cellParagraphs(md: MarkdownIt): void {
  md.core.ruler.after('block', 'quire_cell_paragraphs', (state) => {
    const tokens = state.tokens;
    const wrapped: typeof tokens = [];
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      const previous = tokens[i - 1];
      if (token.type === 'inline' && (previous?.type === 'th_open' || previous?.type === 'td_open')) {
        const open = new state.Token('paragraph_open', 'p', 1);
        open.block = true;
        const close = new state.Token('paragraph_close', 'p', -1);
        close.block = true;
        wrapped.push(open, token, close);
      } else {
        wrapped.push(token);
      }
    }
    state.tokens = wrapped;
    return true;
  });
}

/**
 * The inline Markdown of `block` as the serializer would write it, captured instead of written,
 * on one line.
 */
function inlineMarkdown(state: MarkdownSerializerState, block: PmNode): string {
  // These fields are public on the state object though typed as internal; capture and restore them.
  const s = state as unknown as { out: string; delim: string; closed: PmNode | null };
  const saved = { out: s.out, delim: s.delim, closed: s.closed };
  s.out = '';
  s.delim = '';
  s.closed = null;
  try {
    state.renderInline(block);
    return s.out.replace(/\\?\n/g, ' ').trim();
  } finally {
    s.out = saved.out;
    s.delim = saved.delim;
    s.closed = saved.closed;
  }
}

/** One cell as a line of Markdown: its textblocks joined by spaces, pipes escaped. */
function cellMarkdown(state: MarkdownSerializerState, cell: PmNode): string {
  const parts: string[] = [];
  cell.descendants((node) => {
    if (!node.isTextblock) return true;
    const text = inlineMarkdown(state, node);
    if (text !== '') parts.push(text);
    return false;
  });
  return parts.join(' ').replace(/\|/g, '\\|');
}

/** The table as a grid of cell lines, one entry per column of every row. */
function tableGrid(state: MarkdownSerializerState, table: PmNode): string[][] {
  const map = TableMap.get(table);
  const grid: string[][] = [];
  for (let row = 0; row < map.height; row++) {
    const line: string[] = [];
    for (let col = 0; col < map.width; col++) {
      const pos = map.map[row * map.width + col]!;
      const rect = map.findCell(pos);
      const cell = table.nodeAt(pos);
      line.push(cell !== null && rect.left === col && rect.top === row ? cellMarkdown(state, cell) : '');
    }
    grid.push(line);
  }
  return grid;
}

/** The serializer for the `table` node (the rows and cells are written by it). */
export function serializeTable(state: MarkdownSerializerState, node: PmNode): void {
  const grid = tableGrid(state, node);
  const width = grid[0]?.length ?? 0;
  if (width === 0) return;
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => (c === '' ? ' ' : c)).join(' | ')} |`;
  const [header, ...body] = grid;
  const lines = [line(header ?? []), line(Array.from({ length: width }, () => '---')), ...body.map(line)];
  lines.forEach((text, index) => {
    state.write(text);
    if (index < lines.length - 1) state.ensureNewLine();
  });
  state.closeBlock(node);
}
