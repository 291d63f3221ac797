/**
 * The server's step 1, sent to every connection that joins, is encoded once and shared until the
 * document changes. It must still name everything the document holds at each join: a state
 * vector older than the document makes every newcomer send back what the server already has.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { SYNC_STEP1, decodeSyncMessage, encodeUpdateMessage } from '../../shared/protocol.js';
import { FRAME_REPLY, FRAME_SYNC, encodeClientSync } from '../../shared/ws-frames.js';
import type { SaveReply } from '../../shared/events.js';
import { RawWebSocket } from '../support/raw-websocket.js';
import { useTestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

/** Joins `docName` and returns the state vector of the server's step 1 that follows the reply. */
async function joinAndReadStep1(socket: RawWebSocket, docName: string): Promise<Map<number, number>> {
  const mark = socket.frames.length;
  assert.deepEqual(await socket.join(docName), { ok: true, role: 'edit' });
  let stateVector: Uint8Array | null = null;
  await waitFor('the server\'s step 1', () => {
    for (const frame of socket.frames.slice(mark)) {
      const message = frame?.kind === FRAME_SYNC ? decodeSyncMessage(frame.message) : null;
      if (message?.type === SYNC_STEP1) stateVector = message.payload;
    }
    return stateVector !== null;
  });
  return Y.decodeStateVector(stateVector!);
}

describe('the server\'s step 1 at a join', () => {
  const t = useTestServer();

  it('names every change the document holds, those made since the previous join included', { timeout: 30_000 }, async () => {
    const docName = await t().createDoc();
    const sockets = await Promise.all([0, 1, 2].map(() => RawWebSocket.connect(t().url)));
    const [writer, second, third] = sockets as [RawWebSocket, RawWebSocket, RawWebSocket];
    try {
      const before = await joinAndReadStep1(writer, docName);
      const source = new Y.Doc();
      assert.equal(before.get(source.clientID), undefined, 'the writer\'s client is not in the document yet');
      let ack = 100;
      for (const [n, socket] of [second, third].entries()) {
        source.getText('t').insert(0, `change ${n}`);
        const mark = writer.frames.length;
        writer.send(encodeClientSync(++ack, docName, encodeUpdateMessage(Y.encodeStateAsUpdate(source))));
        await waitFor('the change to be acknowledged', () => writer.frames.slice(mark).some((f) => f?.kind === FRAME_REPLY && f.ack === ack));
        const reply = writer.frames.slice(mark).find((f) => f?.kind === FRAME_REPLY && f.ack === ack);
        assert.ok(reply?.kind === FRAME_REPLY && (reply.reply as SaveReply).ok, JSON.stringify(reply));
        const seen = await joinAndReadStep1(socket, docName);
        assert.equal(seen.get(source.clientID), Y.getState(source.store, source.clientID), `join ${n + 2} was told of every change so far`);
      }
    } finally {
      for (const socket of sockets) socket.close();
    }
  });
});
