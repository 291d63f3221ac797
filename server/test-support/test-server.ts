/**
 * Helpers for integration tests: a real server on a free port with LevelDB in a temp dir, and
 * real providers. Everything opened here is closed by the returned `close()`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { DocProvider, type DocProviderOptions } from '../../client/provider.js';
import { createQuireServer, type QuireServer, type QuireServerOptions } from '../quire-server.js';

export interface TestServer {
  readonly server: QuireServer;
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Starts a provider on a new Y.Doc; closed with the server. */
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

export async function startTestServer(options: QuireServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await makeTempDir());
  const providers = new Set<DocProvider>();
  const make = (port: number) => createQuireServer({ host: '127.0.0.1', logLevel: 'silent', fsync: false, ...options, port, dataDir });
  let server = make(0);
  const { url, port } = await server.listen();
  let running = true;
  const handle: TestServer = {
    get server() {
      return server;
    },
    url,
    port,
    dataDir,
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
      await handle.stop();
      server = make(port);
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

/** Polls until `check` returns true, or fails with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A seed from SEED, or a random one; printed by the caller on failure. */
export function testSeed(): number {
  const fromEnv = process.env.SEED;
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return Number(fromEnv);
  return Math.floor(Math.random() * 2 ** 31);
}

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
