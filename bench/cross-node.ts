/**
 * The cross-node case: three Quire nodes sharing PostgreSQL and Redis. Relay latency with the
 * writer and its reader on the same node and on different nodes (the difference is what the
 * cluster adds), and the bus messages received by a third node that holds no client of the
 * document (target: none).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { ClientPool } from './client-pool.js';
import type { ServerHandle } from './peers/bench-client.js';
import { createQuireDocs, QUIRE_SERVER_ENTRY } from './peers/quire-launcher.js';
import { spawnServer, type ChildServer } from './peers/child-server.js';
import { PROJECT_ROOT } from './peers/project-root.js';
import { combineRelaySamples, measureRelayLatency, type RelayCase, type RelayResult } from './relay-latency.js';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface CrossNodeResult {
  readonly sameNode: RelayResult;
  readonly crossNode: RelayResult;
  /** Bus messages the idle node received while the others relayed. */
  readonly idleNodeBusMessages: number;
}

async function busMessages(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^quire_bus_received_messages (\d+(?:\.\d+)?)/m.exec(text);
  if (match === null) throw new Error('The node does not report quire_bus_received_messages.');
  return Number(match[1]);
}

export async function measureCrossNode(pool: ClientPool, relayCase: RelayCase, rounds: number, log: (line: string) => void): Promise<CrossNodeResult> {
  const suffix = randomBytes(4).toString('hex');
  const schema = `quire_bench_${suffix}`;
  const nodes: ChildServer[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      nodes.push(
        await spawnServer({
          command: process.execPath,
          args: [QUIRE_SERVER_ENTRY],
          env: {
            PORT: '0',
            HOST: '127.0.0.1',
            LOG_LEVEL: 'warn',
            DATABASE_URL,
            REDIS_URL,
            QUIRE_PG_SCHEMA: schema,
            QUIRE_REDIS_PREFIX: `quire-bench-${suffix}:`,
            MAX_CONNECTIONS_PER_ADDRESS: '1000000',
            RATE_LIMIT_MESSAGES_PER_SECOND: '1000000',
            RATE_LIMIT_MESSAGE_BURST: '10000000',
          },
          cwd: PROJECT_ROOT,
          readyPattern: /listening on (http:\/\/[\d.]+:\d+)/,
          label: `Quire cluster node ${i + 1}`,
        }),
      );
    }
    const urls = nodes.map((node) => node.ready[1]!);
    const [first, second, idle] = urls as [string, string, string];
    log(`cross-node: three Quire nodes on PostgreSQL schema ${schema} and Redis, at ${urls.join(', ')}`);
    const handle = (writer: string, reader: string): ServerHandle => ({
      peer: 'quire',
      urls: [writer, reader],
      pids: nodes.map((node) => node.pid),
      description: 'Quire cluster',
      createDocs: (docNames) => createQuireDocs(writer, docNames),
      stop: async () => undefined,
    });
    const idleBefore = await busMessages(idle);
    const same = [];
    const cross = [];
    for (let round = 0; round < rounds; round++) {
      same.push(await measureRelayLatency('quire', handle(first, first), pool, relayCase));
      cross.push(await measureRelayLatency('quire', handle(first, second), pool, relayCase));
    }
    const idleNodeBusMessages = (await busMessages(idle)) - idleBefore;
    return { sameNode: combineRelaySamples(same), crossNode: combineRelaySamples(cross), idleNodeBusMessages };
  } finally {
    for (const node of nodes) await node.stop().catch(() => undefined);
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end());
  }
}

export function renderCrossNode(result: CrossNodeResult): string {
  const added = (key: 'p50' | 'p99') => result.crossNode[key] - result.sameNode[key];
  const row = (label: string, same: number, cross: number, diff: number) => `| ${label} | ${same.toFixed(2)} | ${cross.toFixed(2)} | ${diff >= 0 ? '+' : ''}${diff.toFixed(2)} |`;
  return [
    '## Cross-node (three Quire nodes, PostgreSQL + Redis)',
    '',
    '| Relay latency, 1 writer → 1 reader (ms) | same node | different nodes | added by the cluster |',
    '|---|---:|---:|---:|',
    row('p50', result.sameNode.p50, result.crossNode.p50, added('p50')),
    row('p99', result.sameNode.p99, result.crossNode.p99, added('p99')),
    '',
    `Bus messages received by the node holding no client of the document: ${result.idleNodeBusMessages} (target: 0).`,
    `${added('p50') <= 1 ? 'MET   ' : 'MISSED'} Cross-node relay adds at most 1 ms at p50: +${added('p50').toFixed(2)} ms.`,
    'A node publishes a change to the other nodes as soon as it has applied it, before it is stored; every node that relays a change stores it too.',
    '',
  ].join('\n');
}
