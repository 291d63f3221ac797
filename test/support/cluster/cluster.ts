/**
 * A Quire cluster for tests: nodes sharing one PostgreSQL schema and one Redis channel prefix,
 * both unique to the run, so parallel runs never see each other. Nodes are child processes (to
 * kill or cut off) or in-process servers (to look at their room bus). `close()` destroys every
 * provider, stops every node, closes every store, and drops the schema.
 */
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { createAdapter } from '@socket.io/redis-adapter';
import pg from 'pg';
import * as Y from 'yjs';
import { DocProvider, type DocProviderOptions } from '../../../client/provider.js';
import { newDocId } from '../../../shared/doc-id.js';
import type { DocStore } from '../../../storage/doc-store.js';
import { PostgresDocStore } from '../../../storage/postgres-doc-store.js';
import { createQuireServer, type QuireServer, type QuireServerOptions } from '../../../server/quire-server.js';
import { RedisRoomBus } from '../../../server/cluster/redis-room-bus.js';
import { ServerProcess } from '../server-process.js';
import { TcpCutProxy } from './tcp-cut-proxy.js';

export const DATABASE_URL = process.env.QUIRE_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const REDIS_URL = process.env.QUIRE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/**
 * The entry point the nodes run, given DATABASE_URL, REDIS_URL, QUIRE_PG_SCHEMA and
 * QUIRE_REDIS_PREFIX: the real `npm start` entry. QUIRE_CLUSTER_ENTRY overrides it.
 */
const NODE_ENTRY = process.env.QUIRE_CLUSTER_ENTRY ?? 'server/main.ts';
/** Nodes keep their documents in PostgreSQL; a LevelDB here would be a mistake, so it cannot open. */
const NO_DATA_DIR = '/nonexistent/quire-cluster-nodes-use-postgresql';

/** A node running in this process: its server and its bus are at hand. */
export interface InProcessNode {
  readonly name: string;
  readonly url: string;
  readonly server: QuireServer;
  readonly bus: RedisRoomBus;
}

export interface StartOptions {
  /** Route each node's Redis traffic through a proxy of its own that the test can cut (`redisProxies`). */
  readonly cuttableRedis?: boolean;
  /** Route each node's PostgreSQL traffic through a proxy of its own that the test can cut (`databaseProxies`). */
  readonly cuttableDatabase?: boolean;
  /** Extra environment for a process node. */
  readonly env?: Record<string, string>;
}

export class Cluster {
  readonly runId = randomBytes(6).toString('hex');
  readonly schema = `quire_cluster_${this.runId}`;
  readonly redisPrefix = `quire-cluster-${this.runId}:`;
  readonly processes: ServerProcess[] = [];
  readonly inProcess: InProcessNode[] = [];
  /** Proxies between process nodes and Redis, by node name (nodes started with `cuttableRedis`). */
  readonly redisProxies = new Map<string, TcpCutProxy>();
  /** Proxies between process nodes and PostgreSQL, by node name (nodes started with `cuttableDatabase`). */
  readonly databaseProxies = new Map<string, TcpCutProxy>();
  private readonly providers = new Set<DocProvider>();
  private readonly docs = new Set<Y.Doc>();
  private readonly stores = new Set<PostgresDocStore>();
  private closed = false;

  /** Starts process nodes named `names`, in parallel. */
  async startProcesses(names: readonly string[], options: StartOptions = {}): Promise<ServerProcess[]> {
    const started = await Promise.allSettled(
      names.map(async (name) => ServerProcess.start({ name, entry: NODE_ENTRY, dataDir: NO_DATA_DIR, env: await this.nodeEnv(name, options), timeoutMs: 90_000 })),
    );
    const nodes: ServerProcess[] = [];
    for (const result of started) if (result.status === 'fulfilled') nodes.push(result.value);
    this.processes.push(...nodes);
    const failure = started.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    return nodes;
  }

  /**
   * Starts a server in this process on the cluster's store and bus. `wrapStore` may put a
   * fault-injection store (test/support/failing-doc-store.ts) between the node and PostgreSQL.
   */
  async startInProcess(name: string, options: Partial<QuireServerOptions> = {}, wrapStore: (store: DocStore) => DocStore = (store) => store): Promise<InProcessNode> {
    const store = await PostgresDocStore.open(DATABASE_URL, { schema: this.schema, maxConnections: 4 });
    let bus: RedisRoomBus;
    try {
      bus = await RedisRoomBus.open(REDIS_URL, { channelPrefix: this.redisPrefix, nodeId: `${this.runId}-${name}` });
    } catch (error) {
      await store.close();
      throw error;
    }
    const { pubClient, subClient } = await bus.openAdapterClients();
    const adapter = createAdapter(pubClient, subClient, { key: `${this.redisPrefix}socket.io` });
    const server = createQuireServer({ host: '127.0.0.1', port: 0, logLevel: 'silent', ...options, store: wrapStore(store), bus, adapter });
    const { url } = await server.listen();
    const node: InProcessNode = { name, url, server, bus };
    this.inProcess.push(node);
    return node;
  }

  /**
   * A provider for `docName` on the node at `url`, over WebSocket with quick reconnection. `doc`
   * defaults to a new Y.Doc; pass an existing one to move a client to another node.
   */
  provider(url: string, docName: string, doc: Y.Doc = new Y.Doc(), options: DocProviderOptions = {}): DocProvider {
    this.docs.add(doc);
    const provider = new DocProvider(url, docName, doc, { transports: ['websocket'], reconnectDelayMs: 100, reconnectDelayMaxMs: 500, ...options });
    this.providers.add(provider);
    return provider;
  }

  /** A store on the cluster's schema, opened from this process (closed with the cluster). */
  async openStore(): Promise<PostgresDocStore> {
    const store = await PostgresDocStore.open(DATABASE_URL, { schema: this.schema, maxConnections: 4 });
    this.stores.add(store);
    return store;
  }

  /** Creates an empty document in the cluster's store (as the API does) and returns its name. */
  async createDoc(): Promise<string> {
    const docName = newDocId();
    const store = await this.openStore();
    const empty = new Y.Doc();
    try {
      await store.append([{ docName, update: Y.encodeStateAsUpdate(empty) }]);
    } finally {
      empty.destroy();
      this.stores.delete(store);
      await store.close();
    }
    return docName;
  }

  /** The document as PostgreSQL holds it now, in a new Y.Doc (destroyed with the cluster). */
  async storedDoc(docName: string): Promise<Y.Doc> {
    const store = await this.openStore();
    try {
      const stored = await store.load(docName);
      const doc = new Y.Doc();
      this.docs.add(doc);
      if (stored !== null) Y.applyUpdate(doc, stored.update);
      return doc;
    } finally {
      this.stores.delete(store);
      await store.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const provider of this.providers) provider.destroy();
    const failures: unknown[] = [];
    const settle = async (work: Promise<unknown>): Promise<void> => {
      try {
        await work;
      } catch (error) {
        failures.push(error);
      }
    };
    await Promise.all([
      ...this.processes.map((node) => settle(node.stop())),
      ...this.inProcess.map((node) => settle(node.server.close())),
    ]);
    await Promise.all([...this.stores].map((store) => settle(store.close())));
    await Promise.all([...this.redisProxies.values(), ...this.databaseProxies.values()].map((proxy) => settle(proxy.close())));
    for (const doc of this.docs) doc.destroy();
    await settle(dropSchema(this.schema));
    if (failures.length > 0) throw new AggregateError(failures, 'Closing the cluster failed.');
  }

  private async nodeEnv(name: string, options: StartOptions): Promise<Record<string, string>> {
    const redisUrl = options.cuttableRedis ? await this.proxied(REDIS_URL, 6379, name, this.redisProxies) : REDIS_URL;
    const databaseUrl = options.cuttableDatabase ? await this.proxied(DATABASE_URL, 5432, name, this.databaseProxies) : DATABASE_URL;
    return {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      QUIRE_PG_SCHEMA: this.schema,
      QUIRE_REDIS_PREFIX: this.redisPrefix,
      ...options.env,
    };
  }

  /** `url` rewritten to go through a new cuttable proxy, registered under `name`. */
  private async proxied(url: string, defaultPort: number, name: string, proxies: Map<string, TcpCutProxy>): Promise<string> {
    const target = new URL(url);
    const proxy = await TcpCutProxy.start({ host: target.hostname, port: Number(target.port || defaultPort) });
    proxies.set(name, proxy);
    target.hostname = '127.0.0.1';
    target.port = String(proxy.port);
    return target.toString();
  }
}

/** Drops a PostgreSQL schema and everything in it (a test's own, after the test). */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * A cluster for the enclosing `describe`: `setup` adds its nodes before the suite's tests (allow
 * for slow starts), and everything is closed after them.
 */
export function useCluster(setup: (cluster: Cluster) => Promise<unknown>): () => Cluster {
  let cluster: Cluster | null = null;
  before(async () => {
    cluster = createCluster();
    await setup(cluster);
  }, { timeout: 120_000 });
  after(async () => {
    await cluster?.close();
  }, { timeout: 60_000 });
  return () => {
    if (cluster === null) throw new Error('The cluster is not running: use it inside a test of the suite that called useCluster().');
    return cluster;
  };
}

/** Starts an empty cluster; the caller adds nodes and must `close()` it. */
export function createCluster(): Cluster {
  return new Cluster();
}

/** The text of a provider's or doc's Y.Text `t`. */
export function textOf(doc: Y.Doc, name = 't'): string {
  return doc.getText(name).toString();
}


/** GET `path` on a node; resolves with the status and parsed JSON body. */
export async function getJson(url: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url + path, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, body };
}
