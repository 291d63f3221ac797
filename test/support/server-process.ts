/**
 * The real Quire server (`node --import tsx server/main.ts`) as a child process, for tests that
 * kill it (`kill -9` at any moment), stop it cleanly (SIGTERM), restart it on the same port and
 * data dir, or run several of it as a cluster. Single-process mode (LevelDB) unless the caller's
 * `env` names DATABASE_URL or REDIS_URL; the shell's own settings never leak in.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ChildServer, type ChildExit } from './child-process.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What the server prints once it accepts connections. */
export const LISTENING = /listening on (http:\/\/[^\s]+?):(\d+)/;
/** Quire's configuration variables: cleared before the caller's `env` is applied. */
const CONFIG_VARIABLES = /^(PORT|HOST|DATA_DIR|LOG_LEVEL|FSYNC|DATABASE_URL|REDIS_URL|ADMIN_TOKEN|METRICS_TOKEN|ALLOWED_ORIGINS|TRUST_PROXY|PUBLIC_URL|TRASH_DAYS|QUIRE_.*|MAX_.*|RATE_LIMIT_.*|API_RATE_LIMIT_.*|JOIN_TIMEOUT_MS|COMPACT_AFTER_ENTRIES)$/;

export interface ServerProcessOptions {
  /** LevelDB directory; default a temp dir of its own, removed by `close()`. */
  readonly dataDir?: string;
  /** Port; default 0 (the server picks one, and a restart keeps it). */
  readonly port?: number;
  /** Extra configuration (environment variables). */
  readonly env?: Readonly<Record<string, string>>;
  /** Command-line arguments after the entry. */
  readonly args?: readonly string[];
  /** The entry point; default server/main.ts. */
  readonly entry?: string;
  /** Named in failure messages. */
  readonly name?: string;
  /** How long starting may take. Default 30 s. */
  readonly timeoutMs?: number;
}

/** The environment a test server sees: this process's, minus every Quire setting, plus `extra`. */
export function serverEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const key of Object.keys(process.env)) if (CONFIG_VARIABLES.test(key)) env[key] = undefined;
  return { ...env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...extra };
}

export class ServerProcess {
  readonly dataDir: string;
  readonly name: string;
  private readonly options: ServerProcessOptions;
  private readonly ownsDataDir: boolean;
  private child: ChildServer;
  private currentPort: number;
  private closed = false;

  private constructor(options: ServerProcessOptions, dataDir: string, ownsDataDir: boolean, child: ChildServer, port: number) {
    this.options = options;
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.name = options.name ?? 'Quire server';
    this.child = child;
    this.currentPort = port;
  }

  /** Starts the server and resolves once it listens; rejects (and kills it) when it exits first or takes too long. */
  static async start(options: ServerProcessOptions = {}): Promise<ServerProcess> {
    const ownsDataDir = options.dataDir === undefined;
    const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'quire-server-')));
    try {
      const { child, port } = await ServerProcess.launch(options, dataDir, options.port ?? 0);
      return new ServerProcess(options, dataDir, ownsDataDir, child, port);
    } catch (error) {
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Spawns the server without waiting for it to listen: for runs expected to fail at start.
   * The caller waits with `waitForExit` or `waitForOutput`, and kills what it spawned.
   */
  static spawn(options: ServerProcessOptions & { readonly dataDir: string }): ChildServer {
    return ChildServer.spawn({
      command: process.execPath,
      args: ['--import', 'tsx', options.entry ?? 'server/main.ts', ...(options.args ?? [])],
      cwd: REPO_ROOT,
      env: serverEnv({ PORT: String(options.port ?? 0), DATA_DIR: options.dataDir, ...options.env }),
      label: options.name ?? 'Quire server',
    });
  }

  private static async launch(options: ServerProcessOptions, dataDir: string, port: number): Promise<{ child: ChildServer; port: number }> {
    const child = ServerProcess.spawn({ ...options, dataDir, port });
    const match = await child.waitForOutput(LISTENING, options.timeoutMs ?? 30_000);
    return { child, port: Number(match[2]) };
  }

  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  get url(): string {
    return `http://127.0.0.1:${this.currentPort}`;
  }

  get port(): number {
    return this.currentPort;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.alive;
  }

  /** How the current process ended, or null while it runs. */
  get exit(): ChildExit | null {
    return this.child.exit;
  }

  /** What the current process printed (the last 64 KiB). */
  get log(): string {
    return this.child.output;
  }

  /** Sends a signal (SIGKILL is `kill -9`); `waitForExit` to see it gone. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }

  /** `kill -9`: resolves once the process is gone. */
  async kill9(): Promise<ChildExit> {
    this.child.kill('SIGKILL');
    return this.child.exited;
  }

  waitForExit(timeoutMs?: number): Promise<ChildExit> {
    return this.child.waitForExit(timeoutMs);
  }

  /** SIGTERM (a clean shutdown), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<ChildExit> {
    return this.child.stop(graceMs);
  }

  /** Kills the server if it runs (`kill -9`) and starts it again on the same port and data dir. */
  async restart(): Promise<void> {
    if (this.closed) throw new Error('This server process was closed; start a new one.');
    await this.kill9();
    const { child } = await ServerProcess.launch(this.options, this.dataDir, this.currentPort);
    this.child = child;
  }

  /** Kills the server if it runs and removes the data dir it made. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.kill9();
    if (this.ownsDataDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * A server process for the enclosing `describe`: started before its tests (LevelDB in a temp dir
 * of its own), closed after them. Returns a getter, since it exists only once the suite runs.
 */
export function useServerProcess(options: ServerProcessOptions = {}): () => ServerProcess {
  let current: ServerProcess | null = null;
  before(async () => {
    current = await ServerProcess.start(options);
  });
  after(async () => {
    await current?.close();
    current = null;
  });
  return () => {
    if (current === null) throw new Error('The server process is not running: use it inside a test of the suite that called useServerProcess().');
    return current;
  };
}
