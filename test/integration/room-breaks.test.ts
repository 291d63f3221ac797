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
import { useTestServer } from '../support/test-server.js';

describe('changes that break a room', () => {
  let now = Date.parse('2026-12-01T12:00:00Z');
  const t = useTestServer({ clock: { now: () => now } });

  it('lets the first go, then holds the network off for 60 s, twice as long each time, until 10 minutes after the last', async () => {
    const docName = (await createDocWithLinks(t().url)).id;
    /** Sends one change on a connection of its own; answers the refusal's code, or 'ok'. */
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
    // "hello" at the start of the text with its last character as right neighbour: its sender knew
    // the characters before that one, so it was not typed there (placed-as-sent.ts).
    let client = 31_001;
    const breakRoom = (): Promise<string> => send(craftedItems([{ client: client++, clock: 0, items: [{ rightOrigin: [31_000, 4], text: 'hello' }] }]));
    const seconds = (s: number): void => void (now += s * 1000);

    assert.equal(await breakRoom(), 'invalid-update', 'the first is refused and let go');
    assert.equal(await breakRoom(), 'invalid-update', 'the second is refused');
    assert.equal(await breakRoom(), 'rate-limited', 'and holds the network off');
    seconds(59);
    assert.equal(await breakRoom(), 'rate-limited', 'for 60 s');
    seconds(2);
    assert.equal(await breakRoom(), 'invalid-update', 'after which the third breaks the room');
    seconds(119);
    assert.equal(await breakRoom(), 'rate-limited', 'and holds the network off for 120 s');
    seconds(2);
    assert.equal(await breakRoom(), 'invalid-update');
    seconds(239);
    assert.equal(await breakRoom(), 'rate-limited', 'then 240 s');
    // Ten minutes after that hold-off ended, the network is forgotten: its next is let go again.
    seconds(1 + 600);
    assert.equal(await breakRoom(), 'invalid-update');
    assert.equal(await breakRoom(), 'invalid-update', 'let go, as a first');
    assert.equal(await breakRoom(), 'rate-limited', 'the one after it holds the network off again');
    // None of the refused changes is in the document.
    const provider = t().provider(docName);
    await provider.whenSynced();
    assert.equal(provider.doc.getText('notes').toString(), 'notes');
  });
});
