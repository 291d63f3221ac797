/**
 * Spawns a server as a child process, waits for the line that says it listens, and stops it again.
 * Each server gets its own process so that its CPU time and RSS can be read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';

export interface ChildServer {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The first match of the ready pattern (its capture groups included). */
  readonly ready: RegExpExecArray;
  /** Sends SIGTERM, waits for exit, and SIGKILLs after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnServerOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Matched against stdout and stderr line by line; the server is ready when a line matches. */
  readonly readyPattern: RegExp;
  readonly label: string;
  readonly timeoutMs?: number;
}

/** Keeps the last lines a child printed, so a failure can say what the server said. */
function tail(lines: string[], line: string): void {
  lines.push(line);
  if (lines.length > 40) lines.shift();
}

export async function spawnServer(options: SpawnServerOptions): Promise<ChildServer> {
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let exited = false;
  const exitPromise = once(child, 'exit').then(() => {
    exited = true;
  });
  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${options.label} did not report listening within ${options.timeoutMs ?? 30_000} ms. Output:\n${output.join('\n')}`));
    }, options.timeoutMs ?? 30_000);
    const lineReader = (): ((chunk: Buffer) => void) => {
      let partial = '';
      return (chunk) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          tail(output, line);
          const match = options.readyPattern.exec(line);
          if (match !== null) {
            clearTimeout(timer);
            resolve(match);
          }
        }
      };
    };
    // Reading both pipes for the whole life of the child also keeps a chatty server from blocking.
    child.stdout?.on('data', lineReader());
    child.stderr?.on('data', lineReader());
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.label} exited (code ${code}, signal ${signal}) before listening. Output:\n${output.join('\n')}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  }).catch(async (error: unknown) => {
    if (!exited) child.kill('SIGKILL');
    await exitPromise;
    throw error;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.label} has no process id.`);
  return {
    child,
    pid,
    ready,
    async stop(graceMs = 5_000): Promise<void> {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, graceMs);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

/** A TCP port that was free a moment ago, for servers that cannot listen on port 0 and report it. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('Could not find a free port.');
  return address.port;
}
