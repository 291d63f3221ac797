/**
 * Starts a peer server (Quire, y-websocket, Hocuspocus) as a child process of its own, so that its
 * CPU time and RSS can be read from /proc, through the same launcher the tests use.
 */
import { ChildServer as Child, freePort } from '../../test/support/child-process.js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './project-root.js';

export { freePort };

export interface ChildServer {
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
  /** The server is ready once its output matches. */
  readonly readyPattern: RegExp;
  readonly label: string;
  readonly timeoutMs?: number;
}

export async function spawnServer(options: SpawnServerOptions): Promise<ChildServer> {
  const child = Child.spawn(options);
  const ready = await child.waitForOutput(options.readyPattern, options.timeoutMs ?? 30_000);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.label} has no process id.`);
  return {
    pid,
    ready,
    async stop(graceMs = 5_000): Promise<void> {
      await child.stop(graceMs);
    },
  };
}

/**
 * What a process started for the bench (a server, the client worker) is started with to be
 * measured from inside:
 * - QUIRE_BENCH_PROFILE=<dir>: it writes a V8 CPU profile there when it ends;
 * - QUIRE_BENCH_SEGMENTS=<dir>: it records when its sockets read and write (segments/recorder.mjs).
 * `exitOnSigterm` is for servers that do not end by themselves on SIGTERM.
 */
export function instrumentArgs(exitOnSigterm = false): string[] {
  const profileDir = process.env['QUIRE_BENCH_PROFILE'];
  const segmentsDir = process.env['QUIRE_BENCH_SEGMENTS'];
  const profiled = profileDir !== undefined && profileDir !== '';
  const segmented = segmentsDir !== undefined && segmentsDir !== '';
  if (!profiled && !segmented) return [];
  const args = exitOnSigterm ? ['--import', pathToFileURL(join(PROJECT_ROOT, 'bench', 'peers', 'exit-on-sigterm.mjs')).href] : [];
  if (segmented) args.push('--import', pathToFileURL(join(PROJECT_ROOT, 'bench', 'segments', 'recorder.mjs')).href);
  if (!profiled) return args;
  // QUIRE_BENCH_PROFILE_INTERVAL=<µs>: sample more often than V8's 1 ms (a relay's server path takes well under 1 ms).
  const interval = process.env['QUIRE_BENCH_PROFILE_INTERVAL'];
  if (interval !== undefined && interval !== '' && !/^[1-9]\d*$/.test(interval)) {
    throw new RangeError(`QUIRE_BENCH_PROFILE_INTERVAL must be a whole number of microseconds, not "${interval}".`);
  }
  const every = interval === undefined || interval === '' ? [] : [`--cpu-prof-interval=${interval}`];
  return ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, ...every, ...args];
}
