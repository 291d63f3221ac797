/**
 * The conversion worker thread: receives one ConversionRequest at a time, answers with its
 * result or a failure. The pool (conversion-pool.ts) bounds its time and memory.
 */
import { parentPort } from 'node:worker_threads';
import { convert, type ConversionRequest } from './conversion.js';

const port = parentPort;
if (port === null) throw new Error('convert-worker.ts runs only as a worker thread.');
port.on('message', (message: { id: number; request: ConversionRequest }) => {
  try {
    const result = convert(message.request);
    const bytes = result.kind === 'import' || result.kind === 'compact' ? result.update : result.kind === 'export' && typeof result.body !== 'string' ? result.body : null;
    const transfer = bytes === null ? [] : [bytes.buffer as ArrayBuffer];
    port.postMessage({ id: message.id, ok: true, result }, transfer);
  } catch (error) {
    port.postMessage({ id: message.id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
port.postMessage('ready');
