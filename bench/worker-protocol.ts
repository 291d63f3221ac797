/**
 * Messages between the bench process and its client worker (bench/client-worker.ts), which holds
 * the readers and idle connections so that the bench process (the writer) is not their bottleneck.
 */
import type { PeerName } from './peers/bench-client.js';

/** What each watched client waits for after `watch`. */
export type WatchTarget =
  | { readonly kind: 'clock'; readonly clientId: number; readonly clock: number }
  | { readonly kind: 'text'; readonly expected: string };

export type WorkerRequest =
  | {
      readonly type: 'open';
      readonly peer: PeerName;
      readonly url: string;
      readonly docNames: readonly string[];
      readonly count: number;
      /** How many clients connect at once. */
      readonly concurrency: number;
      /** Record ping latencies (see relay-latency.ts) for pings with seq ≥ this. */
      readonly recordPingsFrom?: number;
      /**
       * Whether each client announces a presence (a name, as an editor page does) before it
       * connects; false: no presence state. Default true, for every peer alike (their providers'
       * defaults differ: see ClientOptions).
       */
      readonly presence?: boolean;
      readonly timeoutMs: number;
    }
  | { readonly type: 'pings'; readonly lastSeq: number; readonly timeoutMs: number }
  | { readonly type: 'watch'; readonly target: WatchTarget }
  | { readonly type: 'collect'; readonly timeoutMs: number }
  | { readonly type: 'close' };

export type WorkerReply =
  | { readonly type: 'opened'; readonly ms: number; readonly count: number }
  /** Latencies in ms of every recorded ping delivery; `complete` when every client saw `lastSeq`. */
  | { readonly type: 'pings'; readonly latencies: readonly number[]; readonly complete: boolean; readonly missing: number }
  | { readonly type: 'watching' }
  /** Monotonic ms at which each client met the target, null for the ones that had not by the timeout. */
  | { readonly type: 'collected'; readonly reachedAt: readonly (number | null)[]; readonly detail: string }
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string };

export interface WorkerEnvelope<T> {
  readonly id: number;
  readonly body: T;
}
