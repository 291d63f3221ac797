/**
 * Messages a provider sent before the server rebuilt the room (a resync) are answered `not-joined`
 * once the server has dropped the member: the provider is joining again by then, and says nothing
 * of them to the page; its handshake carries the change they held. The frames are handed to the
 * provider's socket directly, so their order is exactly the one the server's connection keeps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import type { QuireErrorPayload } from '../shared/errors.js';
import { decodeSyncMessage, encodeSyncMessage, SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE } from '../shared/protocol.js';
import { decodeClientFrame, encodeKicked, encodeReply, encodeServerSync, FRAME_SYNC } from '../shared/ws-frames.js';
import { DocProvider } from './provider.js';

const DOC = 'AAAAAAAAAAAAAAAAAAAAAA';
const NOT_JOINED: QuireErrorPayload = { code: 'not-joined', message: 'Join the document before sending messages for it.', docName: DOC };

/** A WebSocket that records what the provider sends and is given frames by the test. */
class ScriptedSocket {
  static last: ScriptedSocket | null = null;
  binaryType = 'arraybuffer';
  readyState = 1;
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  readonly sent: Uint8Array[] = [];
  constructor(readonly url: string) {
    ScriptedSocket.last = this;
  }
  send(data: Uint8Array): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  deliver(frame: Uint8Array): void {
    this.onmessage?.({ data: frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength) });
  }
  /** The ack number of the last change (a sync update message) sent. */
  lastChangeAck(): number {
    for (let i = this.sent.length - 1; i >= 0; i--) {
      const frame = decodeClientFrame(this.sent[i]!);
      if (frame?.kind === FRAME_SYNC && decodeSyncMessage(frame.message)?.type === SYNC_UPDATE) return frame.ack;
    }
    throw new Error('No change was sent.');
  }
}

async function joinedProvider(): Promise<{ provider: DocProvider; socket: ScriptedSocket; errors: QuireErrorPayload[] }> {
  const provider = new DocProvider('http://127.0.0.1:1', DOC, new Y.Doc(), { webSocket: ScriptedSocket, via: 'websocket' } as ConstructorParameters<typeof DocProvider>[3]);
  const errors: QuireErrorPayload[] = [];
  provider.on('error', (error) => errors.push(error));
  const socket = ScriptedSocket.last!;
  socket.onopen?.({});
  socket.deliver(encodeReply(1, { ok: true, role: 'edit' })); // the join
  // The server's step 1 (changes are sent once it is answered), then its step 2.
  socket.deliver(encodeServerSync(DOC, encodeSyncMessage(SYNC_STEP1, Y.encodeStateVector(new Y.Doc()))));
  socket.deliver(encodeServerSync(DOC, encodeSyncMessage(SYNC_STEP2, Y.encodeStateAsUpdate(new Y.Doc()))));
  await provider.whenSynced();
  return { provider, socket, errors };
}

describe('replies that crossed a resync', () => {
  it('are not reported, and the change they carried stays unsaved for the next handshake', async () => {
    const { provider, socket, errors } = await joinedProvider();
    try {
      provider.doc.getText('t').insert(0, 'typed just before the resync');
      await Promise.resolve();
      const ack = socket.lastChangeAck();
      socket.deliver(encodeKicked(DOC, { code: 'resync', message: 'The server reloaded the document from storage; join it again.', docName: DOC }));
      socket.deliver(encodeReply(ack, { ok: false, error: NOT_JOINED }));
      assert.deepEqual(errors, []);
      assert.equal(provider.unsavedCount, 1);
    } finally {
      provider.destroy();
    }
  });

  it('are reported while the provider believes it is joined', async () => {
    const { provider, socket, errors } = await joinedProvider();
    try {
      provider.doc.getText('t').insert(0, 'typed');
      await Promise.resolve();
      socket.deliver(encodeReply(socket.lastChangeAck(), { ok: false, error: NOT_JOINED }));
      assert.deepEqual(errors.map((error) => error.code), ['not-joined']);
    } finally {
      provider.destroy();
    }
  });
});
