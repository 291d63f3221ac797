/**
 * Runs the real Quire server as a child process for the browser tests: its own temp data dir,
 * 127.0.0.1 only, a port the OS chose, and a kill -9 / restart on the same port and data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is e2e/support/server.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const OUTPUT_TAIL_CHARS = 8_000;
const LISTENING = /listening on (http:\/\/[^\s]+?):(\d+)/;

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Kills the server with SIGKILL (no flush, no goodbye) and waits until the process is gone. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data dir; resolves once it listens. */
  restart(): Promise<void>;
  /** The last few thousand characters the server printed, for failure messages. */
  output(): string;
  /** Kills the server if it runs and removes its data dir. Safe to call more than once. */
  close(): Promise<void>;
}

/** Fails with a clear message when the browser bundle has not been built. */
export function assertClientBuilt(): void {
  const page = join(REPO_ROOT, 'dist', 'public', 'editor.html');
  if (!existsSync(page)) {
    throw new Error(`${page} is missing: run npm run build before the browser tests.`);
  }
}

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

/**
 * Starts `node --import tsx server/main.ts` with PORT, HOST=127.0.0.1 and a fresh DATA_DIR.
 * The child is killed when this process exits, whatever happens to the test.
 */
export async function startServer(): Promise<TestServer> {
  assertClientBuilt();
  const dataDir = await mkdtemp(join(tmpdir(), 'quire-e2e-'));
  let tail = '';
  let running: Running | null = null;
  let port = 0;
  let closed = false;

  const record = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  const killOnExit = (): void => {
    running?.child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const launch = (): Promise<void> => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir };
    // The browser tests run the default single-process mode (LevelDB), whatever the shell has set.
    delete env.REDIS_URL;
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    running = { child, exited };
    child.stderr.on('data', record);
    return new Promise<void>((resolve, reject) => {
      let stdoutBuffer = '';
      let listening = false;
      const timer = setTimeout(() => {
        fail(new Error(`The server did not print "listening on http://" within ${START_TIMEOUT_MS} ms.`));
      }, START_TIMEOUT_MS);
      const onData = (chunk: Buffer): void => {
        record(chunk);
        if (listening) return;
        stdoutBuffer = (stdoutBuffer + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
        const match = LISTENING.exec(stdoutBuffer);
        if (match === null) return;
        listening = true;
        clearTimeout(timer);
        child.off('exit', onExit);
        port = Number(match[2]);
        resolve();
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        fail(new Error(`The server exited before listening (code ${code}, signal ${signal}).`));
      };
      const fail = (error: Error): void => {
        clearTimeout(timer);
        child.off('exit', onExit);
        child.kill('SIGKILL');
        reject(new Error(`${error.message}\n--- server output ---\n${tail}`));
      };
      child.stdout.on('data', onData);
      child.once('exit', onExit);
    });
  };

  const kill = async (): Promise<void> => {
    const current = running;
    if (current === null) return;
    if (current.child.exitCode === null && current.child.signalCode === null) current.child.kill('SIGKILL');
    await current.exited;
    running = null;
  };

  try {
    await launch();
  } catch (error) {
    await kill();
    process.off('exit', killOnExit);
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    dataDir,
    kill,
    async restart() {
      if (closed) throw new Error('This test server was closed; start a new one.');
      await kill();
      await launch();
    },
    output: () => tail,
    async close() {
      if (closed) return;
      closed = true;
      await kill();
      process.off('exit', killOnExit);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
