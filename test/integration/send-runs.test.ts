/**
 * How a provider sends what a page changes: the first change of a synchronous run leaves at once,
 * from inside the Yjs transaction that made it (a keystroke does not wait for the end of the
 * run), and the rest of the run leaves as one message at its end. A channel that throws on send
 * must not break the document (a throw inside Yjs's end of a transaction would), and what it
 * could not send still reaches the server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { DocProvider } from '../../client/provider.js';
import { decodeClientFrame, FRAME_SYNC } from '../../shared/ws-frames.js';
import { snapshotOf } from '../support/doc-state.js';
import { useTestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

/** A WebSocket that records the sync frames a provider sends, and can be told to throw on sends. */
function recordingSocket(): { readonly syncFrames: Uint8Array[]; failNextSyncs: number; readonly Socket: typeof WebSocket } {
  const state = {
    syncFrames: [] as Uint8Array[],
    failNextSyncs: 0,
    Socket: class extends WebSocket {
      override send(data: unknown, ...rest: unknown[]): void {
        const frame = decodeClientFrame(data as Uint8Array);
        if (frame?.kind === FRAME_SYNC && frame.ack !== 0) {
          if (state.failNextSyncs > 0) {
            state.failNextSyncs--;
            throw new Error('this socket refuses the send');
          }
          state.syncFrames.push(frame.message);
        }
        (super.send as (...args: unknown[]) => void)(data, ...rest);
      }
    },
  };
  return state;
}

describe('sending the changes of a synchronous run', () => {
  const t = useTestServer();

  /** A new document and a provider on it over a recording socket, synced and saved. */
  async function openRecorded(): Promise<{ docName: string; socket: ReturnType<typeof recordingSocket>; provider: DocProvider }> {
    const docName = await t().createDoc();
    const socket = recordingSocket();
    const provider = t().provider(docName, { webSocket: socket.Socket as never, via: 'websocket' });
    await provider.whenSynced();
    await provider.whenSaved();
    return { docName, socket, provider };
  }

  /** Once `provider` has saved, a new reader of the document holds the same snapshot and this text. */
  async function assertServerHolds(docName: string, provider: DocProvider, text: string): Promise<void> {
    await provider.whenSaved();
    const reader = t().provider(docName);
    await reader.whenSynced();
    await waitFor('a new reader to hold every change', () => snapshotOf(reader.doc) === snapshotOf(provider.doc));
    assert.equal(reader.doc.getText('t').toString(), text);
  }

  it('sends the first change at once and the rest of the run as one message at its end', async () => {
    const { docName, socket, provider } = await openRecorded();
    const before = socket.syncFrames.length;
    const text = provider.doc.getText('t');

    text.insert(0, 'a');
    assert.equal(socket.syncFrames.length, before + 1, 'the first change left inside its own transaction');
    text.insert(1, 'b');
    text.insert(2, 'c');
    assert.equal(socket.syncFrames.length, before + 1, 'the rest of the run waits for its end');
    await Promise.resolve();
    assert.equal(socket.syncFrames.length, before + 2, 'the rest of the run left as one message');

    text.insert(3, 'd');
    assert.equal(socket.syncFrames.length, before + 3, 'a new run starts with a change that leaves at once');

    await assertServerHolds(docName, provider, 'abcd');
  });

  it('keeps the document working when the channel throws on a send, and sends the change after', async () => {
    const { docName, socket, provider } = await openRecorded();
    const text = provider.doc.getText('t');
    let updates = 0;
    provider.doc.on('update', () => updates++);

    socket.failNextSyncs = 1;
    text.insert(0, 'x');
    // Tried again at the end of the run, outside the transaction; it goes through this time.
    await Promise.resolve();
    text.insert(1, 'y');
    assert.equal(updates, 2, 'Yjs still finishes transactions after the throw');

    await assertServerHolds(docName, provider, 'xy');
  });
});
