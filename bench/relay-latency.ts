/**
 * Relay latency: one writer and N readers in one room. The writer makes one small edit (a
 * character insert plus a ping, see ping.ts) every `intervalMs`; each reader, in the client
 * worker, records when its doc observed each ping. Warm-up pings are not recorded.
 */
import type { ClientPool } from './client-pool.js';
import { newDocs, readerUrl, writerUrl, type PeerName, type ServerHandle } from './peers/bench-client.js';
import { createBenchClient } from './peers/clients.js';
import { sendPing } from './ping.js';
import { monotonicMs, summarize, type LatencySummary } from './stats.js';
import { sleep, withTimeout } from '../test/support/wait.js';

export interface RelayCase {
  readonly readers: number;
  readonly edits: number;
  readonly warmup: number;
  readonly intervalMs: number;
}

export interface RelaySamples {
  readonly readers: number;
  readonly intervalMs: number;
  /** One latency (ms) per delivery of a recorded ping to a reader. */
  readonly latencies: readonly number[];
  /** Deliveries (reader × recorded ping) that never arrived. */
  readonly missing: number;
  /** Time for all readers to connect and sync, ms (50 connecting at once). */
  readonly joinMs: number;
}

export interface RelayResult extends LatencySummary {
  readonly readers: number;
  readonly intervalMs: number;
  readonly missing: number;
  /** How many separate runs (rounds) the samples come from. */
  readonly rounds: number;
  /** Mean over the rounds of the time for all readers to connect and sync, ms. */
  readonly joinMs: number;
}

/** Pools the samples of several rounds of one case into one summary. */
export function combineRelaySamples(rounds: readonly RelaySamples[]): RelayResult {
  const first = rounds[0];
  if (first === undefined) throw new RangeError('Combining relay samples needs at least one round.');
  return {
    ...summarize(rounds.flatMap((round) => round.latencies)),
    readers: first.readers,
    intervalMs: first.intervalMs,
    missing: rounds.reduce((total, round) => total + round.missing, 0),
    rounds: rounds.length,
    joinMs: rounds.reduce((total, round) => total + round.joinMs, 0) / rounds.length,
  };
}

export async function measureRelayLatency(peer: PeerName, server: ServerHandle, pool: ClientPool, relayCase: RelayCase): Promise<RelaySamples> {
  const [docName] = (await newDocs(server, 1)) as [string];
  const opened = await pool.request(
    {
      type: 'open',
      peer,
      url: readerUrl(server),
      docNames: [docName],
      count: relayCase.readers,
      concurrency: 50,
      recordPingsFrom: relayCase.warmup,
      timeoutMs: 60_000,
    },
    'opened',
  );
  const writer = createBenchClient(peer, writerUrl(server), docName);
  try {
    writer.connect();
    await withTimeout(`the ${peer} writer to sync`, writer.whenSynced(), 30_000);
    const total = relayCase.warmup + relayCase.edits;
    // Each edit is scheduled against the start time, so a late timer does not shift the rest.
    const start = monotonicMs();
    for (let seq = 0; seq < total; seq++) {
      const wait = start + seq * relayCase.intervalMs - monotonicMs();
      if (wait > 0) await sleep(wait);
      sendPing(writer.doc, seq);
    }
    const reply = await pool.request({ type: 'pings', lastSeq: total - 1, timeoutMs: 30_000 }, 'pings');
    return { readers: relayCase.readers, intervalMs: relayCase.intervalMs, latencies: reply.latencies, missing: reply.missing, joinMs: opened.ms };
  } finally {
    writer.destroy();
    await pool.request({ type: 'close' }, 'closed');
  }
}
