/**
 * What one bench run measures and how big each workload is, plus the shape of its results.
 * Shared by the orchestrator (run.ts) and the summary (summary.ts).
 */
import type { ColdLoadResult } from './cold-load.js';
import type { IdleMemoryResult } from './idle-memory.js';
import type { PeerName, StoredLayout } from './peers/bench-client.js';
import type { RelayResult } from './relay-latency.js';
import type { ThroughputResult } from './throughput.js';
import type { ReplayResult } from './trace-replay.js';

export const MEASUREMENTS = ['relay', 'throughput', 'memory', 'cold', 'replay'] as const;
export type Measurement = (typeof MEASUREMENTS)[number];

/** Sizes of every workload; `quick` shrinks them for a smoke run. */
export function benchSizes(quick: boolean) {
  return {
    relay: [
      { readers: 1, edits: quick ? 100 : 500, warmup: quick ? 20 : 50, intervalMs: 10 },
      { readers: 20, edits: quick ? 100 : 500, warmup: quick ? 20 : 50, intervalMs: 10 },
      { readers: 200, edits: quick ? 100 : 500, warmup: quick ? 20 : 30, intervalMs: 50 },
    ],
    relayRounds: quick ? 1 : 3,
    /**
     * `chunk` = updates the writer makes per event-loop turn. With 1 every update leaves as its own
     * message from every client; with 100, Quire's provider merges each turn's updates into one
     * message (the peers' providers still send one message per update).
     */
    throughput: [
      { readers: 20, updates: quick ? 1_000 : 5_000, chunk: 1, settleMs: 500 },
      { readers: 20, updates: quick ? 1_000 : 5_000, chunk: 100, settleMs: 500 },
    ],
    memory: { warmupConnections: quick ? 20 : 100, connections: quick ? 200 : 1_000, docs: 10, settleMs: quick ? 1_000 : 2_000 },
    /**
     * Rounds of opening the memory case's connections with no presence, alternating between the
     * servers; the report gives each server's median. One opening takes under a second on a quiet
     * machine, so a burst of load from elsewhere moved a single one by a third.
     */
    openNoPresenceRounds: quick ? 1 : 5,
    cold: { txnsPerEntry: 100, repetitions: quick ? 1 : 4 },
    /** One transaction per event-loop turn, so that every transaction is its own message everywhere. */
    replay: { trace: 'automerge-paper' as const, txnCount: quick ? 5_000 : 20_000, chunk: 1, timeoutMs: 180_000 },
  };
}
export type BenchSizes = ReturnType<typeof benchSizes>;

/** A measurement's result, or why it failed (a failure never stops the rest of the run). */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface BenchResults {
  /** Keyed by relayKey(). */
  readonly relay: Map<string, Outcome<RelayResult>>;
  /** Keyed by throughputKey(). */
  readonly throughput: Map<string, Outcome<ThroughputResult>>;
  readonly memory: Map<PeerName, Outcome<IdleMemoryResult>>;
  /** Seconds each round took to open the memory case's connections with no presence state. */
  readonly openNoPresence: Map<PeerName, Outcome<readonly number[]>>;
  /** Keyed by coldKey(). */
  readonly cold: Map<string, Outcome<ColdLoadResult>>;
  readonly replay: Map<PeerName, Outcome<ReplayResult>>;
  /** What each long-running server was, in words. */
  readonly servers: Map<PeerName, string>;
}

export function emptyResults(): BenchResults {
  return { relay: new Map(), throughput: new Map(), memory: new Map(), openNoPresence: new Map(), cold: new Map(), replay: new Map(), servers: new Map() };
}

export const relayKey = (peer: PeerName, readers: number): string => `${peer}:${readers}`;
export const throughputKey = (peer: PeerName, chunk: number): string => `${peer}:${chunk}`;
export const coldKey = (peer: PeerName, layout: StoredLayout): string => `${peer}:${layout}`;
