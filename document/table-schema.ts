/**
 * The table nodes of the schema: prosemirror-tables' standard `table`, `table_row`, `table_cell`
 * and `table_header` (made by its `tableNodes()` helper, so its commands and plugins know them),
 * with Quire's safety rules on top.
 *
 * Cell attributes reach the editor from pastes and from peers writing straight into the Yjs
 * document, and prosemirror-tables sizes its table maps from `colspan` and `rowspan`: an absurd
 * span would make every editor showing the table allocate a grid of that size. So:
 * - pasted cells have their spans clamped to what browsers allow (colspan 1–1000, rowspan
 *   1–65534) and nothing else of theirs is kept (widths, styles, classes);
 * - stored attributes are validated when a node is built, so a cell a peer wrote with a span out
 *   of range, or a width that is not a list of numbers, is refused (y-prosemirror then drops that
 *   cell instead of showing it);
 * - cells render only `colspan` and `rowspan`, never a style or a width.
 */
import type { DOMOutputSpec, NodeSpec, Node as PmNode } from 'prosemirror-model';
import { tableNodes } from 'prosemirror-tables';

/** The largest `colspan` browsers honour (HTML's limit). */
export const MAX_COLSPAN = 1000;
/** The largest `rowspan` browsers honour (HTML's limit). */
export const MAX_ROWSPAN = 65534;

/** Clamps a span from pasted HTML (a string, or missing) into 1…`max`. */
export function clampSpan(value: unknown, max: number): number {
  const n = typeof value === 'number' ? value : Number.parseInt(String(value), 10);
  if (!Number.isFinite(n) || n < 1) return 1;
  return Math.min(max, Math.trunc(n));
}

function spanValidator(max: number): (value: unknown) => void {
  return (value) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
      throw new RangeError(`A cell span must be an integer from 1 to ${max}, not ${JSON.stringify(value)}.`);
    }
  };
}

function validateColwidth(value: unknown): void {
  if (value === null) return;
  const ok = Array.isArray(value) && value.length <= MAX_COLSPAN && value.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0 && w <= 100_000);
  if (!ok) throw new RangeError('A cell width must be null or a list of numbers.');
}

function cellAttrsFromDom(dom: HTMLElement): Record<string, unknown> {
  return {
    colspan: clampSpan(dom.getAttribute('colspan') ?? 1, MAX_COLSPAN),
    rowspan: clampSpan(dom.getAttribute('rowspan') ?? 1, MAX_ROWSPAN),
    colwidth: null,
  };
}

function renderCell(tag: 'td' | 'th'): (node: PmNode) => DOMOutputSpec {
  return (node) => {
    const attrs: Record<string, string> = {};
    const colspan = clampSpan(node.attrs['colspan'], MAX_COLSPAN);
    const rowspan = clampSpan(node.attrs['rowspan'], MAX_ROWSPAN);
    if (colspan !== 1) attrs['colspan'] = String(colspan);
    if (rowspan !== 1) attrs['rowspan'] = String(rowspan);
    return [tag, attrs, 0];
  };
}

/** The four table node specs, to be added to the schema's nodes. */
export function quireTableNodes(): Record<'table' | 'table_row' | 'table_cell' | 'table_header', NodeSpec> {
  const base = tableNodes({ tableGroup: 'block', cellContent: 'block+', cellAttributes: {} });
  const attrs = {
    colspan: { default: 1, validate: spanValidator(MAX_COLSPAN) },
    rowspan: { default: 1, validate: spanValidator(MAX_ROWSPAN) },
    colwidth: { default: null, validate: validateColwidth },
  };
  return {
    table: base.table,
    table_row: base.table_row,
    table_cell: { ...base.table_cell, attrs, parseDOM: [{ tag: 'td', getAttrs: cellAttrsFromDom }], toDOM: renderCell('td') },
    table_header: { ...base.table_header, attrs, parseDOM: [{ tag: 'th', getAttrs: cellAttrsFromDom }], toDOM: renderCell('th') },
  };
}
