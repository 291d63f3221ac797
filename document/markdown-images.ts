/**
 * Images in Markdown, both ways.
 *
 * Reading: `![alt](url "title")` becomes an image only when `url` is this document's blob route
 * (the parse's `blobUrlPrefix` followed by a blob id); any other picture stays what it was to the
 * reader, a link: its alt text (or, without one, its address) linked to its address. Quire never
 * fetches an outside picture.
 *
 * Writing: an image is written as `![alt](<blobUrlPrefix><id> "title")`, escaped so that neither
 * the alt text nor the title can end the image early.
 */
import type MarkdownIt from 'markdown-it';
import type { MarkdownSerializerState } from 'prosemirror-markdown';
import type { Node as PmNode } from 'prosemirror-model';
import { ownBlobId } from './foreign-images.js';

/** What the Markdown parse is told, through markdown-it's `env`. */
export interface MarkdownImageEnv {
  /** Absolute base of this document's blob URLs; null: no picture is this document's. */
  readonly blobUrlPrefix: string | null;
}

interface InlineToken {
  readonly content: string;
  readonly children: readonly InlineToken[] | null;
}

/** The alt text of an image token as a reader sees it: its label's text, escapes resolved. */
function altText(token: InlineToken): string {
  if (token.children === null || token.children.length === 0) return token.content;
  return token.children.map((child) => (child.children !== null && child.children.length > 0 ? altText(child) : child.content)).join('');
}

/** A markdown-it plugin: keeps images of this document's blobs (with `src` = blob id), turns the rest into links. */
export function ownImagesOnly(md: MarkdownIt): void {
  md.core.ruler.push('quire_own_images', (state) => {
    const prefix = (state.env as Partial<MarkdownImageEnv> | undefined)?.blobUrlPrefix ?? null;
    for (const block of state.tokens) {
      if (block.type !== 'inline' || block.children === null) continue;
      const out: typeof block.children = [];
      for (const token of block.children) {
        if (token.type !== 'image') {
          out.push(token);
          continue;
        }
        const src = token.attrGet('src') ?? '';
        const own = ownBlobId(src, prefix);
        if (own !== null) {
          token.attrSet('src', own);
          token.content = altText(token);
          out.push(token);
          continue;
        }
        token.content = altText(token);
        const open = new state.Token('link_open', 'a', 1);
        open.attrSet('href', src);
        const text = new state.Token('text', '', 0);
        text.content = token.content !== '' ? token.content : src;
        out.push(open, text, new state.Token('link_close', 'a', -1));
      }
      block.children = out;
    }
  });
}

/** prosemirror-markdown's handler for the image tokens `ownImagesOnly` kept. */
export const imageTokenHandler = {
  node: 'image',
  getAttrs: (token: { attrGet(name: string): string | null; content: string }) => ({
    src: token.attrGet('src'),
    alt: token.content,
    title: token.attrGet('title') || null,
  }),
} as const;

/** Percent-encodes what could end a Markdown link or image address. */
export function markdownUrl(url: string): string {
  return url.replace(/[\\()<>\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * A Markdown link title ` "…"`, or '' for none. A backslash escapes only in front of a quote, so
 * backslashes are escaped too (a title ending in one would otherwise escape its closing quote),
 * and a line break, which ends a title in Markdown, becomes a space.
 */
export function markdownTitle(title: unknown): string {
  const raw = typeof title === 'string' ? title.replace(/[\r\n]+/g, ' ') : '';
  return raw ? ` "${raw.replace(/[\\"]/g, '\\$&')}"` : '';
}

/** The serializer of the image node, writing addresses under `blobUrlPrefix`. */
export function serializeImage(blobUrlPrefix: string): (state: MarkdownSerializerState, node: PmNode) => void {
  return (state, node) => {
    const alt = String(node.attrs['alt'] ?? '').replace(/[\r\n]+/g, ' ');
    const src = markdownUrl(blobUrlPrefix + String(node.attrs['src']));
    state.write(`![${state.esc(alt)}](${src}${markdownTitle(node.attrs['title'])})`);
  };
}
