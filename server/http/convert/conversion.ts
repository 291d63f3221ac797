/**
 * What the conversion worker does, as plain functions over bytes and strings: import Markdown or
 * HTML into a Yjs update, and export a document's encoded state as Markdown, HTML or ProseMirror
 * JSON. They run in the worker (convert-worker.ts), off the server's event loop.
 */
import * as Y from 'yjs';
import { htmlPage, htmlToPm, markdownToPm, pmToHtml, pmToMarkdown, pmToYUpdate, stateToPm } from '../../../document/doc-format.js';
import { docTitle } from '../../../document/title.js';

export type ImportFormat = 'md' | 'html';
export type ExportFormat = 'md' | 'html' | 'json';

export type ConversionRequest =
  | { readonly kind: 'import'; readonly format: ImportFormat; readonly text: string }
  /** `blobUrlPrefix`: where the exported document's pictures are (see BlobUrls); none: no addresses. */
  | { readonly kind: 'export'; readonly format: ExportFormat; readonly state: Uint8Array; readonly blobUrlPrefix?: string | null };

export type ConversionResult =
  | { readonly kind: 'import'; readonly update: Uint8Array; readonly structs: number; readonly title: string }
  | { readonly kind: 'export'; readonly text: string; readonly title: string };

export function convert(request: ConversionRequest): ConversionResult {
  if (request.kind === 'import') {
    const pm = request.format === 'html' ? htmlToPm(request.text) : markdownToPm(request.text);
    const update = pmToYUpdate(pm);
    const doc = new Y.Doc();
    try {
      Y.applyUpdate(doc, update);
      let structs = 0;
      for (const list of doc.store.clients.values()) structs += list.length;
      return { kind: 'import', update, structs, title: docTitle(pm) };
    } finally {
      doc.destroy();
    }
  }
  const pm = stateToPm(request.state);
  const title = docTitle(pm);
  if (request.format === 'json') return { kind: 'export', text: JSON.stringify(pm.toJSON()), title };
  const urls = { blobUrlPrefix: request.blobUrlPrefix ?? null };
  if (request.format === 'md') return { kind: 'export', text: pmToMarkdown(pm, urls), title };
  return { kind: 'export', text: htmlPage(title || 'Untitled', pmToHtml(pm, urls), urls), title };
}
