/** Starts bench/peers/hocuspocus-server.ts as a child process and stores documents for it. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as Y from 'yjs';
import type { LaunchOptions, PrepareResult, ServerHandle, ServerLauncher, StoredLayout } from './bench-client.js';
import { instrumentArgs, spawnServer } from './child-server.js';
import { PROJECT_ROOT } from './project-root.js';

export const hocuspocusLauncher: ServerLauncher = {
  peer: 'hocuspocus',

  async launch(options: LaunchOptions): Promise<ServerHandle> {
    const env: Record<string, string> = { HOST: '127.0.0.1', PORT: '0', NODE_ENV: 'production' };
    if (options.dataDir !== undefined) env.BENCH_BLOB_DIR = options.dataDir;
    const server = await spawnServer({
      command: process.execPath,
      args: [...instrumentArgs(true), '--import', 'tsx', join(PROJECT_ROOT, 'bench', 'peers', 'hocuspocus-server.ts')],
      env,
      cwd: PROJECT_ROOT,
      readyPattern: /listening on (http:\/\/[\d.]+:\d+)/,
      label: 'Hocuspocus server',
    });
    const url = server.ready[1];
    if (url === undefined) throw new Error('The Hocuspocus server did not print its URL.');
    return {
      peer: 'hocuspocus',
      urls: [url],
      pids: [server.pid],
      description:
        '@hocuspocus/server 3.4.4 defaults' +
        (options.dataDir === undefined ? ' (in memory, no extensions)' : ' + onLoadDocument reading one full-state blob per doc'),
      stop: () => server.stop(),
    };
  },

  async prepareStoredDoc(dataDir: string, docNames: readonly string[], records: readonly Uint8Array[], layout: StoredLayout): Promise<PrepareResult> {
    if (layout === 'log') {
      return {
        supported: false,
        reason: 'Hocuspocus persistence (extension-database) stores one full-state blob per document; it has no update log',
      };
    }
    await mkdir(dataDir, { recursive: true });
    const blob = records.length === 1 && records[0] !== undefined ? records[0] : Y.mergeUpdates([...records]);
    for (const docName of docNames) await writeFile(join(dataDir, `${docName}.bin`), blob);
    return { supported: true, what: 'onLoadDocument reads the whole doc as one blob from a file (as extension-database fetch)' };
  },
};
