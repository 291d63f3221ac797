/**
 * The `image` node: an inline picture that is one of its document's blobs, never an outside
 * address. `src` is the blob's id (the server's name for the bytes it stored with the document);
 * the page, or an export, turns it into the URL of the blob route under the name it knows the
 * document by (a view page never learns the document id that way). `alt` is the text shown to
 * people who cannot see the picture, `title` an optional tooltip.
 *
 * The attributes are validated when a node is built, because a peer can write anything into the
 * Yjs document: an image whose `src` is not a blob id (an outside URL, `javascript:`, a data: URL)
 * is refused, and y-prosemirror then drops it instead of showing it.
 *
 * `toDOM` renders `<img data-quire-blob="…">` without a `src`: the editor's node view (and the
 * HTML export) add the address. Pasted `<img>`s are taken only with `data-quire-blob` (copied
 * from a Quire page); others are reduced to their alt text before parsing (foreign-images.ts).
 */
import type { DOMOutputSpec, NodeSpec, Node as PmNode } from 'prosemirror-model';

/** A blob id: 1 to 64 characters of `A-Z a-z 0-9 _ -` (the storage's id alphabet). */
const BLOB_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** The longest alt text or title kept, in characters. */
export const MAX_ALT_LENGTH = 1000;

export function isBlobId(value: unknown): value is string {
  return typeof value === 'string' && BLOB_ID.test(value);
}

function validateSrc(value: unknown): void {
  if (!isBlobId(value)) throw new RangeError('An image must name one of its document\'s blobs (1–64 of A–Z a–z 0–9 _ -).');
}

function validateText(what: string, nullable: boolean): (value: unknown) => void {
  return (value) => {
    if (nullable && value === null) return;
    if (typeof value !== 'string' || value.length > MAX_ALT_LENGTH) {
      throw new RangeError(`An image's ${what} must be text of at most ${MAX_ALT_LENGTH} characters.`);
    }
  };
}

/** Text of an attribute read from pasted HTML, cut to the length kept. */
function domText(value: string | null): string {
  return (value ?? '').slice(0, MAX_ALT_LENGTH);
}

/** The attributes every rendering of an image carries besides its address. */
export function imageDomAttrs(node: PmNode): Record<string, string> {
  const attrs: Record<string, string> = { alt: String(node.attrs['alt'] ?? '') };
  const title = node.attrs['title'];
  if (typeof title === 'string' && title !== '') attrs['title'] = title;
  return attrs;
}

function renderImage(node: PmNode): DOMOutputSpec {
  return ['img', { 'data-quire-blob': String(node.attrs['src']), ...imageDomAttrs(node) }];
}

export const imageNodeSpec: NodeSpec = {
  inline: true,
  group: 'inline',
  draggable: true,
  attrs: {
    src: { validate: validateSrc },
    alt: { default: '', validate: validateText('alt text', false) },
    title: { default: null, validate: validateText('title', true) },
  },
  parseDOM: [
    {
      tag: 'img[data-quire-blob]',
      getAttrs: (dom) => {
        const src = dom.getAttribute('data-quire-blob');
        if (!isBlobId(src)) return false;
        const title = dom.getAttribute('title');
        return { src, alt: domText(dom.getAttribute('alt')), title: title === null || title === '' ? null : domText(title) };
      },
    },
  ],
  toDOM: renderImage,
};
