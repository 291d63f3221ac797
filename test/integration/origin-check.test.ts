/**
 * Browser origins allowed to open collaboration connections, checked on both transports with a
 * real socket.io-client sending the Origin header a browser would send. A page on another site
 * must not be able to use a visitor's browser to read or write documents.
 */
import * as singleFrameParser from '../../shared/socketio-parser/parser.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { isOriginAllowed } from '../../server/http/origin-check.js';
import { QUIRE_NAMESPACE } from '../../shared/events.js';
import { createDocument } from '../support/http.js';
import { startTestServer, useTestServer } from '../support/test-server.js';
import type { IncomingMessage } from 'node:http';

type Transport = 'polling' | 'websocket';
type Attempt = { connected: true; joined: boolean } | { connected: false; error: string };

/** Opens one socket with the given Origin (none when undefined), reports how it went, and closes it. */
async function attempt(url: string, transports: Transport[], origin: string | undefined): Promise<Attempt> {
  const socket: Socket = io(url + QUIRE_NAMESPACE, {
    transports,
    forceNew: true,
    reconnection: false,
    timeout: 5000,
    parser: singleFrameParser,
    ...(origin === undefined ? {} : { extraHeaders: { Origin: origin } }),
  });
  try {
    const outcome = await new Promise<Attempt>((resolve) => {
      socket.once('connect', () => resolve({ connected: true, joined: false }));
      socket.once('connect_error', (error: Error) => resolve({ connected: false, error: error.message }));
    });
    if (!outcome.connected) return outcome;
    // Connected for real: the namespace answers a join of a document that exists.
    const reply = (await socket.timeout(5000).emitWithAck('join', await createDocument(url), null)) as { ok?: boolean };
    if (transports.includes('websocket') && transports.length === 1) {
      assert.equal(socket.io.engine.transport.name, 'websocket');
    }
    return { connected: true, joined: reply.ok === true };
  } finally {
    socket.disconnect();
    socket.io.engine?.close();
  }
}

const BOTH: Transport[][] = [['polling'], ['websocket'], ['polling', 'websocket']];

describe('origin check with allowedOrigins [https://ok.example]', () => {
  const t = useTestServer({ allowedOrigins: ['https://ok.example'] });

  for (const transports of BOTH) {
    const label = transports.join('+');

    it(`refuses https://evil.example over ${label}`, async () => {
      const result = await attempt(t().url, transports, 'https://evil.example');
      assert.equal(result.connected, false, JSON.stringify(result));
    });

    it(`accepts https://ok.example over ${label}`, async () => {
      assert.deepEqual(await attempt(t().url, transports, 'https://ok.example'), { connected: true, joined: true });
    });

    it(`accepts the server's own origin over ${label}`, async () => {
      assert.deepEqual(await attempt(t().url, transports, t().url), { connected: true, joined: true });
    });

    it(`accepts a client without Origin (Node) over ${label}`, async () => {
      assert.deepEqual(await attempt(t().url, transports, undefined), { connected: true, joined: true });
    });
  }

  it('refuses look-alikes: another port, a longer host, another scheme, the null origin', async () => {
    const port = new URL(t().url).port;
    for (const origin of [`http://127.0.0.1:${Number(port) + 1}`, 'https://ok.example.evil.example', 'http://ok.example', 'https://ok.example:8443', 'null']) {
      for (const transports of [['polling'], ['websocket']] as Transport[][]) {
        const result = await attempt(t().url, transports, origin);
        assert.equal(result.connected, false, `${origin} over ${transports[0]}: ${JSON.stringify(result)}`);
      }
    }
  });

  it('leaves the HTTP API alone (the check is for collaboration connections)', async () => {
    const response = await fetch(`${t().url}/healthz`, { headers: { Origin: 'https://evil.example' } });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
  });
});

describe('origin check defaults', () => {
  it('without allowedOrigins, accepts only the own host and clients without Origin', async () => {
    const t = await startTestServer();
    try {
      for (const transports of [['polling'], ['websocket']] as Transport[][]) {
        assert.equal((await attempt(t.url, transports, 'https://ok.example')).connected, false);
        assert.equal((await attempt(t.url, transports, t.url)).connected, true);
        assert.equal((await attempt(t.url, transports, undefined)).connected, true);
      }
    } finally {
      await t.close();
    }
  });

  it('with *, accepts any origin', async () => {
    const t = await startTestServer({ allowedOrigins: ['*'] });
    try {
      for (const transports of [['polling'], ['websocket']] as Transport[][]) {
        assert.equal((await attempt(t.url, transports, 'https://anything.example')).connected, true);
      }
    } finally {
      await t.close();
    }
  });
});

describe('isOriginAllowed', () => {
  const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
  it('decides from the Origin and Host headers', () => {
    assert.equal(isOriginAllowed(request({ host: 'docs.example:3000' }), null), true);
    assert.equal(isOriginAllowed(request({ host: 'docs.example:3000', origin: 'https://docs.example:3000' }), null), true);
    assert.equal(isOriginAllowed(request({ host: 'docs.example:3000', origin: 'https://docs.example' }), null), false);
    assert.equal(isOriginAllowed(request({ host: 'docs.example', origin: 'https://evil.example' }), ['https://ok.example']), false);
    assert.equal(isOriginAllowed(request({ host: 'docs.example', origin: 'https://ok.example' }), ['https://ok.example']), true);
    assert.equal(isOriginAllowed(request({ host: 'docs.example', origin: 'not a url' }), null), false);
  });
});
