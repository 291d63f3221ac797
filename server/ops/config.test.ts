/**
 * loadConfig: defaults, validation with messages a person can act on, every problem reported at
 * once, and command-line overrides winning over the environment.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../shared/limits.js';
import { ConfigError, loadConfig } from './config.js';

/** The problems loadConfig reports for `env` (fails when it reports none). */
function problemsOf(env: Record<string, string>, overrides: Record<string, string> = {}): string[] {
  try {
    loadConfig(env, overrides);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `a ConfigError, not ${String(error)}`);
    assert.match(error.message, /^Quire cannot start; the configuration has/);
    for (const problem of error.problems) assert.ok(error.message.includes(problem), 'the message lists every problem');
    return [...error.problems];
  }
  assert.fail(`loadConfig accepted ${JSON.stringify(env)}`);
}

function onlyProblem(env: Record<string, string>): string {
  const problems = problemsOf(env);
  assert.equal(problems.length, 1, JSON.stringify(problems));
  return problems[0]!;
}

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.dataDir, './data');
    assert.equal(config.fsync, true);
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(config.limits, DEFAULT_LIMITS);
    assert.equal(config.databaseUrl, null);
    assert.equal(config.redisUrl, null);
    assert.equal(config.adminToken, null);
    assert.equal(config.allowedOrigins, null);
    assert.equal(config.maxConnectionsPerAddress, 64);
    assert.equal(config.joinTimeoutMs, 10_000);
  });

  it('reads valid values, ignoring surrounding spaces and empty variables', () => {
    const config = loadConfig({
      PORT: ' 8080 ',
      HOST: '0.0.0.0',
      DATA_DIR: '/var/lib/quire',
      FSYNC: 'off',
      LOG_LEVEL: 'debug',
      MAX_UPDATE_BYTES: '4096',
      DATABASE_URL: 'postgres://root@127.0.0.1:5432/test',
      REDIS_URL: 'redis://127.0.0.1:6379',
      ADMIN_TOKEN: 'a-long-enough-admin-token',
      ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080 ,',
      JOIN_TIMEOUT_MS: '0',
      MAX_CONNECTIONS_PER_ADDRESS: '',
    });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.fsync, false);
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.limits.maxUpdateBytes, 4096);
    assert.equal(config.databaseUrl, 'postgres://root@127.0.0.1:5432/test');
    assert.equal(config.redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(config.adminToken, 'a-long-enough-admin-token');
    assert.deepEqual(config.allowedOrigins, ['https://a.example', 'http://b.example:8080']);
    assert.equal(config.joinTimeoutMs, 0);
    assert.equal(config.maxConnectionsPerAddress, 64);
    assert.deepEqual(loadConfig({ ALLOWED_ORIGINS: '*' }).allowedOrigins, ['*']);
    assert.equal(loadConfig({ DATABASE_URL: 'postgresql://h/db' }).databaseUrl, 'postgresql://h/db');
    assert.equal(loadConfig({ REDIS_URL: 'rediss://h:6380' }).redisUrl, 'rediss://h:6380');
  });

  it('refuses a bad PORT, saying what it must be and what it is', () => {
    for (const port of ['abc', '-1', '65536', '3000.5', '0x50', '80 80']) {
      const problem = onlyProblem({ PORT: port });
      assert.match(problem, /^PORT must be a whole number from 0 to 65535/, problem);
      assert.ok(problem.includes(`"${port}"`), problem);
    }
  });

  it('refuses a bad LOG_LEVEL, listing the levels', () => {
    const problem = onlyProblem({ LOG_LEVEL: 'loud' });
    assert.match(problem, /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; it is "loud"\.$/);
  });

  it('refuses a malformed DATABASE_URL or REDIS_URL, and the wrong scheme, without echoing secrets', () => {
    assert.equal(onlyProblem({ DATABASE_URL: 'not a url' }), 'DATABASE_URL is not a valid URL.');
    assert.equal(onlyProblem({ REDIS_URL: '://nothing' }), 'REDIS_URL is not a valid URL.');
    const scheme = onlyProblem({ DATABASE_URL: 'mysql://user:s3cret@db.example/quire' });
    assert.match(scheme, /^DATABASE_URL must start with postgres:\/\/ or postgresql:\/\/; it starts with mysql:\/\/\.$/);
    assert.ok(!scheme.includes('s3cret'));
    assert.match(onlyProblem({ REDIS_URL: 'http://127.0.0.1:6379' }), /^REDIS_URL must start with redis:\/\/ or rediss:\/\//);
    const malformedSecret = problemsOf({ DATABASE_URL: 'postgres://user:p@ss word@host:notaport/db' });
    assert.ok(!malformedSecret.join(' ').includes('p@ss'), 'a malformed URL is not echoed either');
  });

  it('refuses ALLOWED_ORIGINS entries that are not bare origins', () => {
    for (const origin of ['https://ok.example/path', 'ok.example', 'https://ok.example/', 'https://user@ok.example', 'https://ok.example?x=1']) {
      const problem = onlyProblem({ ALLOWED_ORIGINS: `https://fine.example,${origin}` });
      assert.match(problem, /^ALLOWED_ORIGINS entries must be origins like https:\/\/docs\.example\.com/, problem);
      assert.ok(problem.includes(`"${origin}"`), problem);
    }
  });

  it('refuses other bad values: FSYNC, a short ADMIN_TOKEN, limits out of range', () => {
    assert.match(onlyProblem({ FSYNC: 'maybe' }), /^FSYNC must be true or false; it is "maybe"\.$/);
    assert.match(onlyProblem({ ADMIN_TOKEN: 'short' }), /^ADMIN_TOKEN must be at least 16 characters long\.$/);
    assert.match(onlyProblem({ MAX_UPDATE_BYTES: '10' }), /^MAX_UPDATE_BYTES must be a whole number from 1024/);
    assert.match(onlyProblem({ MAX_CONNECTIONS_PER_ADDRESS: '0' }), /^MAX_CONNECTIONS_PER_ADDRESS must be a whole number from 1/);
    assert.match(onlyProblem({ QUIRE_PG_SCHEMA: 'Robert"; drop table' }), /^QUIRE_PG_SCHEMA must be a lower-case SQL identifier/);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({ PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'nope', REDIS_URL: 'nope', ALLOWED_ORIGINS: 'x' });
    assert.equal(problems.length, 5, JSON.stringify(problems));
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'REDIS_URL', 'ALLOWED_ORIGINS']) {
      assert.ok(problems.some((p) => p.startsWith(name)), `${name} is reported`);
    }
    assert.throws(
      () => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud' }),
      (error: Error) => /has 2 problems:\n {2}- \S.*\n {2}- \S/.test(error.message) && !error.message.endsWith('\n'),
    );
  });

  it('lets overrides (command-line flags) win over the environment', () => {
    const env = { PORT: '1111', HOST: '10.0.0.1', DATA_DIR: '/from/env' };
    const config = loadConfig(env, { PORT: '2222', DATA_DIR: '/from/flag' });
    assert.equal(config.port, 2222);
    assert.equal(config.dataDir, '/from/flag');
    assert.equal(config.host, '10.0.0.1', 'what is not overridden comes from the environment');
    // A bad environment value that a flag overrides is no problem; a bad flag is.
    assert.equal(loadConfig({ PORT: 'abc' }, { PORT: '3333' }).port, 3333);
    const problems = problemsOf({ PORT: '3000' }, { PORT: 'nope' });
    assert.deepEqual(problems, ['PORT must be a whole number from 0 to 65535; it is "nope".']);
  });
});
