/**
 * The server as a child process (`node --import tsx server/main.ts`), for tests that kill it:
 * `kill -9` at any moment, or SIGTERM for a clean shutdown. Output is kept for failure messages.
 * `stop()` (or `kill`) must be called for every started process; the test's `after` hook should
 * call `ensureStopped()` so a failing test never leaves a server running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LISTENING = /listening on (http:\/\/\S+)/;

/** A port that was free a moment ago on 127.0.0.1 (bound on port 0, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('Could not find a free port.'))));
    });
  });
}

export interface ExitResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class ServerProcess {
  readonly url: string;
  readonly port: number;
  private readonly child: ChildProcess;
  private readonly exited: Promise<ExitResult>;
  private output: string;

  private constructor(child: ChildProcess, url: string, port: number, output: { text: string }, exited: Promise<ExitResult>) {
    this.child = child;
    this.url = url;
    this.port = port;
    this.exited = exited;
    this.output = output.text;
    // Keep collecting what it prints, for failure messages.
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
  }

  /**
   * Starts the server on a free port with LevelDB in `dataDir`, and resolves once it printed
   * that it is listening. Rejects (and kills it) when it exits first or takes over `timeoutMs`.
   */
  static async start(dataDir: string, extraEnv: Record<string, string> = {}, timeoutMs = 20_000): Promise<ServerProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<ExitResult>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const output = { text: '' };
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`The server did not report listening within ${timeoutMs} ms.`)), timeoutMs);
      const onData = (chunk: Buffer): void => {
        output.text += chunk.toString('utf8');
        const match = LISTENING.exec(output.text);
        if (match?.[1] !== undefined) {
          cleanup();
          resolve(match[1]);
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        fail(new Error(`The server exited before listening (code ${code}, signal ${signal}).`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        child.off('exit', onExit);
      };
      const fail = (error: Error): void => {
        cleanup();
        child.kill('SIGKILL');
        error.message += `\nServer output:\n${output.text}`;
        reject(error);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', onExit);
    });
    return new ServerProcess(child, url, port, output, exited);
  }

  /** Everything the process printed so far (stdout and stderr interleaved). */
  get log(): string {
    return this.output;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends a signal (SIGKILL is `kill -9`); resolve with `waitForExit`. */
  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  /** Resolves with how the process ended; rejects when it is still running after `timeoutMs`. */
  async waitForExit(timeoutMs = 15_000): Promise<ExitResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`The server did not exit within ${timeoutMs} ms.\nServer output:\n${this.output}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process with SIGKILL if it still runs, and waits for it to be gone. */
  async ensureStopped(): Promise<void> {
    this.kill('SIGKILL');
    await this.exited;
  }
}
