/**
 * The title of a document, derived from its content: the text of its first heading, or, when it
 * has no heading with text, its first non-empty line. Works on a ProseMirror document and on the
 * Yjs fragment y-prosemirror keeps it in, so the server can name documents without building a
 * ProseMirror view. DOM-free.
 */
import * as Y from 'yjs';
import type { Node as PmNode } from 'prosemirror-model';

/** Longest title returned, in characters; longer ones are cut at a word and end with `…`. */
export const MAX_TITLE_LENGTH = 120;

/** One textblock of the document in reading order: its node name and its lines of text. */
interface TextBlock {
  readonly isHeading: boolean;
  readonly lines: readonly string[];
}

const HARD_BREAK = 'hard_break';

/** Collapses runs of whitespace, trims, and shortens over-long text at a word boundary. */
function tidy(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= MAX_TITLE_LENGTH) return flat;
  const cut = flat.slice(0, MAX_TITLE_LENGTH);
  const lastSpace = cut.lastIndexOf(' ');
  return (lastSpace > MAX_TITLE_LENGTH / 2 ? cut.slice(0, lastSpace) : cut).trimEnd() + '…';
}

function* pmTextBlocks(doc: PmNode): Generator<TextBlock> {
  const blocks: TextBlock[] = [];
  doc.descendants((node) => {
    if (!node.isTextblock) return true;
    const lines: string[] = [''];
    node.forEach((child) => {
      if (child.type.name === HARD_BREAK) lines.push('');
      else if (child.isText) lines[lines.length - 1] += child.text ?? '';
    });
    blocks.push({ isHeading: node.type.name === 'heading', lines });
    return false;
  });
  yield* blocks;
}

function yTextOf(text: Y.XmlText): string {
  let out = '';
  for (const op of text.toDelta() as Array<{ insert?: unknown }>) {
    if (typeof op.insert === 'string') out += op.insert;
  }
  return out;
}

function* yTextBlocks(parent: Y.XmlFragment | Y.XmlElement): Generator<TextBlock> {
  for (const child of parent.toArray()) {
    if (!(child instanceof Y.XmlElement)) continue;
    const inline = child.toArray();
    const isTextblock = inline.length > 0 && inline.every((c) => c instanceof Y.XmlText || (c instanceof Y.XmlElement && c.nodeName === HARD_BREAK));
    if (isTextblock || inline.length === 0) {
      const lines: string[] = [''];
      for (const c of inline) {
        if (c instanceof Y.XmlText) lines[lines.length - 1] += yTextOf(c);
        else if (c instanceof Y.XmlElement) lines.push('');
      }
      yield { isHeading: child.nodeName === 'heading', lines };
    } else {
      yield* yTextBlocks(child);
    }
  }
}

function pickTitle(blocks: Iterable<TextBlock>): string {
  let firstLine = '';
  for (const block of blocks) {
    if (block.isHeading) {
      const heading = tidy(block.lines.join(' '));
      if (heading !== '') return heading;
    } else if (firstLine === '') {
      for (const line of block.lines) {
        const text = tidy(line);
        if (text !== '') {
          firstLine = text;
          break;
        }
      }
    }
  }
  return firstLine;
}

/**
 * The title of a document: its first heading's text, else its first non-empty line of text,
 * whitespace collapsed and at most `MAX_TITLE_LENGTH` characters. Returns `''` for a document
 * without text; callers show "Untitled" for it.
 */
export function docTitle(source: Y.XmlFragment | PmNode): string {
  return pickTitle(source instanceof Y.XmlFragment ? yTextBlocks(source) : pmTextBlocks(source));
}

/** The browser tab title for a document title: `"<title> — Quire"` or `"Untitled — Quire"`. */
export function tabTitle(title: string): string {
  return `${title === '' ? 'Untitled' : title} — Quire`;
}
