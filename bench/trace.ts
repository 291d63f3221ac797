/**
 * Loads the editing traces in /work/shared/data (format: see its README.md) and replays them into
 * a Y.Text or a plain string. Positions count code points; both traces are pure ASCII, which
 * `loadTrace` checks, so string indices are code-point indices.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import * as Y from 'yjs';

/** Where the traces live; overridable for machines that keep them elsewhere. */
export const TRACE_DIR = process.env.BENCH_TRACE_DIR ?? '/work/shared/data';

export type TraceName = 'automerge-paper' | 'sveltecomponent';

/** One patch: at `position`, delete `deleteCount` characters, then insert `insert`. */
export type TracePatch = readonly [position: number, deleteCount: number, insert: string];

export interface EditingTrace {
  readonly name: TraceName;
  readonly startContent: string;
  readonly endContent: string;
  /** Each transaction is a list of patches applied in order. */
  readonly txns: readonly (readonly TracePatch[])[];
}

/** The attribution the CC BY 4.0 licence asks for, printed with every result. */
export const TRACE_CREDITS =
  'Editing traces: "automerge-paper" is the B4 trace of Martin Kleppmann writing a LaTeX paper ' +
  '(arXiv 1608.03960), prepared for automerge-perf; "sveltecomponent" is an edit of a Svelte ' +
  'component; both from the josephg/editing-traces collection (sequential_traces/), licensed ' +
  'CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).';

/** Name of the Y.Text every benchmark document keeps its characters in. */
export const TEXT_NAME = 'content';

function isPatch(value: unknown): value is TracePatch {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    Number.isInteger(value[0]) &&
    Number.isInteger(value[1]) &&
    typeof value[2] === 'string'
  );
}

/** Reads and validates a trace; throws a RangeError naming the first malformed part. */
export async function loadTrace(name: TraceName): Promise<EditingTrace> {
  const raw: unknown = JSON.parse(gunzipSync(await readFile(`${TRACE_DIR}/${name}.json.gz`)).toString('utf8'));
  const data = raw as { startContent?: unknown; endContent?: unknown; txns?: unknown };
  if (typeof data.startContent !== 'string' || typeof data.endContent !== 'string' || !Array.isArray(data.txns)) {
    throw new RangeError(`The trace ${name} lacks startContent, endContent or txns.`);
  }
  const txns: TracePatch[][] = [];
  for (const [index, txn] of data.txns.entries()) {
    const patches = (txn as { patches?: unknown }).patches;
    if (!Array.isArray(patches) || !patches.every(isPatch)) {
      throw new RangeError(`Transaction ${index} of the trace ${name} has malformed patches.`);
    }
    txns.push(patches);
  }
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(data.endContent)) {
    throw new RangeError(`The trace ${name} is not pure ASCII; code-point positions would need conversion.`);
  }
  return { name, startContent: data.startContent, endContent: data.endContent, txns };
}

/** Applies one transaction's patches to a Y.Text (call inside a Y transaction to get one update). */
export function applyTxnToText(text: Y.Text, patches: readonly TracePatch[]): void {
  for (const [position, deleteCount, insert] of patches) {
    if (deleteCount > 0) text.delete(position, deleteCount);
    if (insert.length > 0) text.insert(position, insert);
  }
}

/** Applies one transaction's patches to a string. */
export function applyTxnToString(content: string, patches: readonly TracePatch[]): string {
  let result = content;
  for (const [position, deleteCount, insert] of patches) {
    result = result.slice(0, position) + insert + result.slice(position + deleteCount);
  }
  return result;
}

/** The content after the first `txnCount` transactions (the whole trace gives `endContent`). */
export function contentAfter(trace: EditingTrace, txnCount: number): string {
  if (txnCount >= trace.txns.length) return trace.endContent;
  let content = trace.startContent;
  for (let i = 0; i < txnCount; i++) content = applyTxnToString(content, trace.txns[i] ?? []);
  return content;
}

export interface BuiltTraceDoc {
  readonly doc: Y.Doc;
  /** The whole document as one update (what a compacted store holds). */
  readonly fullUpdate: Uint8Array;
  /** The history as consecutive log entries, each the merge of `txnsPerEntry` transactions. */
  readonly logEntries: readonly Uint8Array[];
}

/**
 * Replays a whole trace into one fresh Y.Doc, one Y transaction per trace transaction, and
 * returns the document plus its history as log entries of `txnsPerEntry` transactions each.
 */
export function buildTraceDoc(trace: EditingTrace, txnsPerEntry: number): BuiltTraceDoc {
  const doc = new Y.Doc();
  const text = doc.getText(TEXT_NAME);
  const logEntries: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => {
    pending.push(update);
  });
  const flush = (): void => {
    if (pending.length === 0) return;
    logEntries.push(Y.mergeUpdates(pending));
    pending = [];
  };
  if (trace.startContent.length > 0) text.insert(0, trace.startContent);
  for (const [index, txn] of trace.txns.entries()) {
    doc.transact(() => applyTxnToText(text, txn));
    if ((index + 1) % txnsPerEntry === 0) flush();
  }
  flush();
  if (text.toString() !== trace.endContent) {
    throw new RangeError(`Replaying the trace ${trace.name} into a Y.Doc did not give its endContent.`);
  }
  return { doc, fullUpdate: Y.encodeStateAsUpdate(doc), logEntries };
}
