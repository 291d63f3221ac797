/**
 * The two channels a provider may use, against one real server: Quire's WebSocket framing (the
 * default) and Socket.IO. People on either edit together and converge to equal snapshots; the
 * default falls back to Socket.IO when WebSockets never get through; kicks, refusals and
 * shutdowns reach WebSocket connections as they reach Socket.IO ones.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { FallbackChannel } from '../../client/channel/fallback-channel.js';
import { snapshotOf } from '../support/doc-state.js';
import { http } from '../support/http.js';
import { RawWebSocket } from '../support/raw-websocket.js';
import { startTestServer, useTestServer } from '../support/test-server.js';
import { waitFor, withTimeout } from '../support/wait.js';

const ADMIN_TOKEN = 'channels-admin-token';

describe('provider channels', () => {
  const t = useTestServer({ adminToken: ADMIN_TOKEN });

  it('lets people on WebSocket and on Socket.IO edit one document and converge exactly', async () => {
    const docName = await t().createDoc();
    const overWebSocket = t().provider(docName, { via: 'websocket' });
    const overSocketIo = t().provider(docName, { via: 'socket.io' });
    const overPolling = t().provider(docName, { via: 'socket.io', transports: ['polling'] });
    const all = [overWebSocket, overSocketIo, overPolling];
    await Promise.all(all.map((p) => p.whenSynced()));
    assert.deepEqual(all.map((p) => p.channel.kind), ['websocket', 'socket.io', 'socket.io']);
    assert.deepEqual(all.map((p) => p.channel.transportName), ['websocket', 'websocket', 'polling']);
    for (const [i, p] of all.entries()) {
      const text = p.doc.getText('t');
      for (let n = 0; n < 20; n++) text.insert(Math.floor(text.length / 2), `${i}:${n} `);
      if (i === 1) text.delete(0, 3);
    }
    await Promise.all(all.map((p) => withTimeout('every change to be saved', p.whenSaved(), 10_000)));
    await waitFor('every replica to hold the same snapshot', () => new Set(all.map((p) => snapshotOf(p.doc))).size === 1, 10_000);
    const late = t().provider(docName);
    await late.whenSynced();
    assert.equal(snapshotOf(late.doc), snapshotOf(overWebSocket.doc));
    const typed = [0, 1, 2].flatMap((i) => Array.from({ length: 20 }, (_, n) => `${i}:${n} `)).join('');
    assert.equal(late.doc.getText('t').length, typed.length - 3);
  });

  it('falls back to Socket.IO when WebSockets to Quire never open, and stays on it', async () => {
    const docName = await t().createDoc();
    const opened: string[] = [];
    // A network that lets no WebSocket through to Quire: every attempt goes to a path nobody answers.
    class Blocked extends WebSocket {
      constructor(url: string) {
        opened.push(url);
        super(url.replace('/quire-ws', '/blocked'));
      }
    }
    const provider = t().provider(docName, { webSocket: Blocked as never, reconnectDelayMs: 20, reconnectDelayMaxMs: 50 });
    await withTimeout('the fallback to sync', provider.whenSynced(), 10_000);
    assert.equal(provider.channel.kind, 'socket.io');
    assert.equal(opened.length, 2, `WebSocket attempts: ${opened.length}`);
    provider.doc.getText('t').insert(0, 'over the fallback');
    await provider.whenSaved();
    provider.reconnect();
    await waitFor('a reconnect over Socket.IO', () => provider.status === 'synced' && provider.channel.kind === 'socket.io');
    assert.equal(opened.length, 2);
    assert.equal((provider.channel as FallbackChannel).active.kind, 'socket.io');
  });

  it('keeps the WebSocket channel once it has connected, through a server restart', async () => {
    const server = await startTestServer();
    try {
      const docName = await server.createDoc();
      const provider = server.provider(docName);
      await provider.whenSynced();
      await server.stop();
      provider.doc.getText('t').insert(0, 'made while the server was down');
      await waitFor('the provider to notice', () => provider.status !== 'synced');
      await server.restart();
      await withTimeout('the provider to resync after the restart', provider.whenSaved(), 15_000);
      assert.equal(provider.channel.kind, 'websocket');
    } finally {
      await server.close();
    }
  });

  it("comes back through a server restart on undici's WebSocket (Node's own), which never closes a socket that could not connect", async () => {
    // Node 22 and later have it as their global WebSocket; on Node 20 it comes from the package.
    const Undici = (globalThis as { WebSocket?: unknown }).WebSocket ?? (await import('undici')).WebSocket;
    const server = await startTestServer();
    try {
      const docName = await server.createDoc();
      const provider = server.provider(docName, { via: 'websocket', webSocket: Undici as never, reconnectDelayMs: 50, reconnectDelayMaxMs: 200 });
      await provider.whenSynced();
      let failedDials = 0;
      provider.channel.on('connect-failed', () => failedDials++);
      await server.stop();
      provider.doc.getText('t').insert(0, 'made while the server was down');
      // Dials while the server is down fail, and each leads to the next.
      await waitFor('two failed dials', () => failedDials >= 2, 10_000);
      await server.restart();
      await withTimeout('the provider to resync after the restart', provider.whenSaved(), 15_000);
      assert.equal(provider.status, 'synced');
    } finally {
      await server.close();
    }
  });

  it('tells a WebSocket connection it was kicked when its document is deleted', async () => {
    const id = await t().createDoc();
    const provider = t().provider(id, { via: 'websocket' });
    await provider.whenSynced();
    const errors: string[] = [];
    provider.on('error', (error) => errors.push(error.code));
    const deleted = await http(`${t().url}/api/admin/docs/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(deleted.status, 204, deleted.text);
    await waitFor('the kick to arrive', () => errors.includes('doc-deleted'));
    await waitFor('the provider to stop', () => provider.status === 'disconnected');
  });

  it('closes a WebSocket that stops answering pings, and keeps one that answers', async () => {
    const server = await startTestServer({ webSocketPingMs: 100 });
    try {
      const docName = await server.createDoc();
      const silent = await RawWebSocket.connect(server.url, {}, 5000, { answerPings: false });
      const answering = await RawWebSocket.connect(server.url);
      assert.deepEqual(await silent.join(docName), { ok: true, role: 'edit' });
      assert.deepEqual(await answering.join(docName), { ok: true, role: 'edit' });
      // Missing one ping is allowed; the next round closes it.
      await silent.whenClosed(2000);
      await waitFor('the server to forget the silent connection', () => server.server.connectionCount === 1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(answering.closed, null, 'the connection that answers pings was closed');
      answering.close();
    } finally {
      await server.close();
    }
  });

  it('answers an upgrade to a path nobody serves 404 at once, and Socket.IO\'s and its own as before', async () => {
    const server = await startTestServer();
    try {
      const elsewhere = new WebSocket(server.url.replace(/^http/, 'ws') + '/elsewhere', { perMessageDeflate: false });
      const status = await withTimeout(
        'the refusal of an upgrade to another path',
        new Promise<number>((resolve, reject) => {
          elsewhere.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
          elsewhere.once('open', () => reject(new Error('an upgrade to another path opened')));
          elsewhere.once('error', reject);
        }),
        5000,
      );
      // Socket.IO's engine used to close such upgrades a second later, without an answer.
      assert.equal(status, 404);
      const docName = await server.createDoc();
      const overSocketIo = server.provider(docName, { via: 'socket.io' });
      const overWebSocket = server.provider(docName, { via: 'websocket' });
      await Promise.all([overSocketIo.whenSynced(), overWebSocket.whenSynced()]);
      assert.deepEqual([overSocketIo.channel.transportName, overWebSocket.channel.transportName], ['websocket', 'websocket']);
    } finally {
      await server.close();
    }
  });

  it('closes the connection of a refused upgrade once its answer is out, though the client keeps its side open', async () => {
    const server = await startTestServer();
    const port = Number(new URL(server.url).port);
    // A client that stays half-open: it reads the answer and its end, and never ends its own side.
    const client = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let closing: Promise<void> | null = null;
    try {
      let answer = '';
      client.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      client.on('error', () => undefined);
      const ended = new Promise<void>((resolve) => client.once('end', resolve));
      await new Promise<void>((resolve) => client.once('connect', resolve));
      client.write('GET /elsewhere HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
      await withTimeout('the end of the refusal', ended, 5000);
      assert.match(answer, /^HTTP\/1\.1 404 /);
      // The server let go of the socket: its close does not wait for this client.
      closing = server.close();
      await withTimeout('the server to close with a refused client still connected', closing, 5000);
    } finally {
      client.destroy();
      await (closing ?? server.close());
    }
  });

  it('refuses a WebSocket from an origin that may not connect, at the upgrade', async () => {
    const server = await startTestServer({ allowedOrigins: ['https://ok.example'] });
    try {
      await assert.rejects(RawWebSocket.connect(server.url, { origin: 'https://evil.example' }), /HTTP 403/);
      const allowed = await RawWebSocket.connect(server.url, { origin: 'https://ok.example' });
      allowed.close();
    } finally {
      await server.close();
    }
  });
});
