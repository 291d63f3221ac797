/**
 * The parser inside a real Socket.IO server and client: what the attacks of the past do now (the
 * offending connection is closed, the process and every other connection carry on), and that both
 * ends and third-party clients with Socket.IO's default parser still understand each other.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { PacketType } from 'socket.io-parser';
import * as plainParser from './parser.js';
import { createParser, encodeSingleFrame } from './parser.js';

const NSP = '/quire';
const TIMEOUT_MS = 5000;

interface Seen {
  readonly errors: Error[];
  readonly events: string[];
  readonly syncs: unknown[][];
  disconnect?: string;
}

interface Scene {
  readonly url: string;
  readonly io: Server;
  readonly http: HttpServer;
  /** What the server saw per connection: its `error` events and its disconnect reason. */
  readonly seen: Map<string, Seen>;
}

async function openScene(parser: object): Promise<Scene> {
  const http = createServer();
  const server = new Server(http, { parser, serveClient: false });
  const seen: Scene['seen'] = new Map();
  server.of(NSP).on('connection', (socket: ServerSocket) => {
    const record: Seen = { errors: [], events: [], syncs: [] };
    seen.set(socket.id, record);
    // Listeners as Quire's transport has them: `apply`'d with the packet's arguments.
    socket.on('join', (doc: unknown, _token: unknown, ack: unknown) => {
      if (typeof ack === 'function') ack({ ok: true, doc });
    });
    socket.on('sync', (doc: unknown, message: unknown) => {
      record.syncs.push([doc, message]);
      socket.emit('sync', doc, message);
    });
    socket.onAny((event: unknown) => record.events.push(String(event)));
    socket.on('error', (error: Error) => record.errors.push(error));
    socket.on('disconnect', (reason: string) => {
      record.disconnect = reason;
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, io: server, http, seen };
}

async function closeScene(scene: Scene): Promise<void> {
  await new Promise<void>((resolve) => scene.io.close(() => resolve()));
}

async function connect(scene: Scene, parser?: object): Promise<ClientSocket> {
  const socket = io(scene.url + NSP, { transports: ['websocket'], forceNew: true, reconnection: false, ...(parser ? { parser } : {}) });
  await withTimeout(next(socket, 'connect'), 'connect');
  return socket;
}

/** The arguments of the next `event` on a client socket (socket.io-client's emitter is not Node's). */
function next(socket: ClientSocket, event: string): Promise<unknown[]> {
  return new Promise((resolve) => socket.once(event, (...args: unknown[]) => resolve(args)));
}

async function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends one raw Socket.IO packet (text or a binary frame) and waits for the server to hang up. */
async function sendAndAwaitClose(socket: ClientSocket, raw: string | Uint8Array): Promise<string> {
  const closed = withTimeout(next(socket, 'disconnect'), 'the server to close the connection');
  socket.io.engine.write(raw as string);
  const [reason] = await closed;
  return String(reason);
}

async function join(socket: ClientSocket, doc: string): Promise<unknown> {
  return withTimeout(socket.timeout(TIMEOUT_MS).emitWithAck('join', doc, null), 'a join reply');
}

const QUIRE_PARSER = createParser({ allowedEvents: ['join', 'leave', 'sync', 'awareness'], maxArguments: 3, maxAttachments: 3, namespace: NSP });
const HUGE = '2/quire,' + JSON.stringify(['join', ...new Array<number>(60_000).fill(0)]);

for (const [label, parser] of [['the plain parser', plainParser], ['a createParser parser', QUIRE_PARSER]] as const) {
  describe(`Socket.IO server with ${label}`, () => {
    let scene: Scene;
    before(async () => {
      scene = await openScene(parser);
    });
    after(async () => {
      await closeScene(scene);
    });

    it('closes a connection sending 60,000 arguments; the process and other connections carry on', async () => {
      const honest = await connect(scene, parser);
      const attacker = await connect(scene, parser);
      const attackerId = attacker.id!;
      assert.equal(await sendAndAwaitClose(attacker, HUGE), 'transport close');
      const record = scene.seen.get(attackerId)!;
      // Socket.IO's Client.ondata caught the Error from Decoder.add, emitted it as `error` on the
      // connection's sockets, then closed the connection, which disconnects them.
      assert.match(record.errors[0]?.message ?? '', /^Refused Socket\.IO packet on namespace "\/quire": an event with 60000 arguments, at most (3|64) allowed\.$/);
      assert.equal(record.disconnect, 'forced close');
      assert.deepEqual(record.events, [], 'no listener saw the packet');
      assert.deepEqual(await join(honest, 'doc'), { ok: true, doc: 'doc' });
      honest.disconnect();
    });

    it('closes a connection sending a single frame named disconnect, without running disconnect handling first', async () => {
      for (const name of ['disconnect', 'disconnecting', 'connect', 'connect_error', 'newListener', 'removeListener']) {
        const attacker = await connect(scene, parser);
        const id = attacker.id!;
        const frame = encodeSingleFrame({ type: PacketType.EVENT, nsp: NSP, data: [name, 'reason', Uint8Array.of(1)] });
        assert.equal(await sendAndAwaitClose(attacker, frame), 'transport close', name);
        const record = scene.seen.get(id)!;
        assert.match(record.errors[0]?.message ?? '', new RegExp(`the event name "${name}" is reserved`), name);
        assert.equal(record.disconnect, 'forced close', `${name}: the disconnect came from closing, not from the packet`);
      }
    });

    it('exchanges binary events with a client using the same parser, as single frames', async () => {
      const client = await connect(scene, parser);
      const echoed = withTimeout(next(client, 'sync'), 'the echo');
      client.emit('sync', 'doc', Uint8Array.of(0xf5, 0, 1));
      const [doc, message] = await echoed;
      assert.equal(doc, 'doc');
      assert.deepEqual(Array.from(message as Uint8Array), [0xf5, 0, 1]);
      client.disconnect();
    });

    it('accepts a client with Socket.IO\'s default parser, attachments starting with 0xF5 included', async () => {
      const client = await connect(scene);
      const id = client.id!;
      client.emit('sync', 'doc', Buffer.from([0xf5, 2, 3]));
      client.emit('sync', 'doc', Buffer.alloc(0));
      const deadline = Date.now() + TIMEOUT_MS;
      while ((scene.seen.get(id)?.syncs.length ?? 0) < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      const syncs = scene.seen.get(id)!.syncs.map(([doc, message]) => [doc, Array.from(message as Uint8Array)]);
      assert.deepEqual(syncs, [['doc', [0xf5, 2, 3]], ['doc', []]]);
      // The echo comes back as a single frame, which the default parser cannot read: such a client
      // hangs up with "parse error". That is why both ends must use this parser.
      client.disconnect();
    });
  });
}

describe('Socket.IO server with a createParser parser and its allowlist', () => {
  it('closes a connection sending an unknown event on its namespace; other namespaces keep their freedom', async () => {
    const scene = await openScene(QUIRE_PARSER);
    try {
      const attacker = await connect(scene, QUIRE_PARSER);
      const id = attacker.id!;
      assert.equal(await sendAndAwaitClose(attacker, '2/quire,["chat","hi"]'), 'transport close');
      assert.match(scene.seen.get(id)!.errors[0]?.message ?? '', /the event name "chat" is not among the allowed events/);

      const heard = new Promise<unknown[]>((resolve) => {
        scene.io.of('/app').on('connection', (socket) => socket.on('chat', (...args: unknown[]) => resolve(args)));
      });
      const app = io(scene.url + '/app', { transports: ['websocket'], forceNew: true, reconnection: false, parser: QUIRE_PARSER });
      await withTimeout(next(app, 'connect'), 'connect');
      app.emit('chat', 1, 2, 3, 4, 5);
      assert.deepEqual(await withTimeout(heard, 'the chat event'), [1, 2, 3, 4, 5]);
      app.disconnect();
    } finally {
      await closeScene(scene);
    }
  });
});
