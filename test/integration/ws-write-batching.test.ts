/**
 * Quire's WebSocket writes a connection's first frame of an event-loop turn at once and holds the
 * rest of that turn's frames until the turn ends (a corked socket); a join's reply is held with
 * the handshake behind it. Whatever the batching, every frame must arrive, in order: a writer
 * pipelines many changes, each building on the one before, and a raw reader must be able to apply
 * every relayed change the moment it arrives.
 */
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE, decodeSyncMessage, encodeSyncMessage, encodeUpdateMessage } from '../../shared/protocol.js';
import { FRAME_REPLY, FRAME_SYNC, encodeClientSync, encodeJoin } from '../../shared/ws-frames.js';
import type { SaveReply } from '../../shared/events.js';
import { chainedChanges, snapshotOf } from '../support/doc-state.js';
import { RawWebSocket } from '../support/raw-websocket.js';
import { useTestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

/** Changes sent in one go: within the default message burst, after the join's price. */
const CHANGES = 60;

describe('WebSocket write batching', () => {
  const t = useTestServer();

  it('delivers every frame of a burst, in order, to each reader and acknowledges each change', { timeout: 30_000 }, async () => {
    const docName = await t().createDoc();
    const readers = await Promise.all([0, 1, 2].map(() => RawWebSocket.connect(t().url)));
    const writer = await RawWebSocket.connect(t().url);
    try {
      for (const socket of [...readers, writer]) assert.deepEqual(await socket.join(docName), { ok: true, role: 'edit' });
      const marks = readers.map((reader) => reader.frames.length);
      // Each change builds on the one before: applied out of order, Yjs would park it.
      const { source, updates } = chainedChanges(CHANGES);
      const writerMark = writer.frames.length;
      // All sent in one synchronous run, so the server reads many of them in one turn.
      updates.forEach((update, i) => writer.send(encodeClientSync(i + 1, docName, encodeUpdateMessage(update))));

      await waitFor('every change to be acknowledged', () => writer.frames.slice(writerMark).filter((f) => f?.kind === FRAME_REPLY).length === CHANGES, 15_000);
      const replies = writer.frames.slice(writerMark).flatMap((f) => (f?.kind === FRAME_REPLY ? [f] : []));
      assert.deepEqual(replies.map((r) => r.ack), updates.map((_u, i) => i + 1), 'acknowledged in order');
      assert.ok(replies.every((r) => (r.reply as SaveReply).ok), JSON.stringify(replies.find((r) => !(r.reply as SaveReply).ok)));

      for (const [n, reader] of readers.entries()) {
        // The server's step 1 may come after the join's reply; relayed changes are update messages.
        const relayed = (): Uint8Array[] =>
          reader.frames.slice(marks[n]).flatMap((frame) => {
            const message = frame?.kind === FRAME_SYNC ? decodeSyncMessage(frame.message) : null;
            return message?.type === SYNC_UPDATE ? [message.payload] : [];
          });
        await waitFor(`reader ${n} to receive every change`, () => relayed().length >= CHANGES, 10_000);
        // Plain typing goes out before it is applied (integrates-at-once.ts), and only then: once.
        assert.equal(relayed().length, CHANGES, `reader ${n} got each change once`);
        const doc = new Y.Doc();
        for (const update of relayed()) {
          Y.applyUpdate(doc, update);
          assert.equal(doc.store.pendingStructs, null, `reader ${n} got a change before the one it builds on`);
        }
        assert.equal(snapshotOf(doc), snapshotOf(source), `reader ${n} holds what the writer wrote`);
      }
      assert.ok(readers.every((reader) => reader.closed === null && reader.errors.length === 0));
    } finally {
      for (const socket of [...readers, writer]) socket.close();
    }
  });
});

describe('WebSocket join batching', () => {
  // No ping in the window where writes are counted.
  const t = useTestServer({ webSocketPingMs: 60 * 60_000 });

  it('sends a join\'s reply and the handshake behind it in one write, in order', { timeout: 30_000 }, async () => {
    const docName = await t().createDoc();
    const client = await RawWebSocket.connect(t().url);
    // The server runs in this process: its writes to this client's connection are counted at the
    // socket (Node's internal write path, under both write and writev).
    const proto = Socket.prototype as unknown as { _writeGeneric?: (...args: unknown[]) => unknown };
    const writeGeneric = proto._writeGeneric;
    assert.equal(typeof writeGeneric, 'function', 'Node\'s sockets no longer write through _writeGeneric; count writes another way');
    const tcp = (client.socket as unknown as { _socket: Socket })._socket;
    let serverWrites = 0;
    proto._writeGeneric = function countWrites(this: Socket, ...args: unknown[]): unknown {
      if (this !== tcp && this.remotePort === tcp.localPort) serverWrites++;
      return writeGeneric!.apply(this, args);
    };
    try {
      // The join and its step 1 in one TCP write, so the server reads them in one turn.
      tcp.cork();
      client.send(encodeJoin(1, docName, null, {}));
      client.send(encodeClientSync(2, docName, encodeSyncMessage(SYNC_STEP1, Y.encodeStateVector(new Y.Doc()))));
      tcp.uncork();
      await waitFor('the reply, both steps and the step 1 ack', () => client.frames.length >= 4, 10_000);
      const seen = client.frames.map((frame) => {
        if (frame?.kind === FRAME_REPLY) return `reply ${frame.ack}`;
        if (frame?.kind === FRAME_SYNC) return `sync ${decodeSyncMessage(frame.message)?.type}`;
        return 'other';
      });
      assert.deepEqual(seen, ['reply 1', `sync ${SYNC_STEP1}`, `sync ${SYNC_STEP2}`, 'reply 2']);
      assert.equal(serverWrites, 1, 'the four frames left the server in one write');
    } finally {
      proto._writeGeneric = writeGeneric;
      client.close();
    }
  });
});
