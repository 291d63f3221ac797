/**
 * Pictures in HTML from elsewhere (a paste, an import): Quire shows only its document's own blobs,
 * and never fetches an outside address (not in the browser, not on the server). So before HTML is
 * parsed into the schema, every `<img>` that is not one of this document's blobs becomes its alt
 * text; one whose address is this document's blob route becomes an image of that blob.
 *
 * Works on any DOM implementation (the browser's, linkedom on the server): it touches only the
 * nodes it is given.
 */
import { isBlobId } from './image-schema.js';

/**
 * The blob id `url` names when it is the blob route of this document (`blobUrlPrefix` + id),
 * else null. `blobUrlPrefix` is absolute, e.g. `https://docs.example.com/api/docs/<name>/blobs/`.
 */
export function ownBlobId(url: string | null | undefined, blobUrlPrefix: string | null | undefined): string | null {
  if (typeof url !== 'string' || !blobUrlPrefix || !url.startsWith(blobUrlPrefix)) return null;
  const rest = url.slice(blobUrlPrefix.length);
  return isBlobId(rest) ? rest : null;
}

/** Replaces the foreign `<img>`s under `root` by their alt text and marks this document's own ones. */
export function settleForeignImages(root: ParentNode, blobUrlPrefix: string | null = null): void {
  for (const img of Array.from(root.querySelectorAll('img'))) {
    if (isBlobId(img.getAttribute('data-quire-blob'))) continue;
    const own = ownBlobId(img.getAttribute('src'), blobUrlPrefix);
    if (own !== null) {
      img.setAttribute('data-quire-blob', own);
      continue;
    }
    const alt = (img.getAttribute('alt') ?? '').trim();
    const doc = img.ownerDocument;
    if (alt === '' || doc === null) img.remove();
    else img.replaceWith(doc.createTextNode(alt));
  }
}
