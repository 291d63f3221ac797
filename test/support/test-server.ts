/**
 * The real server in this process, for integration tests: on a free port of 127.0.0.1, with
 * LevelDB in a temp dir (or a given store), and real providers connected to it. Everything
 * opened here is closed by `close()`; `useTestServer()` registers that with the test runner.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import * as Y from 'yjs';
import { DocProvider, type DocProviderOptions } from '../../client/provider.js';
import { newDocId } from '../../shared/doc-id.js';
import { openQuireServer, type OpenQuireServerOptions, type QuireServer } from '../../server/quire-server.js';
import { TimerTracker } from './timer-tracker.js';

export interface TestServer {
  readonly server: QuireServer;
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Creates an empty document (as the API does) and returns its name. */
  createDoc(): Promise<string>;
  /** Starts a provider on a new Y.Doc (over WebSocket, quick to reconnect); closed with the server. */
  provider(docName: string, options?: DocProviderOptions): DocProvider;
  /** Stops the server (keeping the data dir), for restart tests. */
  stop(): Promise<void>;
  /** Starts a new server on the same data dir and port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function makeTempDir(prefix = 'quire-test-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/**
 * Starts a server. Without `store` it opens LevelDB (fsync off) in `dataDir`, or in a temp dir
 * of its own that `close()` removes. A given store is closed with the server, so such a server
 * cannot `restart()`.
 */
export async function startTestServer(options: OpenQuireServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await makeTempDir());
  const providers = new Set<DocProvider>();
  const open = (port: number) =>
    openQuireServer({ host: '127.0.0.1', logLevel: 'silent', fsync: false, ...options, port, dataDir });
  let server = await open(0);
  const { url, port } = await server.listen();
  let running = true;
  const handle: TestServer = {
    get server() {
      return server;
    },
    url,
    port,
    dataDir,
    async createDoc() {
      const docName = newDocId();
      const empty = new Y.Doc();
      await server.store.append([{ docName, update: Y.encodeStateAsUpdate(empty) }]);
      empty.destroy();
      return docName;
    },
    provider(docName, providerOptions) {
      const provider = new DocProvider(url, docName, new Y.Doc(), { transports: ['websocket'], reconnectDelayMs: 100, reconnectDelayMaxMs: 500, ...providerOptions });
      providers.add(provider);
      return provider;
    },
    async stop() {
      if (running) await server.close();
      running = false;
    },
    async restart() {
      if (options.store !== undefined) throw new Error('A test server on a given store cannot restart: the store closes with it.');
      await handle.stop();
      server = await open(port);
      await server.listen();
      running = true;
    },
    async close() {
      for (const provider of providers) provider.destroy();
      await handle.stop();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

export interface UseTestServerOptions {
  /**
   * Track every timer created while the suite runs, and fail after the server and its providers
   * closed if any is still pending (restarts race joins and loads; nothing may be left running).
   */
  readonly assertTimersSettled?: boolean;
}

/**
 * A server for the enclosing `describe`: started before its tests, closed after them. Returns a
 * getter, since the server exists only once the suite runs.
 */
export function useTestServer(
  options: OpenQuireServerOptions | (() => Promise<OpenQuireServerOptions>) = {},
  { assertTimersSettled = false }: UseTestServerOptions = {},
): () => TestServer {
  let current: TestServer | null = null;
  const timers = assertTimersSettled ? new TimerTracker() : null;
  before(async () => {
    timers?.enable();
    current = await startTestServer(typeof options === 'function' ? await options() : options);
  });
  after(async () => {
    await current?.close();
    current = null;
    if (timers === null) return;
    try {
      await timers.assertSettled('after the server and every provider were closed');
    } finally {
      timers.disable();
    }
  });
  return () => {
    if (current === null) throw new Error('The test server is not running: use it inside a test of the suite that called useTestServer().');
    return current;
  };
}
