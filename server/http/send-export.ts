/**
 * Sends an exported document with the type its format needs. HTML exports are script-free pages,
 * and the Content-Security-Policy keeps them so even if something slipped through.
 */
import type { Response } from 'express';
import type { ConversionPool } from './convert/conversion-pool.js';
import type { ExportFormat } from './convert/conversion.js';
import { exportPageCsp } from '../../document/export-policy.js';

export type { ExportFormat };
export const EXPORT_FORMATS: readonly ExportFormat[] = ['md', 'html', 'json', 'yjs'];

/**
 * Converts a document to `format` off the event loop, and sends it. `updates` hold the document
 * (one update of the whole document, or a stored snapshot and its log: see ConversionRequest).
 * Pictures get absolute addresses under `blobUrlPrefix` (the blob route of the name the export was
 * asked for); without one they have none.
 */
export async function sendExport(res: Response, conversions: ConversionPool, format: ExportFormat, updates: readonly Uint8Array[], blobUrlPrefix: string | null = null): Promise<void> {
  // A single update already is the `yjs` export; only a log needs merging (in the worker).
  const exported = format === 'yjs' && updates.length === 1 ? { kind: 'export' as const, body: updates[0]! } : await conversions.run({ kind: 'export', format, updates, blobUrlPrefix });
  if (exported.kind !== 'export') throw new Error(`The conversion pool answered an export with ${exported.kind}.`);
  const { body } = exported;
  if (typeof body !== 'string') res.type('application/octet-stream').send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  else if (format === 'json') res.type('application/json; charset=utf-8').send(body);
  else if (format === 'md') res.type('text/markdown; charset=utf-8').send(body);
  else {
    res.setHeader('Content-Security-Policy', exportPageCsp(blobUrlPrefix));
    res.type('text/html; charset=utf-8').send(body);
  }
}
