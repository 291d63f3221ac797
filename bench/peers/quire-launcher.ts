/**
 * Starts Quire's own server as users run it (`node dist/server/main.js`, built first) as a child
 * process, and fills a LevelDB data dir through LevelDocStore for cold loads.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelDocStore } from '../../storage/level-doc-store.js';
import type { LaunchOptions, PrepareResult, ServerHandle, ServerLauncher, StoredLayout } from './bench-client.js';
import { instrumentArgs, spawnServer } from './child-server.js';
import { PROJECT_ROOT } from './project-root.js';

/** The server as `npm start` runs it. */
export const QUIRE_SERVER_ENTRY = join(PROJECT_ROOT, 'dist', 'server', 'main.js');

/**
 * Builds the server (`npm run build`, a few seconds), so that the bench measures the sources as they
 * are now. The bench runs the built JavaScript rather than the TypeScript through a loader: the
 * loader made every start of a conversion worker cost about a second of CPU that a real server
 * does not spend, and a compaction that starts one fell into the measurements.
 */
export function buildQuire(): void {
  const built = spawnSync('npm', ['run', 'build'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' });
  if (built.status !== 0) throw new Error(`Building Quire for the bench failed (npm run build exited ${built.status ?? built.signal}).`);
}

/**
 * Every bench client connects from 127.0.0.1 and one writer sends far faster than a person types,
 * so the per-address connection cap and per-connection rate limits are lifted (the peers have none).
 */
const BENCH_LIMITS = {
  MAX_CONNECTIONS_PER_ADDRESS: '1000000',
  RATE_LIMIT_MESSAGES_PER_SECOND: '1000000',
  RATE_LIMIT_MESSAGE_BURST: '10000000',
  RATE_LIMIT_BYTES_PER_SECOND: String(2 ** 31),
  RATE_LIMIT_BYTE_BURST: String(2 ** 31),
  API_RATE_LIMIT_PER_SECOND: '1000000',
  API_RATE_LIMIT_BURST: '10000000',
};

/** Log entries written per LevelDocStore.append batch when laying out an uncompacted log. */
const APPEND_BATCH = 200;

/** Creates documents on a Quire server: ids of the form a device makes, with PUT as an offline page does. */
export async function createQuireDocs(url: string, docNames: readonly string[]): Promise<void> {
  for (const docName of docNames) {
    const response = await fetch(`${url}/api/docs/${docName}`, { method: 'PUT' });
    if (!response.ok) throw new Error(`Creating a bench document answered ${response.status}.`);
  }
}

export const quireLauncher: ServerLauncher = {
  peer: 'quire',

  async launch(options: LaunchOptions): Promise<ServerHandle> {
    // Quire always persists; without a given dir it gets a throwaway one, removed on stop.
    const ownDir = options.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'quire-bench-')) : null;
    const dataDir = options.dataDir ?? ownDir ?? '';
    try {
      const server = await spawnServer({
        command: process.execPath,
        // QUIRE_BENCH_PROFILE and QUIRE_BENCH_SEGMENTS measure the server from inside (instrumentArgs).
        args: [...instrumentArgs(), QUIRE_SERVER_ENTRY],
        env: { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...BENCH_LIMITS },
        cwd: PROJECT_ROOT,
        readyPattern: /listening on (http:\/\/[\d.]+:\d+)/,
        label: 'Quire server',
      });
      const url = server.ready[1];
      if (url === undefined) throw new Error('The Quire server did not print its URL.');
      return {
        peer: 'quire',
        urls: [url],
        pids: [server.pid],
        description: 'dist/server/main.js (built by the bench), LevelDB in a temp dir, FSYNC default (on), LOG_LEVEL=warn, per-address connection cap and rate limits lifted',
        createDocs: (docNames) => createQuireDocs(url, docNames),
        async stop(): Promise<void> {
          await server.stop();
          if (ownDir !== null) await rm(ownDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      if (ownDir !== null) await rm(ownDir, { recursive: true, force: true });
      throw error;
    }
  },

  async prepareStoredDoc(dataDir: string, docNames: readonly string[], records: readonly Uint8Array[], layout: StoredLayout): Promise<PrepareResult> {
    const store = await LevelDocStore.open(dataDir);
    try {
      for (const docName of docNames) {
        for (let first = 0; first < records.length; first += APPEND_BATCH) {
          await store.append(records.slice(first, first + APPEND_BATCH).map((update) => ({ docName, update })));
        }
        if (layout === 'compacted') await store.compact(docName);
      }
    } finally {
      await store.close();
    }
    return {
      supported: true,
      what:
        layout === 'compacted'
          ? 'LevelDocStore snapshot (the whole doc appended, then compacted)'
          : `LevelDocStore log of ${records.length} entries, no snapshot`,
    };
  },
};
