/**
 * What the conversion worker does, as plain functions over bytes and strings: import Markdown or
 * HTML into a Yjs update, export a document's encoded state as Markdown, HTML or ProseMirror
 * JSON. They run in the worker (convert-worker.ts), off the server's event loop, which loads them
 * on the first request that needs them; a compaction's merge, the other request the worker
 * takes, needs Yjs alone and is done there.
 */
import * as Y from 'yjs';
import { htmlPage, htmlToPm, markdownToPm, pmToHtml, pmToMarkdown, pmToYUpdate, readUpdates, updatesToPm } from '../../../document/doc-format.js';
import { FRAGMENT_NAME } from '../../../document/fragment.js';
import { docTitle } from '../../../document/title.js';

export type ImportFormat = 'md' | 'html';
export type ExportFormat = 'md' | 'html' | 'json' | 'yjs';

/**
 * A document's state for an export or a title is a list of Yjs updates that, applied one after
 * another, give the document: a live room's whole state (one update), or what storage holds
 * (its snapshot and log entries, as read). Decoding them is the costly part, so it happens here,
 * in the worker, and not on the server's event loop.
 */
export type ConversionRequest =
  | { readonly kind: 'import'; readonly format: ImportFormat; readonly text: string }
  /** `blobUrlPrefix`: where the exported document's pictures are (see BlobUrls); none: no addresses. */
  | { readonly kind: 'export'; readonly format: ExportFormat; readonly updates: readonly Uint8Array[]; readonly blobUrlPrefix?: string | null }
  | { readonly kind: 'title'; readonly updates: readonly Uint8Array[] }
  /** A compaction's merge (see DocStore.compact): the stored snapshot and log, in order. */
  | { readonly kind: 'compact'; readonly updates: readonly Uint8Array[] };

export type ConversionResult =
  | { readonly kind: 'import'; readonly update: Uint8Array; readonly structs: number; readonly title: string }
  /** `body`: text, or for `yjs` the whole document as one update. */
  | { readonly kind: 'export'; readonly body: string | Uint8Array; readonly title: string }
  | { readonly kind: 'title'; readonly title: string }
  | { readonly kind: 'compact'; readonly update: Uint8Array };

const titleOf = (doc: Y.Doc): string => docTitle(doc.getXmlFragment(FRAGMENT_NAME));

/** The requests the converters answer (a compaction's merge is the worker's own). */
export type ConverterRequest = Exclude<ConversionRequest, { readonly kind: 'compact' }>;

export function convert(request: ConverterRequest): ConversionResult {
  if (request.kind === 'import') {
    const pm = request.format === 'html' ? htmlToPm(request.text) : markdownToPm(request.text);
    const update = pmToYUpdate(pm);
    const structs = readUpdates([update], (doc) => [...doc.store.clients.values()].reduce((sum, list) => sum + list.length, 0));
    return { kind: 'import', update, structs, title: docTitle(pm) };
  }
  if (request.kind === 'title') return { kind: 'title', title: readUpdates(request.updates, titleOf) };
  // One update of the whole document, as a client would encode it: decoding and re-encoding is
  // linear, where merging a long log with Y.mergeUpdates is not.
  if (request.format === 'yjs') return readUpdates(request.updates, (doc) => ({ kind: 'export', body: Y.encodeStateAsUpdate(doc), title: titleOf(doc) }));
  const pm = updatesToPm(request.updates);
  const title = docTitle(pm);
  if (request.format === 'json') return { kind: 'export', body: JSON.stringify(pm.toJSON()), title };
  const urls = { blobUrlPrefix: request.blobUrlPrefix ?? null };
  if (request.format === 'md') return { kind: 'export', body: pmToMarkdown(pm, urls), title };
  return { kind: 'export', body: htmlPage(title || 'Untitled', pmToHtml(pm, urls), urls), title };
}
