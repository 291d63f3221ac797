/**
 * Changes that break a room (Yjs would place one of their items otherwise than its sender could
 * have typed it: the change is refused, and the room rebuilt from storage, its members sent
 * through a resync). The server lets a network's first go, then holds the network off, longer each
 * time, and forgets it a while after; on a clock the test moves.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { encodeUpdateMessage } from '../../shared/protocol.js';
import { craftedItems } from '../support/crafted-updates.js';
import { createDocWithLinks } from '../support/links.js';
import { RawClient, refusalCode } from '../support/raw-client.js';
import { RawWebSocket } from '../support/raw-websocket.js';
import { FRAME_REPLY, encodeClientSync } from '../../shared/ws-frames.js';
import type { SaveReply } from '../../shared/events.js';
import { useTestServer } from '../support/test-server.js';
import { sleep, waitFor } from '../support/wait.js';

describe('changes that break a room', () => {
  let now = Date.parse('2026-12-01T12:00:00Z');
  const t = useTestServer({ clock: { now: () => now } });

  const seconds = (s: number): void => void (now += s * 1000);

  /** A document holding a text "notes", and a way to send it one change on a connection of its own. */
  async function documentWithNotes(): Promise<{ docName: string; send(update: Uint8Array): Promise<string> }> {
    const docName = (await createDocWithLinks(t().url)).id;
    const send = async (update: Uint8Array): Promise<string> => {
      const client = await RawClient.connect(t().url);
      try {
        assert.deepEqual(await client.join(docName), { ok: true, role: 'edit' });
        const reply = await client.sync(docName, encodeUpdateMessage(update));
        return reply.ok ? 'ok' : (refusalCode({ via: 'ack', reply }) ?? 'no code');
      } finally {
        await client.close();
      }
    };
    const notes = new Y.Doc();
    notes.clientID = 31_000;
    notes.getText('notes').insert(0, 'notes');
    assert.equal(await send(Y.encodeStateAsUpdate(notes)), 'ok');
    return { docName, send };
  }

  /**
   * "hello" at the start of the text with its last character as right neighbour: its sender knew
   * the characters before that one, so it was not typed there (placed-as-sent.ts).
   */
  const misplaced = (client: number): Uint8Array => craftedItems([{ client, clock: 0, items: [{ rightOrigin: [31_000, 4], text: 'hello' }] }]);

  it('lets the first go, then holds the network off for 60 s, twice as long each time, until 10 minutes after the last', async () => {
    const { docName, send } = await documentWithNotes();
    let client = 31_001;
    const breakRoom = (): Promise<string> => send(misplaced(client++));

    assert.equal(await breakRoom(), 'change-not-applied', 'the first is refused and let go');
    assert.equal(await breakRoom(), 'change-not-applied', 'the second is refused');
    assert.equal(await breakRoom(), 'rate-limited', 'and holds the network off');
    seconds(59);
    assert.equal(await breakRoom(), 'rate-limited', 'for 60 s');
    seconds(2);
    assert.equal(await breakRoom(), 'change-not-applied', 'after which the third breaks the room');
    seconds(119);
    assert.equal(await breakRoom(), 'rate-limited', 'and holds the network off for 120 s');
    seconds(2);
    assert.equal(await breakRoom(), 'change-not-applied');
    seconds(239);
    assert.equal(await breakRoom(), 'rate-limited', 'then 240 s');
    // Ten minutes after that hold-off ended, the network is forgotten: its next is let go again.
    seconds(1 + 600);
    assert.equal(await breakRoom(), 'change-not-applied');
    assert.equal(await breakRoom(), 'change-not-applied', 'let go, as a first');
    assert.equal(await breakRoom(), 'rate-limited', 'the one after it holds the network off again');
    // None of the refused changes is in the document.
    const provider = t().provider(docName);
    await provider.whenSynced();
    assert.equal(provider.doc.getText('notes').toString(), 'notes');
  });

  it("stops a page whose change broke the room, so that it does not send it again with each handshake", async () => {
    seconds(61 + 600); // the last test's hold-off is over, and its network forgotten
    const { docName } = await documentWithNotes();
    const counter = await RawClient.connect(t().url);
    const resyncs = (): number => counter.eventsSince(0, 'kicked').length;
    try {
      assert.deepEqual(await counter.join(docName), { ok: true, role: 'edit' });
      const page = t().provider(docName);
      const errors: string[] = [];
      page.on('error', (error) => errors.push(error.code));
      await page.whenSynced();
      // What a copy that met Yjs's undo fault would hold: a change the server cannot apply as made
      // (here crafted, under a Yjs client id of the page's own).
      Y.applyUpdate(page.doc, misplaced(31_900));
      const saving = page.whenSaved();
      await counter.waitFor('the resync', () => resyncs() === 1);
      await assert.rejects(saving, /refused this copy for good/, 'whoever waited for it to be saved is told it will not be');
      await assert.rejects(page.whenSaved(), /refused this copy for good/);
      await waitFor('the page to be told', () => errors.includes('change-not-applied'), 5000);
      // It does not join again: its handshake would carry the change again.
      await sleep(1500);
      assert.equal(resyncs(), 1, 'one resync only');
      assert.deepEqual(errors, ['change-not-applied']);
      assert.equal(page.status, 'disconnected');
      // Nor can a program make it join again: its document still holds the change.
      assert.throws(() => page.connect(), /connecting it again would send that change again/);
      await assert.rejects(page.whenSaved(), /refused this copy for good/);
      await sleep(300);
      assert.equal(resyncs(), 1, 'connect() sent the change again');
    } finally {
      await counter.close();
    }
    const fresh = t().provider(docName);
    await fresh.whenSynced();
    assert.equal(fresh.doc.getText('notes').toString(), 'notes');
  });

  it('holds the network off before the next message of the same read: changes for several documents sent in one write break one room', async () => {
    seconds(2 * 60 + 600); // the last tests' hold-offs are over, and their network forgotten
    const documents = [await documentWithNotes(), await documentWithNotes(), await documentWithNotes()];
    // The network's first break, let go.
    assert.equal(await documents[0]!.send(misplaced(31_950)), 'change-not-applied');
    const socket = await RawWebSocket.connect(t().url);
    try {
      for (const { docName } of documents) assert.deepEqual(await socket.join(docName), { ok: true, role: 'edit' });
      // One change for each document, in one write: the server reads them in one go.
      const tcp = (socket.socket as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
      tcp.cork();
      documents.forEach(({ docName }, i) => socket.send(encodeClientSync(100 + i, docName, encodeUpdateMessage(misplaced(31_960 + i)))));
      tcp.uncork();
      const replies = (): SaveReply[] => socket.frames.flatMap((frame) => (frame?.kind === FRAME_REPLY && frame.ack >= 100 ? [frame.reply as SaveReply] : []));
      await waitFor('the three replies', () => replies().length === 3, 5000);
      const codes = replies().map((reply) => (reply.ok ? 'ok' : reply.error.code));
      assert.deepEqual(codes, ['change-not-applied', 'rate-limited', 'rate-limited']);
    } finally {
      socket.close();
    }
  });
});
