/**
 * The conversion worker thread: receives one ConversionRequest at a time, answers with its
 * result or a failure. The pool (conversion-pool.ts) bounds its time and memory.
 *
 * A compaction's merge needs Yjs alone; the converters (Markdown, HTML, ProseMirror, a DOM) are
 * loaded when the pool asks (`load-converters`, before the first import or export it sends), and
 * that load is timed as part of the worker's start, not of a conversion. Loading them with the
 * worker made its start cost about 220 ms of CPU, and the first compaction after the pool let its
 * idle worker go paid that on a busy server; a worker started for a merge now costs about 55 ms.
 */
import { parentPort } from 'node:worker_threads';
import { compactUpdates } from '../../../storage/store-support.js';
import type { ConversionRequest, ConversionResult } from './conversion.js';

const port = parentPort;
if (port === null) throw new Error('convert-worker.ts runs only as a worker thread.');

/** The converters, loading or loaded; a load that failed is tried again when asked again. */
let converters: Promise<typeof import('./conversion.js')> | null = null;

function loadConverters(): Promise<typeof import('./conversion.js')> {
  converters ??= import('./conversion.js').catch((error: unknown) => {
    converters = null;
    throw error;
  });
  return converters;
}

async function handle(request: ConversionRequest): Promise<ConversionResult> {
  if (request.kind === 'compact') return { kind: 'compact', update: compactUpdates(request.updates) };
  return (await loadConverters()).convert(request);
}

port.on('message', (message: 'load-converters' | { id: number; request: ConversionRequest }) => {
  if (message === 'load-converters') {
    loadConverters().then(
      () => port.postMessage('converters-loaded'),
      (error: unknown) => port.postMessage({ convertersFailed: error instanceof Error ? error.message : String(error) }),
    );
    return;
  }
  handle(message.request).then(
    (result) => {
      const bytes = result.kind === 'import' || result.kind === 'compact' ? result.update : result.kind === 'export' && typeof result.body !== 'string' ? result.body : null;
      const transfer = bytes === null ? [] : [bytes.buffer as ArrayBuffer];
      port.postMessage({ id: message.id, ok: true, result }, transfer);
    },
    (error: unknown) => {
      port.postMessage({ id: message.id, ok: false, message: error instanceof Error ? error.message : String(error) });
    },
  );
});
port.postMessage('ready');
