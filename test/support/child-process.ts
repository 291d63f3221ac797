/**
 * The one way tests and the bench start a server as a child process: spawn it, keep what it
 * prints (for failure messages), wait for the line that says it is ready, and stop it again
 * (SIGTERM with a grace period, or SIGKILL at once). A child is killed when this process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** Added to this process's environment; a value of `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Named in failure messages ("Quire server", "node b"). */
  readonly label: string;
}

const OUTPUT_LIMIT = 64 * 1024;

export class ChildServer {
  readonly label: string;
  readonly exited: Promise<ChildExit>;
  private readonly child: ChildProcess;
  private exitStatus: ChildExit | null = null;
  private text = '';
  private readonly listeners = new Set<() => void>();
  private readonly killOnExit = (): void => {
    this.child.kill('SIGKILL');
  };

  private constructor(child: ChildProcess, label: string) {
    this.child = child;
    this.label = label;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        process.off('exit', this.killOnExit);
        resolve(this.exitStatus);
        this.wake();
      });
    });
    const record = (chunk: Buffer): void => {
      this.text = (this.text + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
      this.wake();
    };
    // Reading both pipes for the whole life of the child also keeps a chatty server from blocking.
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    process.on('exit', this.killOnExit);
  }

  static spawn(options: SpawnOptions): ChildServer {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    const child = spawn(options.command, [...options.args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new ChildServer(child, options.label);
  }

  /** What the child printed (stdout and stderr interleaved; the last 64 KiB). */
  get output(): string {
    return this.text;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitStatus === null;
  }

  /** How the child ended, or null while it runs. */
  get exit(): ChildExit | null {
    return this.exitStatus;
  }

  /**
   * Resolves with the first match of `pattern` in the output. Rejects, killing the child, when it
   * exits first or nothing matches within `timeoutMs`.
   */
  async waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.text);
      if (match !== null) return match;
      const problem = this.exitStatus !== null
        ? `exited (code ${this.exitStatus.code}, signal ${this.exitStatus.signal}) before printing ${pattern}`
        : Date.now() >= deadline ? `did not print ${pattern} within ${timeoutMs} ms` : null;
      if (problem !== null) {
        this.kill('SIGKILL');
        throw new Error(`${this.label} ${problem}.\n--- output of ${this.label} ---\n${this.text}`);
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.listeners.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, Math.min(100, deadline - Date.now())));
        this.listeners.add(wake);
      });
    }
  }

  /** Sends a signal if the child still runs; `await exited` to see it gone. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.exitStatus === null) this.child.kill(signal);
  }

  /** Resolves with how the child ended; rejects when it still runs after `timeoutMs`. */
  async waitForExit(timeoutMs = 15_000): Promise<ChildExit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.label} did not exit within ${timeoutMs} ms.\n--- output ---\n${this.text}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM (a clean shutdown), then SIGKILL after `graceMs`; resolves once the child is gone. */
  async stop(graceMs = 8000): Promise<ChildExit> {
    if (this.exitStatus !== null) return this.exitStatus;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private wake(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (bound on port 0, then released). */
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
