/**
 * Delivered updates per second and server CPU per 1,000 updates: a writer bursts N one-character
 * inserts (N updates) into a room with R readers; the burst ends when every reader's doc holds the
 * writer's last insert (its clock reached, so servers that merge updates are counted right). CPU
 * is the server's user+system time from /proc over the burst plus a short settle, so deferred work
 * (saving) is counted too.
 */
import * as Y from 'yjs';
import type { ClientPool } from './client-pool.js';
import { newDocs, readerUrl, writerUrl, type BenchClient, type PeerName, type ServerHandle } from './peers/bench-client.js';
import { createBenchClient } from './peers/clients.js';
import { cpuSeconds, totalCpuSeconds } from './proc-stats.js';
import { monotonicMs } from './stats.js';
import { sleep, withTimeout } from '../test/support/wait.js';
import { TEXT_NAME } from './trace.js';

export interface ThroughputCase {
  readonly readers: number;
  readonly updates: number;
  /** Updates made per event-loop turn of the writer before it yields to I/O. */
  readonly chunk: number;
  /** Time after the last delivery before CPU is read again, ms. */
  readonly settleMs: number;
}

export interface ThroughputResult {
  readonly readers: number;
  readonly updates: number;
  readonly seconds: number;
  readonly deliveredPerSecond: number;
  readonly cpuSeconds: number;
  readonly cpuSecondsPer1000Updates: number;
  readonly complete: boolean;
  /** CPU of the client worker (the readers) and of the bench process (the writer) over the same window. */
  readonly readersCpuSeconds: number | null;
  readonly writerCpuSeconds: number;
}

async function burst(writer: BenchClient, count: number, chunk: number): Promise<void> {
  const text = writer.doc.getText(TEXT_NAME);
  for (let made = 0; made < count; ) {
    const end = Math.min(count, made + chunk);
    for (; made < end; made++) writer.doc.transact(() => text.insert(text.length, 'x'));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Bursts `count` updates; returns when the burst started and when each reader had all of it. */
async function burstAndCollect(
  writer: BenchClient,
  pool: ClientPool,
  count: number,
  chunk: number,
): Promise<{ started: number; reachedAt: (number | null)[] }> {
  const clientId = writer.doc.clientID;
  const clock = Y.getState(writer.doc.store, clientId) + count;
  await pool.request({ type: 'watch', target: { kind: 'clock', clientId, clock } }, 'watching');
  const started = monotonicMs();
  await burst(writer, count, chunk);
  const reply = await pool.request({ type: 'collect', timeoutMs: 120_000 }, 'collected');
  return { started, reachedAt: [...reply.reachedAt] };
}

export async function measureThroughput(peer: PeerName, server: ServerHandle, pool: ClientPool, params: ThroughputCase): Promise<ThroughputResult> {
  const [docName] = (await newDocs(server, 1)) as [string];
  await pool.request(
    { type: 'open', peer, url: readerUrl(server), docNames: [docName], count: params.readers, concurrency: 50, timeoutMs: 60_000 },
    'opened',
  );
  const writer = createBenchClient(peer, writerUrl(server), docName);
  try {
    writer.connect();
    await withTimeout(`the ${peer} writer to sync`, writer.whenSynced(), 30_000);
    // Warm-up: a small burst so that code paths are compiled before the measured one.
    await burstAndCollect(writer, pool, Math.min(500, params.updates), params.chunk);
    await sleep(params.settleMs);

    const cpuBefore = totalCpuSeconds(server.pids);
    const workerPid = pool.pid;
    const readersCpuBefore = workerPid === undefined ? null : cpuSeconds(workerPid);
    const writerCpuBefore = process.cpuUsage();
    const { started, reachedAt } = await burstAndCollect(writer, pool, params.updates, params.chunk);
    const complete = reachedAt.every((time) => time !== null);
    const finished = Math.max(...reachedAt.map((time) => time ?? monotonicMs()));
    await sleep(params.settleMs);
    const serverCpu = totalCpuSeconds(server.pids) - cpuBefore;
    const writerCpu = process.cpuUsage(writerCpuBefore);
    const readersCpuSeconds = workerPid === undefined || readersCpuBefore === null ? null : cpuSeconds(workerPid) - readersCpuBefore;
    const seconds = (finished - started) / 1000;
    return {
      readers: params.readers,
      updates: params.updates,
      seconds,
      deliveredPerSecond: (params.updates * params.readers) / seconds,
      cpuSeconds: serverCpu,
      cpuSecondsPer1000Updates: serverCpu / (params.updates / 1000),
      complete,
      readersCpuSeconds,
      writerCpuSeconds: (writerCpu.user + writerCpu.system) / 1e6,
    };
  } finally {
    writer.destroy();
    await pool.request({ type: 'close' }, 'closed');
  }
}
