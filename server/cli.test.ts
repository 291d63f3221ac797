/**
 * `node --import tsx server/main.ts` as a person runs it: flags, a clean start that serves
 * /healthz, a clean SIGTERM, and clear failures (exit 2 for configuration, exit 1 for backends
 * that cannot be opened), each bounded in time.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { http, jsonOf } from './test-support/http.js';
import { freePort } from './test-support/server-process.js';
import { makeTempDir } from './test-support/test-server.js';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const CONFIG_VARIABLES = /^(PORT|HOST|DATA_DIR|LOG_LEVEL|FSYNC|DATABASE_URL|REDIS_URL|ADMIN_TOKEN|ALLOWED_ORIGINS|QUIRE_.*|MAX_.*|RATE_LIMIT_.*|JOIN_TIMEOUT_MS|COMPACT_AFTER_ENTRIES)$/;

/** The environment of this process without any Quire setting, plus `extra`. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!CONFIG_VARIABLES.test(key)) env[key] = value;
  return { ...env, LOG_LEVEL: 'warn', ...extra };
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
  readonly ms: number;
}

class Cli {
  readonly child: ChildProcess;
  output = '';
  readonly started = Date.now();
  readonly exited: Promise<Exit>;
  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal, output: this.output, ms: Date.now() - this.started }));
    });
  }

  /** Resolves with the URL it printed once listening; rejects if it exits first or takes too long. */
  async listening(timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const match = /listening on (http:\/\/\S+)/.exec(this.output);
      if (match?.[1] !== undefined) return match[1];
      if (exited || Date.now() > deadline) throw new Error(`The server did not start (exited: ${exited}). Output:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Waits for the exit, killing the process (and failing) after `timeoutMs`. */
  async exit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`Still running after ${timeoutMs} ms. Output:\n${this.output}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

const running = new Set<Cli>();
function cli(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Cli {
  const process = new Cli(args, env);
  running.add(process);
  return process;
}

after(async () => {
  for (const process of running) process.kill();
  await Promise.all([...running].map((p) => p.exited));
});

describe('quire command line', { concurrency: true }, () => {
  let dataDir: string;
  before(async () => {
    dataDir = await makeTempDir('quire-cli-');
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts with --port and --data-dir, serves /healthz, keeps data, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const server = cli(['--port', String(port), '--data-dir', dataDir]);
    const url = await server.listening();
    assert.equal(url, `http://127.0.0.1:${port}`);
    assert.ok(server.output.includes(dataDir), `it says where the data is: ${server.output}`);
    const health = await http(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(jsonOf(health), { status: 'ok' });
    assert.equal((await http(`${url}/readyz`)).status, 200);
    const created = await http(`${url}/api/docs`, { method: 'POST', headers: { 'content-type': 'text/markdown' }, body: '# Kept across restarts' });
    assert.equal(created.status, 201, created.text);
    const { id } = jsonOf(created) as { id: string };

    server.child.kill('SIGTERM');
    const exit = await server.exit(60_000);
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, exit.output);

    // The LevelDB lock was released and the data is there.
    const again = cli(['--port', String(port), '--data-dir', dataDir]);
    const url2 = await again.listening();
    const doc = await http(`${url2}/api/docs/${id}`);
    assert.equal(doc.status, 200, doc.text);
    assert.equal((jsonOf(doc) as { title: string }).title, 'Kept across restarts');

    // A second process on the same data dir is refused with a clear message.
    const intruder = cli(['--port', String(await freePort()), '--data-dir', dataDir]);
    const refused = await intruder.exit(60_000);
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.output, /Quire could not start: .*in use by another process/);

    again.child.kill('SIGINT');
    assert.equal((await again.exit(60_000)).code, 0);
  });

  describe('failing to start', { concurrency: true }, () => {
    it('exits 2 with every problem of a bad configuration, flags and environment alike', async () => {
      const env = cleanEnv({ LOG_LEVEL: 'loud', REDIS_URL: 'http://127.0.0.1:6379' });
      const exit = await cli(['--port', 'eighty', '--data-dir', dataDir], env).exit(60_000);
      assert.equal(exit.code, 2, exit.output);
      assert.match(exit.output, /Quire cannot start; the configuration has 3 problems:\n/);
      assert.match(exit.output, /\n {2}- PORT must be a whole number from 0 to 65535; it is "eighty"\./);
      assert.match(exit.output, /\n {2}- LOG_LEVEL must be one of /);
      assert.match(exit.output, /\n {2}- REDIS_URL must start with redis:\/\/ or rediss:\/\//);
      assert.doesNotMatch(exit.output, /\n\s+at /, 'no stack trace');
    });

    it('exits 2 with the usage for an unknown flag; exits 1 with a clear message, within 10 s, when PostgreSQL cannot be reached', async () => {
      // Both load the same modules; the first exits right after, so its run time is the start-up
      // cost on this machine now, which the PostgreSQL failure may take on top of its 10 s.
      const env = cleanEnv({ DATABASE_URL: 'postgres://quire:hunter2@127.0.0.1:1/x' });
      const [bad, exit] = await Promise.all([cli(['--prot', '3000']).exit(60_000), cli(['--port', '0', '--data-dir', dataDir], env).exit(60_000)]);
      assert.equal(bad.code, 2, bad.output);
      assert.match(bad.output, /--prot/);
      assert.match(bad.output, /Usage: quire \[--port N\]/);

      assert.equal(exit.code, 1, exit.output);
      assert.ok(exit.ms - bad.ms < 10_000, `it gave up ${exit.ms - bad.ms} ms after start-up (${exit.ms} ms in all)`);
      assert.match(exit.output, /Quire could not start: /);
      assert.match(exit.output, /ECONNREFUSED|connect|PostgreSQL/i);
      assert.doesNotMatch(exit.output, /hunter2/, 'the password is not printed');
      assert.doesNotMatch(exit.output, /listening on/);
      assert.doesNotMatch(exit.output, /\n\s+at /, 'no stack trace');
    });
  });
});
