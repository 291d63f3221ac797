/**
 * The cost of version history on a real document: the `automerge-paper` trace replayed into an
 * editor document (one paragraph, its text edited keystroke by keystroke) with a version saved
 * every 1,000 transactions, then, on a real Quire server over that store: the storage the
 * versions take, and how long listing, previewing (export plus the editor's diff) and restoring
 * take over HTTP. Quire only: the other servers have no version history to compare with.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { FRAGMENT_NAME } from '../document/fragment.js';
import { diffBlocks, type DiffBlock } from '../client/editor/version-diff.js';
import { openQuireServer } from '../server/quire-server.js';
import { LevelDocStore } from '../storage/level-doc-store.js';
import { applyTxnToText, contentAfter, type EditingTrace } from './trace.js';

export interface VersionHistoryResult {
  readonly txns: number;
  readonly versionEvery: number;
  readonly versions: number;
  /** The document as one compacted update at the end. */
  readonly documentBytes: number;
  /** Sum of the versions' snapshots. */
  readonly versionBytes: number;
  /** The LevelDB directory on disk after the replay (compressed by LevelDB). */
  readonly diskBytes: number;
  /** Encoding the document and storing one version, median and worst, ms. */
  readonly saveMs: { readonly median: number; readonly max: number };
  readonly listMs: number;
  /** Exporting the middle version as ProseMirror JSON over HTTP, ms. */
  readonly exportMs: number;
  /** The editor's diff of that version against the document now, ms. */
  readonly diffMs: number;
  readonly restoreMs: number;
  /** Whether the restored document holds exactly the text of the version. */
  readonly restoreCorrect: boolean;
}

/** Bytes of the files directly in `dir` (LevelDB keeps no subdirectories). */
async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}

/** The paragraph texts of a ProseMirror JSON document, as the preview's diff sees its blocks. */
function blocksOfJson(json: { content?: Array<{ type: string; content?: Array<{ text?: string }> }> }): DiffBlock<null>[] {
  return (json.content ?? []).map((node) => ({ kind: node.type, text: (node.content ?? []).map((child) => child.text ?? '').join(''), source: null }));
}

export async function measureVersionHistory(trace: EditingTrace, options: { readonly txns: number; readonly versionEvery: number; readonly log: (line: string) => void }): Promise<VersionHistoryResult> {
  const dir = await mkdtemp(join(tmpdir(), 'quire-bench-versions-'));
  try {
    const store = await LevelDocStore.open(dir, { sync: false });
    const docName = 'benchVersionHistoryDoc';
    const doc = new Y.Doc();
    const paragraph = new Y.XmlElement('paragraph');
    const text = new Y.XmlText();
    paragraph.insert(0, [text]);
    doc.getXmlFragment(FRAGMENT_NAME).insert(0, [paragraph]);
    if (trace.startContent.length > 0) text.insert(0, trace.startContent);
    await store.append([{ docName, update: Y.encodeStateAsUpdate(doc) }]);

    const txns = Math.min(options.txns, trace.txns.length);
    const saves: number[] = [];
    const versionIds: string[] = [];
    for (let index = 0; index < txns; index++) {
      doc.transact(() => applyTxnToText(text, trace.txns[index] ?? []));
      if ((index + 1) % options.versionEvery !== 0 && index + 1 !== txns) continue;
      const id = `v${index + 1}`;
      const { ms } = await timed(() => store.saveVersion({ id, docName, createdAt: Date.now(), kind: 'auto', label: null, authors: ['bench'] }, Y.encodeStateAsUpdate(doc)));
      saves.push(ms);
      versionIds.push(id);
    }
    const documentUpdate = Y.encodeStateAsUpdate(doc);
    await store.append([{ docName, update: documentUpdate }]);
    await store.compact(docName);
    const versionBytes = (await store.listVersions(docName)).reduce((sum, version) => sum + version.sizeBytes, 0);
    options.log(`versions: ${versionIds.length} versions of ${txns} transactions, ${(versionBytes / 2 ** 20).toFixed(1)} MiB of snapshots`);

    const server = await openQuireServer({ store, port: 0, host: '127.0.0.1', logLevel: 'silent' });
    try {
      const { url } = await server.listen();
      const base = `${url}/api/docs/${docName}/versions`;
      const lists: number[] = [];
      for (let i = 0; i < 5; i++) lists.push((await timed(async () => (await fetch(base)).json())).ms);
      const middleIndex = Math.floor(versionIds.length / 2);
      const middle = versionIds[middleIndex] ?? '';
      const middleTxns = (middleIndex + 1) * options.versionEvery;
      const exports: number[] = [];
      let exported: unknown = null;
      for (let i = 0; i < 3; i++) {
        const result = await timed(async () => (await fetch(`${base}/${middle}/export?format=json`)).json());
        exports.push(result.ms);
        exported = result.value;
      }
      const current = { content: [{ type: 'paragraph', content: [{ text: text.toString() }] }] };
      const diff = await timed(async () => diffBlocks(blocksOfJson(exported as never), blocksOfJson(current)));
      const restore = await timed(async () => (await fetch(`${base}/${middle}/restore`, { method: 'POST' })).json());
      const stored = await server.store.load(docName);
      const check = new Y.Doc();
      Y.applyUpdate(check, stored?.update ?? new Uint8Array());
      const paragraphText = (check.getXmlFragment(FRAGMENT_NAME).get(0) as Y.XmlElement | undefined)?.get(0);
      const restoreCorrect = paragraphText instanceof Y.XmlText && paragraphText.toString() === contentAfter(trace, middleTxns);
      check.destroy();
      return {
        txns,
        versionEvery: options.versionEvery,
        versions: versionIds.length,
        documentBytes: documentUpdate.byteLength,
        versionBytes,
        diskBytes: await directoryBytes(dir),
        saveMs: { median: median(saves), max: Math.max(...saves) },
        listMs: median(lists),
        exportMs: median(exports),
        diffMs: diff.ms,
        restoreMs: restore.ms,
        restoreCorrect,
      };
    } finally {
      await server.close();
      doc.destroy();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function renderVersionHistory(result: VersionHistoryResult): string {
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return [
    '## Version history (Quire only)',
    '',
    `The automerge-paper trace, ${result.txns.toLocaleString('en')} transactions, replayed into one paragraph of an editor document with a version every ${result.versionEvery.toLocaleString('en')}: ${result.versions} versions (LevelDB; each version is a full snapshot).`,
    '',
    '| | |',
    '|---|---:|',
    `| document, compacted | ${mib(result.documentBytes)} |`,
    `| all version snapshots | ${mib(result.versionBytes)} (${(result.versionBytes / result.documentBytes).toFixed(0)}× the document) |`,
    `| LevelDB directory on disk (compressed) | ${mib(result.diskBytes)} |`,
    `| taking one version (encode + store), median / worst | ${result.saveMs.median.toFixed(1)} / ${result.saveMs.max.toFixed(1)} ms |`,
    `| listing the versions (HTTP) | ${result.listMs.toFixed(1)} ms |`,
    `| preview: export of the middle version as JSON (HTTP) / the editor's diff | ${result.exportMs.toFixed(1)} / ${result.diffMs.toFixed(1)} ms |`,
    `| restoring the middle version (HTTP, durable) | ${result.restoreMs.toFixed(1)} ms${result.restoreCorrect ? '' : ' — WRONG CONTENT'} |`,
    '',
  ].join('\n');
}
