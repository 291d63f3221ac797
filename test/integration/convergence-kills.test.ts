/**
 * Convergence to the byte with the server killed mid-run: six providers on two documents make
 * random inserts, deletions and formatting, drop off and come back, while the server (a child
 * process) is killed with SIGKILL twice and restarted. When everyone is back, each document's
 * replicas must hold the same Yjs snapshot (state vector and delete set), with nothing unsaved.
 * Then everyone leaves and the server is killed once more: what storage holds must be exactly that
 * snapshot, for no connected provider is left to hand back what storage missed.
 *
 * A few seeds run by default; `CONVERGENCE_RUNS=50 npm test -- convergence-kills` runs many,
 * and every second run has a CPU-bound process beside it (so the server is slow at random
 * moments; `CONVERGENCE_HOG=1` gives every run one). A failure prints its SEED; `SEED=n` replays
 * that run first.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { DocProvider } from '../../client/provider.js';
import { snapshotOf } from '../support/doc-state.js';
import { createDocument } from '../support/http.js';
import { randomEdit } from '../support/random-edits.js';
import { int, testSeed, withSeed } from '../support/seeded.js';
import { ServerProcess } from '../support/server-process.js';
import { nextTurn, sleep, waitFor, withTimeout } from '../support/wait.js';

const RUNS = Number(process.env['CONVERGENCE_RUNS'] ?? 2);
const PROVIDERS_PER_DOC = 3;
const STEPS = 400;

/**
 * How long a CPU hog spins at most. A run takes seconds (about 5 s on an idle 2-core machine), so
 * this covers it many times over; the cap is there so a hog that nobody killed stops by itself.
 */
const HOG_MAX_MS = 120_000;

/** Hogs still running; killed when this process exits, however the test ended. */
const liveHogs = new Set<ChildProcess>();
process.once('exit', () => {
  for (const hog of liveHogs) hog.kill('SIGKILL');
});

/**
 * A process that keeps one core busy until it is killed, its parent (this process) is gone, or
 * HOG_MAX_MS has passed, whichever comes first: an orphan must never burn a core for the rest of CI.
 */
function cpuHog(): ChildProcess {
  const spin = `const end = Date.now() + ${HOG_MAX_MS}; const parent = process.ppid;
    while (Date.now() < end && process.ppid === parent) for (let i = 0; i < 1e6; i++);`;
  const hog = spawn(process.execPath, ['-e', spin], { stdio: 'ignore' });
  liveHogs.add(hog);
  hog.once('exit', () => liveHogs.delete(hog));
  return hog;
}

async function run(seed: number, withHog: boolean): Promise<void> {
  await withSeed(async (_seed, rng) => {
    const server = await ServerProcess.start({ env: { RATE_LIMIT_MESSAGES_PER_SECOND: '100000', RATE_LIMIT_MESSAGE_BURST: '1000000' } });
    const hog = withHog ? cpuHog() : null;
    const providers: DocProvider[] = [];
    try {
      const docs = [await createDocument(server.url), await createDocument(server.url)];
      for (const docName of docs) {
        for (let i = 0; i < PROVIDERS_PER_DOC; i++) {
          providers.push(new DocProvider(server.url, docName, new Y.Doc(), { transports: ['websocket'], reconnectDelayMs: 50, reconnectDelayMaxMs: 300 }));
        }
      }
      await withTimeout('every provider to sync', Promise.all(providers.map((p) => p.whenSynced())), 20_000);
      const online = providers.map(() => true);
      const killAt = new Set([40 + int(rng, STEPS / 2 - 40), STEPS / 2 + int(rng, STEPS / 2 - 20)]);
      for (let step = 0; step < STEPS; step++) {
        if (killAt.has(step)) await server.restart(); // kill -9, then start again on the same data
        const i = int(rng, providers.length);
        const provider = providers[i]!;
        if (rng() < 0.06) {
          if (online[i]) provider.disconnect();
          else provider.connect();
          online[i] = !online[i];
        } else {
          randomEdit(provider.doc, rng);
        }
        const pause = rng();
        if (pause < 0.3) await nextTurn();
        else if (pause < 0.36) await sleep(int(rng, 15));
      }
      for (let i = 0; i < providers.length; i++) if (!online[i]) providers[i]!.connect();
      await withTimeout('every provider to sync again', Promise.all(providers.map((p) => p.whenSynced())), 30_000);
      await withTimeout('every change to be saved', Promise.all(providers.map((p) => p.whenSaved())), 30_000).catch((error: Error) => {
        const states = providers.map((p, i) => `${i}: ${p.status}, ${p.unsavedCount} unacknowledged, saved ${p.isSaved}, last error ${p.lastError?.code ?? 'none'}`);
        error.message += `\n${states.join('\n')}`;
        throw error;
      });

      const expected = new Map<string, string>();
      for (const docName of docs) {
        const replicas = providers.filter((p) => p.docName === docName);
        await waitFor(`the replicas of ${docName} to converge with nothing unsaved`, () => replicas.every((p) => p.isSaved && snapshotOf(p.doc) === snapshotOf(replicas[0]!.doc)), 20_000).catch(() => undefined);
        const first = snapshotOf(replicas[0]!.doc);
        for (const replica of replicas) assert.equal(snapshotOf(replica.doc), first, `a replica of ${docName} differs`);
        assert.ok(replicas.every((p) => p.isSaved), `a replica of ${docName} still has something unsaved`);
        expected.set(docName, first);
      }
      for (const provider of providers.splice(0)) provider.destroy();
      // Nobody is left to hand anything back: storage alone must hold it all.
      await server.restart();
      for (const docName of docs) {
        const fresh = new DocProvider(server.url, docName, new Y.Doc(), { transports: ['websocket'] });
        try {
          await withTimeout(`${docName} to load after the last restart`, fresh.whenSynced(), 20_000);
          assert.equal(snapshotOf(fresh.doc), expected.get(docName), `storage lost something of ${docName} every replica had`);
        } finally {
          fresh.destroy();
        }
      }
    } finally {
      for (const provider of providers) provider.destroy();
      hog?.kill('SIGKILL');
      await server.close();
    }
  }, seed);
}

describe('convergence with kills mid-run', () => {
  const first = testSeed();
  for (let i = 0; i < RUNS; i++) {
    const seed = (first + i * 7919) % 2 ** 31;
    const withHog = process.env['CONVERGENCE_HOG'] === '1' || i % 2 === 1;
    it(`run ${i + 1} of ${RUNS}${withHog ? ', beside a CPU-bound process' : ''}`, { timeout: 240_000 }, () => run(seed, withHog));
  }
});
