/**
 * Starts the reference y-websocket server (`@y/websocket-server` 0.1.1, its own `src/server.js`)
 * as a child process. It reads HOST and PORT, and with YPERSISTENCE set it persists every update
 * to a y-leveldb database in that directory (see its src/utils.js).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LeveldbPersistence } from 'y-leveldb';
import type { LaunchOptions, PrepareResult, ServerHandle, ServerLauncher, StoredLayout } from './bench-client.js';
import { freePort, instrumentArgs, spawnServer } from './child-server.js';
import { PROJECT_ROOT } from './project-root.js';

const require = createRequire(import.meta.url);
const serverScript = join(dirname(require.resolve('@y/websocket-server/package.json')), 'src', 'server.js');

export const yWebsocketLauncher: ServerLauncher = {
  peer: 'y-websocket',

  async launch(options: LaunchOptions): Promise<ServerHandle> {
    const host = '127.0.0.1';
    const port = await freePort();
    const env: Record<string, string> = { HOST: host, PORT: String(port) };
    if (options.dataDir !== undefined) env.YPERSISTENCE = options.dataDir;
    const server = await spawnServer({
      command: process.execPath,
      args: [...instrumentArgs(true), serverScript],
      env,
      cwd: PROJECT_ROOT,
      readyPattern: /running at '[^']*' on port (\d+)/,
      label: 'y-websocket server',
    });
    return {
      peer: 'y-websocket',
      urls: [`http://${host}:${port}`],
      pids: [server.pid],
      description:
        `@y/websocket-server 0.1.1 src/server.js` +
        (options.dataDir === undefined ? ' (in memory, no persistence)' : ' with YPERSISTENCE (y-leveldb)'),
      stop: () => server.stop(),
    };
  },

  async prepareStoredDoc(dataDir: string, docNames: readonly string[], records: readonly Uint8Array[], layout: StoredLayout): Promise<PrepareResult> {
    const persistence = new LeveldbPersistence(dataDir);
    try {
      for (const docName of docNames) {
        for (const record of records) await persistence.storeUpdate(docName, record);
      }
    } finally {
      await persistence.destroy();
    }
    return {
      supported: true,
      what:
        layout === 'compacted'
          ? 'YPERSISTENCE dir pre-filled through y-leveldb with the whole doc as one update'
          : `YPERSISTENCE dir pre-filled through y-leveldb with ${records.length} updates (y-leveldb merges them and writes the merge back when a doc has >500)`,
    };
  },
};
