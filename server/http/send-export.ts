/**
 * Sends an exported document with the type its format needs. HTML exports are script-free pages,
 * and the Content-Security-Policy keeps them so even if something slipped through.
 */
import type { Response } from 'express';
import type { ConversionPool } from './convert/conversion-pool.js';
import { exportPageCsp } from '../../document/export-policy.js';

export type ExportFormat = 'md' | 'html' | 'json' | 'yjs';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['md', 'html', 'json', 'yjs'];

/**
 * Converts `state` (a Yjs update of a whole document) to `format` off the event loop, and sends it.
 * Pictures get absolute addresses under `blobUrlPrefix` (the blob route of the name the export was
 * asked for); without one they have none.
 */
export async function sendExport(res: Response, conversions: ConversionPool, format: ExportFormat, state: Uint8Array, blobUrlPrefix: string | null = null): Promise<void> {
  if (format === 'yjs') {
    res.type('application/octet-stream').send(Buffer.from(state));
    return;
  }
  const exported = await conversions.run({ kind: 'export', format, state, blobUrlPrefix });
  if (exported.kind !== 'export') throw new Error('The conversion pool answered an export with an import.');
  if (format === 'json') res.type('application/json; charset=utf-8').send(exported.text);
  else if (format === 'md') res.type('text/markdown; charset=utf-8').send(exported.text);
  else {
    res.setHeader('Content-Security-Policy', exportPageCsp(blobUrlPrefix));
    res.type('text/html; charset=utf-8').send(exported.text);
  }
}
