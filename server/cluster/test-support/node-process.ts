/**
 * One Quire node as a child process (`node --import tsx <entry>`), for cluster tests that kill
 * nodes or cut them off. It listens on a port of its own choosing (PORT=0) and reports the URL it
 * printed. Output is kept for failure messages. `stop()` must be called for every node started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LISTENING = /listening on (http:\/\/[0-9A-Za-z.:[\]-]+)/;

/**
 * The entry point the nodes run, given DATABASE_URL, REDIS_URL, QUIRE_PG_SCHEMA and
 * QUIRE_REDIS_PREFIX: the real `npm start` entry. QUIRE_CLUSTER_ENTRY overrides it.
 */
export const NODE_ENTRY = process.env.QUIRE_CLUSTER_ENTRY ?? 'server/main.ts';

export interface NodeExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class NodeProcess {
  readonly name: string;
  readonly url: string;
  private readonly child: ChildProcess;
  private readonly exitPromise: Promise<NodeExit>;
  private exit: NodeExit | null = null;
  private output: string;

  private constructor(name: string, child: ChildProcess, url: string, output: string, exited: Promise<NodeExit>) {
    this.name = name;
    this.child = child;
    this.url = url;
    this.output = output;
    this.exitPromise = exited.then((result) => (this.exit = result));
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
  }

  /** Starts a node and resolves once it printed its URL; rejects (killing it) when it exits first or takes too long. */
  static async start(name: string, env: Record<string, string>, timeoutMs = 90_000): Promise<NodeProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', NODE_ENTRY], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<NodeExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`Node ${name} did not report listening within ${timeoutMs} ms.`)), timeoutMs);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        const match = LISTENING.exec(output);
        if (match?.[1] !== undefined) {
          cleanup();
          resolve(match[1]);
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        fail(new Error(`Node ${name} exited before listening (code ${code}, signal ${signal}).`));
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
        error.message += `\nOutput of ${name}:\n${output}`;
        reject(error);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', onExit);
    });
    return new NodeProcess(name, child, url, output, exited);
  }

  /** Everything the node printed so far. */
  get log(): string {
    return this.output;
  }

  /** True while the process runs. */
  get alive(): boolean {
    return this.exit === null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** How the process ended, or null while it runs. */
  get exitStatus(): NodeExit | null {
    return this.exit;
  }

  /** `kill -9`: resolves once the process is gone. */
  async kill9(): Promise<NodeExit> {
    if (this.alive) this.child.kill('SIGKILL');
    return this.exitPromise;
  }

  /** SIGTERM (a clean shutdown), then SIGKILL after `graceMs`; resolves once it is gone. */
  async stop(graceMs = 8000): Promise<NodeExit> {
    if (!this.alive) return this.exitPromise;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exitPromise;
    } finally {
      clearTimeout(timer);
    }
  }
}
