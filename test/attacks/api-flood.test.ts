/**
 * A script that calls the JSON API without end, against a real server process: before, every
 * request was served, so one address could create documents (each a write to storage) or list
 * versions as fast as it could ask. Requests are now counted per address (a burst, then a steady
 * rate); past them the script is told `rate-limited` (429, Retry-After), other addresses and the
 * people editing are not affected, and the address is served again once it slows down.
 * The server trusts one proxy here, so that X-Forwarded-For can stand for different addresses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { AttackWatch } from '../support/attack-watch.js';
import { assertApiError, http, jsonOf } from '../support/http.js';
import { useServerProcess } from '../support/server-process.js';
import { sleep } from '../support/wait.js';
import { apiRateLimit } from '../../server/http/api-rate-limit.js';

const PER_SECOND = 5;
const BURST = 20;

function from(address: string): Record<string, string> {
  return { 'x-forwarded-for': address };
}

describe('a script flooding the API', () => {
  const server = useServerProcess({ env: { TRUST_PROXY: 'true', API_RATE_LIMIT_PER_SECOND: String(PER_SECOND), API_RATE_LIMIT_BURST: String(BURST) } });

  it('gets a burst, then rate-limited answers, while other addresses and the people editing carry on', { timeout: 60_000 }, async (t) => {
    const watch = await AttackWatch.start(t, server());
    const attacker = from('203.0.113.7');
    const started = Date.now();
    const statuses: number[] = [];
    let refusal = null;
    for (let i = 0; i < 100; i++) {
      const result = await http(`${server().url}/api/docs`, { method: 'POST', headers: attacker });
      statuses.push(result.status);
      if (result.status === 429) refusal ??= result;
    }
    const seconds = (Date.now() - started) / 1000;
    const created = statuses.filter((status) => status === 201).length;
    t.diagnostic(`${created} of 100 documents created in ${seconds.toFixed(2)} s`);
    assert.deepEqual(new Set(statuses), new Set([201, 429]), 'only documents and refusals');
    assert.ok(created >= BURST, `the burst of ${BURST} passes (${created} created)`);
    assert.ok(created <= BURST + Math.ceil(seconds * PER_SECOND) + 1, `at most the burst and the rate pass: ${created} in ${seconds.toFixed(2)} s`);
    assert.ok(refusal !== null);
    assertApiError(refusal, 429, 'rate-limited');
    assert.equal(refusal.headers.get('retry-after'), '1');

    // Another address is served as if nothing happened.
    const other = await http(`${server().url}/api/docs`, { method: 'POST', headers: from('198.51.100.2') });
    assert.equal(other.status, 201, other.text);
    assert.equal(typeof (jsonOf(other) as { id?: unknown }).id, 'string');

    // The attacker, once it waits, is served again.
    await sleep(1000 / PER_SECOND + 300);
    const again = await http(`${server().url}/api/docs`, { method: 'POST', headers: attacker });
    assert.equal(again.status, 201, again.text);

    const report = await watch.finish({ rssGrowthMb: 100 });
    t.diagnostic(JSON.stringify(report));
  });
});

describe('the API rate limit\'s memory', () => {
  it('keeps buckets for a bounded number of addresses, forgetting the oldest when none is idle', async () => {
    const app = express();
    app.set('trust proxy', 1);
    app.use(apiRateLimit({ requestsPerSecond: 0.001, burst: 1 }, 3));
    app.get('/', (_req, res) => res.json({ ok: true }));
    const listening = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listening.once('listening', resolve));
    const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}/`;
    try {
      const ask = async (address: string) => (await http(url, { headers: from(address) })).status;
      assert.equal(await ask('192.0.2.1'), 200);
      assert.equal(await ask('192.0.2.1'), 429, 'a burst of one, and a rate that refills nothing during the test');
      assert.equal(await ask('192.0.2.2'), 200);
      assert.equal(await ask('192.0.2.3'), 200);
      // A fourth address: the three buckets are all in use, so the oldest (192.0.2.1) is dropped...
      assert.equal(await ask('192.0.2.4'), 200);
      assert.equal(await ask('192.0.2.2'), 429, 'a bucket kept is still counted');
      // ...and 192.0.2.1 starts over with a fresh burst: the price of bounded memory.
      assert.equal(await ask('192.0.2.1'), 200);
    } finally {
      await new Promise((resolve) => listening.close(resolve));
    }
  });
});

describe('what the API rate limit counts', () => {
  async function serve(app: express.Express): Promise<{ url: string; close: () => Promise<void> }> {
    const listening = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listening.once('listening', resolve));
    return {
      url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}`,
      close: () => new Promise((resolve) => listening.close(() => resolve())),
    };
  }

  it('charges a tenth of a request for reading a picture, and a whole one for anything else', async () => {
    const app = express();
    app.set('trust proxy', 1);
    app.use('/api', apiRateLimit({ requestsPerSecond: 0.001, burst: 2 }));
    app.get('/api/docs/:name/blobs/:blob', (_req, res) => res.json({ picture: true }));
    app.post('/api/docs', (_req, res) => res.status(201).json({ id: 'x' }));
    const { url, close } = await serve(app);
    try {
      const headers = from('192.0.2.9');
      for (let i = 0; i < 15; i++) assert.equal((await http(`${url}/api/docs/d/blobs/b${i}`, { headers })).status, 200, `picture ${i}`);
      assert.equal((await http(`${url}/api/docs/d/blobs/b`, { method: 'HEAD', headers })).status, 200);
      // 1.6 of the burst of 2 is spent: a request that costs a whole one is refused.
      assertApiError(await http(`${url}/api/docs`, { method: 'POST', headers }), 429, 'rate-limited');
    } finally {
      await close();
    }
  });

  it('counts the addresses of one IPv6 /64 together', async () => {
    const app = express();
    app.set('trust proxy', 1);
    app.use('/api', apiRateLimit({ requestsPerSecond: 0.001, burst: 1 }));
    app.post('/api/docs', (_req, res) => res.status(201).json({ id: 'x' }));
    const { url, close } = await serve(app);
    try {
      const post = async (address: string) => (await http(`${url}/api/docs`, { method: 'POST', headers: from(address) })).status;
      assert.equal(await post('2001:db8:0:7::1'), 201);
      assert.equal(await post('2001:db8:0:7::2'), 429, 'another address of the same /64');
      assert.equal(await post('2001:db8:0:8::1'), 201, 'the next /64 is another network');
    } finally {
      await close();
    }
  });
});
