/**
 * `node --import tsx server/main.ts` as a person runs it: flags, a clean start that serves
 * /healthz, a clean SIGTERM, and clear failures (exit 2 for configuration, exit 1 for backends
 * that cannot be opened), each bounded in time.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { ChildServer, freePort, type ChildExit } from '../support/child-process.js';
import { http, jsonOf } from '../support/http.js';
import { LISTENING, REPO_ROOT, serverEnv } from '../support/server-process.js';
import { makeTempDir } from '../support/test-server.js';

interface Run {
  readonly child: ChildServer;
  readonly started: number;
}

const running = new Set<ChildServer>();

/** `quire <args>` as a person runs it, with no Quire setting from this shell but `env`. */
function cli(args: string[], env: Record<string, string> = {}): Run {
  const child = ChildServer.spawn({ command: process.execPath, args: ['--import', 'tsx', 'server/main.ts', ...args], cwd: REPO_ROOT, env: serverEnv(env), label: 'quire' });
  running.add(child);
  return { child, started: Date.now() };
}

/** The URL it printed once listening. */
async function listening(run: Run): Promise<string> {
  const match = await run.child.waitForOutput(LISTENING, 60_000);
  return `${match[1]}:${match[2]}`;
}

/** How it ended, with what it printed and when (ms after it was started). */
async function exited(run: Run, timeoutMs = 60_000): Promise<ChildExit & { output: string; ms: number }> {
  const exit = await run.child.waitForExit(timeoutMs);
  return { ...exit, output: run.child.output, ms: Date.now() - run.started };
}

after(async () => {
  for (const child of running) child.kill('SIGKILL');
  await Promise.all([...running].map((child) => child.exited));
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
    const url = await listening(server);
    assert.equal(url, `http://127.0.0.1:${port}`);
    assert.ok(server.child.output.includes(dataDir), `it says where the data is: ${server.child.output}`);
    const health = await http(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(jsonOf(health), { status: 'ok' });
    assert.equal((await http(`${url}/readyz`)).status, 200);
    const created = await http(`${url}/api/docs`, { method: 'POST', headers: { 'content-type': 'text/markdown' }, body: '# Kept across restarts' });
    assert.equal(created.status, 201, created.text);
    const { id } = jsonOf(created) as { id: string };

    server.child.kill('SIGTERM');
    const exit = await exited(server);
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, exit.output);

    // The LevelDB lock was released and the data is there.
    const again = cli(['--port', String(port), '--data-dir', dataDir]);
    const url2 = await listening(again);
    const doc = await http(`${url2}/api/docs/${id}`);
    assert.equal(doc.status, 200, doc.text);
    assert.equal((jsonOf(doc) as { title: string }).title, 'Kept across restarts');

    // A second process on the same data dir is refused with a clear message.
    const intruder = cli(['--port', String(await freePort()), '--data-dir', dataDir]);
    const refused = await exited(intruder);
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.output, /Quire could not start: .*in use by another process/);

    again.child.kill('SIGINT');
    assert.equal((await exited(again)).code, 0);
  });

  describe('failing to start', { concurrency: true }, () => {
    it('exits 2 with every problem of a bad configuration, flags and environment alike', async () => {
      const env = { LOG_LEVEL: 'loud', REDIS_URL: 'http://127.0.0.1:6379' };
      const exit = await exited(cli(['--port', 'eighty', '--data-dir', dataDir], env));
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
      const env = { DATABASE_URL: 'postgres://quire:hunter2@127.0.0.1:1/x' };
      const [bad, exit] = await Promise.all([exited(cli(['--prot', '3000'])), exited(cli(['--port', '0', '--data-dir', dataDir], env))]);
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
