/**
 * Cold load of a large document: copies of it are written into a fresh data dir the way each
 * server's own persistence holds them (compacted, or as an update log), a server is started on
 * the dir, and one client at a time joins a copy the server has not loaded yet. The first join
 * is in a freshly started process (its JIT is cold too); the following joins, each of another
 * copy, measure a document load in a warmed-up process, which is what a long-running server does.
 *
 * Timed from the client's connect() until it is synced AND its text equals the expected content:
 * y-websocket's server answers the handshake before its persistence has loaded and sends the
 * content afterwards, so "synced" alone would flatter it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newDocId } from '../shared/doc-id.js';
import { writerUrl, type PeerName, type ServerHandle, type ServerLauncher, type StoredLayout } from './peers/bench-client.js';
import { createBenchClient } from './peers/clients.js';
import { median, monotonicMs } from './stats.js';
import { sleep, withTimeout } from '../test/support/wait.js';
import { TEXT_NAME } from './trace.js';

export interface ColdLoadCase {
  readonly layout: StoredLayout;
  /** Consecutive updates whose merge is the document: one for `compacted`, many for `log`. */
  readonly records: readonly Uint8Array[];
  readonly expected: string;
  /** Measured loads in the warmed-up process (after the first one). */
  readonly repetitions: number;
}

export type ColdLoadResult =
  | {
      readonly supported: true;
      readonly layout: StoredLayout;
      readonly what: string;
      /** The first load, in a freshly started server process, ms. */
      readonly firstLoadMs: number;
      /** Median over the loads in the warmed-up process, ms from connect to synced with the full content. */
      readonly readyMs: number;
      /** Median over the same loads, ms from connect to the provider's own "synced". */
      readonly syncedMs: number;
      readonly samplesMs: readonly number[];
      readonly correct: boolean;
    }
  | { readonly supported: false; readonly layout: StoredLayout; readonly reason: string };

interface LoadTiming {
  readonly ready: number;
  readonly synced: number;
  readonly correct: boolean;
}

async function loadOnce(peer: PeerName, server: ServerHandle, docName: string, expected: string): Promise<LoadTiming> {
  const client = createBenchClient(peer, writerUrl(server), docName);
  const text = client.doc.getText(TEXT_NAME);
  let contentAt: number | null = null;
  const checkContent = (): void => {
    if (contentAt === null && text.length === expected.length) contentAt = monotonicMs();
  };
  client.doc.on('afterTransaction', checkContent);
  const started = monotonicMs();
  client.connect();
  try {
    await withTimeout(`the ${peer} client to sync the stored document`, client.whenSynced(), 60_000);
    const syncedAt = monotonicMs();
    const deadline = Date.now() + 60_000;
    while (contentAt === null && Date.now() < deadline) await sleep(1);
    return {
      ready: Math.max(syncedAt, contentAt ?? Number.POSITIVE_INFINITY) - started,
      synced: syncedAt - started,
      correct: text.toString() === expected,
    };
  } finally {
    client.doc.off('afterTransaction', checkContent);
    client.destroy();
  }
}

export async function measureColdLoad(peer: PeerName, launcher: ServerLauncher, params: ColdLoadCase): Promise<ColdLoadResult> {
  const dataDir = await mkdtemp(join(tmpdir(), `bench-cold-${peer}-`));
  try {
    const docNames = Array.from({ length: params.repetitions + 1 }, () => newDocId());
    const prepared = await launcher.prepareStoredDoc(dataDir, docNames, params.records, params.layout);
    if (!prepared.supported) return { supported: false, layout: params.layout, reason: prepared.reason };
    const server = await launcher.launch({ dataDir });
    try {
      await sleep(300);
      const timings: LoadTiming[] = [];
      for (const docName of docNames) {
        timings.push(await loadOnce(peer, server, docName, params.expected));
        // Let the server unload the copy and collect garbage before the next one.
        await sleep(300);
      }
      const [first, ...warm] = timings;
      if (first === undefined) throw new Error('No cold load was measured.');
      return {
        supported: true,
        layout: params.layout,
        what: prepared.what,
        firstLoadMs: first.ready,
        readyMs: median(warm.map((timing) => timing.ready)),
        syncedMs: median(warm.map((timing) => timing.synced)),
        samplesMs: warm.map((timing) => timing.ready),
        correct: timings.every((timing) => timing.correct),
      };
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
