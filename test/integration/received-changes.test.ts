/**
 * The provider applies the first change of a read at once and the changes that arrive behind it
 * together in one Yjs transaction: a burst costs two cleanups and rounds of observers, not one each. Every change must still be applied, in order, and a change
 * Yjs cannot apply must not cost the others.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Channel } from '../../client/channel/channel.js';
import { FallbackChannel } from '../../client/channel/fallback-channel.js';
import { encodeUpdateMessage } from '../../shared/protocol.js';
import { FRAME_REPLY, encodeClientSync } from '../../shared/ws-frames.js';
import { chainedChanges, snapshotOf } from '../support/doc-state.js';
import { RawWebSocket } from '../support/raw-websocket.js';
import { useTestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

const CHANGES = 60;

/**
 * The channel that receives the provider's messages (behind the fallback channel, the one in use),
 * to deliver messages as a transport does, synchronously one after another.
 */
function receivingChannel(channel: Channel): { emit(event: 'sync' | 'awareness', docName: string, message: Uint8Array): void } {
  const receiving = channel instanceof FallbackChannel ? channel.active : channel;
  return receiving as unknown as { emit(event: 'sync' | 'awareness', docName: string, message: Uint8Array): void };
}

describe('changes a provider receives', () => {
  const t = useTestServer();

  it('applies a relayed burst completely and in order, in fewer transactions than changes', { timeout: 30_000 }, async () => {
    const docName = await t().createDoc();
    const reader = t().provider(docName);
    await reader.whenSynced();
    let transactions = 0;
    reader.doc.on('afterTransaction', (transaction: Y.Transaction) => {
      if (transaction.origin === reader) transactions++;
    });
    const writer = await RawWebSocket.connect(t().url);
    try {
      assert.deepEqual(await writer.join(docName), { ok: true, role: 'edit' });
      const { source, updates } = chainedChanges(CHANGES);
      const mark = writer.frames.length;
      updates.forEach((update, i) => writer.send(encodeClientSync(i + 1, docName, encodeUpdateMessage(update))));
      await waitFor('every change to be acknowledged', () => writer.frames.slice(mark).filter((f) => f?.kind === FRAME_REPLY).length === CHANGES, 15_000);
      await waitFor('the reader to hold every change', () => reader.doc.getText('t').length === CHANGES, 10_000);
      assert.equal(reader.doc.store.pendingStructs, null, 'nothing was applied before what it builds on');
      assert.equal(snapshotOf(reader.doc), snapshotOf(source));
      assert.ok(transactions < CHANGES, `${transactions} transactions for ${CHANGES} changes received in bursts`);
    } finally {
      writer.close();
    }
  });

  it('applies the first change of a read at once and the rest of the read in one transaction, skipping one Yjs cannot apply', async () => {
    const docName = await t().createDoc();
    const reader = t().provider(docName);
    await reader.whenSynced();
    const { source, updates } = chainedChanges(3);
    let transactions = 0;
    reader.doc.on('afterTransaction', () => transactions++);
    // As a transport delivers messages read in one go: one after another, synchronously.
    const channel = receivingChannel(reader.channel);
    channel.emit('sync', docName, encodeUpdateMessage(updates[0]!));
    channel.emit('sync', docName, encodeUpdateMessage(new Uint8Array([0xff, 0xff, 0xff, 0x01])));
    channel.emit('sync', docName, encodeUpdateMessage(updates[1]!));
    channel.emit('sync', docName, encodeUpdateMessage(updates[2]!));
    assert.equal(reader.doc.getText('t').length, 1, 'the first change applied at once, the rest once the read is over');
    await Promise.resolve();
    assert.equal(transactions, 2);
    assert.equal(snapshotOf(reader.doc), snapshotOf(source));
  });

  it('goes on when an observer throws as changes received together are applied, and applies presence after them', async () => {
    const docName = await t().createDoc();
    const reader = t().provider(docName);
    await reader.whenSynced();
    // Three: the first is applied at once, the other two together when the presence comes.
    const { source, updates } = chainedChanges(3);
    reader.doc.getText('t').observe(() => {
      throw new Error('an observer that throws');
    });
    let lengthWhenPresenceCame = -1;
    reader.awareness.on('change', () => {
      lengthWhenPresenceCame = reader.doc.getText('t').length;
    });
    // Its own Awareness runs a timer: destroyed whatever happens, so a failure cannot hang the run.
    const other = new Awareness(new Y.Doc());
    try {
      other.setLocalState({ user: { name: 'Ana' } });
      const channel = receivingChannel(reader.channel);
      let transactions = 0;
      reader.doc.on('afterTransaction', () => transactions++);
      for (const update of updates) channel.emit('sync', docName, encodeUpdateMessage(update));
      channel.emit('awareness', docName, encodeAwarenessUpdate(other, [other.clientID]));
      assert.equal(lengthWhenPresenceCame, 3, 'presence was applied after the changes received before it');
      assert.equal(transactions, 2, 'the first change alone, the two behind it together (their observer threw)');
      await Promise.resolve();
      assert.equal(snapshotOf(reader.doc), snapshotOf(source));
      // Still working: a change of its own is saved.
      reader.doc.getText('u').insert(0, 'still saving');
      await reader.whenSaved();
    } finally {
      other.destroy();
    }
  });
});
