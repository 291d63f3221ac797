/**
 * Copying pictures from one Quire document into another. A picture is one of its document's
 * blobs, so a copy pasted elsewhere would name a blob the other document lacks. So what the
 * editor puts on the clipboard says where each picture can be read (`data-quire-from`, a path on
 * this server, never a full address, and never a `src` that another application would load), and
 * a paste into another document reads the picture from there (the person could see it there) and
 * uploads it to this document under the same id: ids are the hash of the bytes.
 */
import { DOMSerializer, type Node as PmNode, type Slice } from 'prosemirror-model';
import { imageDomAttrs, isBlobId } from '../../document/image-schema.js';
import { nodes, schema } from '../../document/schema.js';
import { readPicture, type ImageUploads } from './image-uploads.js';

/** The blob route of a document on this server, as a path. */
export function blobPath(docName: string, id: string): string {
  return `/api/docs/${encodeURIComponent(docName)}/blobs/${id}`;
}

const BLOB_PATH = /^\/api\/docs\/[A-Za-z0-9._-]{1,80}\/blobs\/([A-Za-z0-9_-]{1,64})$/;

/** The clipboard serializer of a page of `docName`: the schema's, with images saying where they are. */
export function pictureClipboardSerializer(docName: string): DOMSerializer {
  const base = DOMSerializer.fromSchema(schema);
  return new DOMSerializer(
    {
      ...base.nodes,
      image: (node: PmNode) => {
        const id = String(node.attrs['src']);
        return ['img', { 'data-quire-blob': id, 'data-quire-from': blobPath(docName, id), ...imageDomAttrs(node) }];
      },
    },
    base.marks,
  );
}

/** Where the pasted HTML under `root` says its pictures can be read: blob id → path on this server. */
export function copiedPictureSources(root: ParentNode): Map<string, string> {
  const sources = new Map<string, string>();
  for (const img of Array.from(root.querySelectorAll('img[data-quire-blob][data-quire-from]'))) {
    const id = img.getAttribute('data-quire-blob');
    const match = BLOB_PATH.exec(img.getAttribute('data-quire-from') ?? '');
    if (isBlobId(id) && match?.[1] === id) sources.set(id, match[0]);
  }
  return sources;
}

/** Uploads to `docName` the pictures of `slice` it lacks, read from where `sources` says they are. */
export function copyPastedPictures(slice: Slice, sources: ReadonlyMap<string, string>, docName: string, uploads: ImageUploads): void {
  const ids = new Set<string>();
  slice.content.descendants((node) => {
    if (node.type === nodes.image) ids.add(String(node.attrs['src']));
  });
  for (const id of ids) {
    const from = sources.get(id);
    if (from === undefined || from === blobPath(docName, id) || uploads.localUrl(id) !== null) continue;
    void copyPicture(from, id, docName, uploads).catch((error: unknown) => console.warn('A copied picture could not be brought over', error));
  }
}

/** Tries this many times, in all, a request the server refused as too many (429). */
const BUSY_ATTEMPTS = 4;

/**
 * A fetch that waits out a refusal for too many requests (a paste of many pictures can meet the
 * server's per-address limit): as long as the answer's Retry-After says (1 s when it says
 * nothing usable), a few times, then gives the last answer.
 */
export async function fetchWaitingOutBusy(url: string, init?: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, init);
    if (response.status !== 429 || attempt >= BUSY_ATTEMPTS) return response;
    await response.body?.cancel();
    const seconds = Number(response.headers.get('Retry-After'));
    const waitMs = Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 30) * 1000 : 1000;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

async function copyPicture(from: string, id: string, docName: string, uploads: ImageUploads): Promise<void> {
  const own = await fetchWaitingOutBusy(blobPath(docName, id), { method: 'HEAD' });
  if (own.ok) return;
  const source = await fetchWaitingOutBusy(from);
  if (!source.ok) return;
  const picture = await readPicture(await source.blob());
  if ('id' in picture && picture.id === id) await uploads.add(id, picture.blob);
}
