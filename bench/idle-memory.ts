/**
 * Server memory per idle connection: RSS of a freshly started server before and after the client
 * worker opens `connections` clients spread over `docs` documents (each synced, then left idle).
 * A few warm-up clients are opened first and kept, so the difference is the marginal cost of a
 * connection, not the server's one-time costs (compiled code, first buffers). The same run also
 * gives the cost without a warm-up: from the fresh server's RSS to the last reading, over every
 * client opened (one-time costs included, spread over the connections).
 */
import type { ClientPool } from './client-pool.js';
import { newDocs, readerUrl, type PeerName, type ServerLauncher } from './peers/bench-client.js';
import { totalRssBytes } from './proc-stats.js';
import { sleep } from '../test/support/wait.js';

export interface IdleMemoryCase {
  /** Clients opened (and kept) before the first reading, so one-time costs are not counted. */
  readonly warmupConnections: number;
  readonly connections: number;
  readonly docs: number;
  /** Quiet time before each RSS reading, ms. */
  readonly settleMs: number;
}

export interface IdleMemoryResult {
  readonly connections: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly bytesPerConnection: number;
  /** RSS of the fresh server, before any client. */
  readonly rssFreshBytes: number;
  /** (after − fresh) ÷ every client opened, warm-up included. */
  readonly bytesPerConnectionNoWarmup: number;
  readonly openSeconds: number;
}

export async function measureIdleMemory(peer: PeerName, launcher: ServerLauncher, pool: ClientPool, params: IdleMemoryCase): Promise<IdleMemoryResult> {
  const server = await launcher.launch({});
  try {
    const docNames = await newDocs(server, params.docs);
    await sleep(params.settleMs);
    const rssFreshBytes = totalRssBytes(server.pids);
    const warmup = await pool.request(
      { type: 'open', peer, url: readerUrl(server), docNames, count: params.warmupConnections, concurrency: 50, timeoutMs: 60_000 },
      'opened',
    );
    await sleep(params.settleMs);
    const rssBeforeBytes = totalRssBytes(server.pids);
    const opened = await pool.request(
      { type: 'open', peer, url: readerUrl(server), docNames, count: params.connections, concurrency: 50, timeoutMs: 60_000 },
      'opened',
    );
    await sleep(params.settleMs);
    const rssAfterBytes = totalRssBytes(server.pids);
    return {
      connections: opened.count,
      rssBeforeBytes,
      rssAfterBytes,
      bytesPerConnection: (rssAfterBytes - rssBeforeBytes) / opened.count,
      rssFreshBytes,
      bytesPerConnectionNoWarmup: (rssAfterBytes - rssFreshBytes) / (opened.count + warmup.count),
      openSeconds: opened.ms / 1000,
    };
  } finally {
    await pool.request({ type: 'close' }, 'closed');
    await server.stop();
  }
}

/**
 * How long the same clients take to open when none announces a presence: a fresh server, the
 * same warm-up, then the same connections, timed, in seconds. (Joins with presence fan each
 * newcomer's state out to every member of its document; without, a join is only the sync
 * handshake.) One round; run.ts takes several, alternating between the servers.
 */
export async function timeOpeningWithoutPresence(peer: PeerName, launcher: ServerLauncher, pool: ClientPool, params: IdleMemoryCase): Promise<number> {
  const server = await launcher.launch({});
  try {
    const docNames = await newDocs(server, params.docs);
    const open = (count: number) => pool.request({ type: 'open', peer, url: readerUrl(server), docNames, count, concurrency: 50, presence: false, timeoutMs: 60_000 }, 'opened');
    await open(params.warmupConnections);
    await sleep(params.settleMs);
    return (await open(params.connections)).ms / 1000;
  } finally {
    await pool.request({ type: 'close' }, 'closed');
    await server.stop();
  }
}
