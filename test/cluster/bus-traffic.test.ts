/**
 * The room bus only reaches the nodes that hold a document: a node with no client of it receives
 * none of its traffic, starts receiving it when a client joins there, and stops once it unloads.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { textOf, useCluster } from '../support/cluster/cluster.js';
import { snapshotOf } from '../support/doc-state.js';
import { sleep, waitFor } from '../support/wait.js';

describe('room bus traffic', () => {
  const cluster = useCluster(async (c) => {
    for (const name of ['a', 'b', 'c', 'idle']) await c.startInProcess(name);
  });

  it('sends nothing to a node that holds no client of the document', { timeout: 60_000 }, async () => {
    const [a, b, c, idle] = cluster().inProcess;
    assert.ok(a && b && c && idle);
    const busy = await cluster().createDoc();
    const elsewhere = await cluster().createDoc();
    // c holds another document only.
    const onC = cluster().provider(c.url, elsewhere);
    await onC.whenSynced();
    onC.doc.getText('t').insert(0, 'c works on something else');
    await onC.whenSaved();

    const onA = cluster().provider(a.url, busy);
    const onB = cluster().provider(b.url, busy);
    await Promise.all([onA.whenSynced(), onB.whenSynced()]);
    onA.awareness.setLocalState({ name: 'Ada' });
    await sleep(200);
    const cBefore = c.bus.receivedMessages;
    const bBefore = b.bus.receivedMessages;
    for (let i = 0; i < 40; i++) {
      (i % 2 === 0 ? onA : onB).doc.getText('t').insert(0, `${i} `);
      onA.awareness.setLocalStateField('cursor', i);
      await sleep(2);
    }
    await Promise.all([onA.whenSaved(), onB.whenSaved()]);
    await waitFor('a and b to converge', () => snapshotOf(onA.doc) === snapshotOf(onB.doc));
    await waitFor('b to see a\'s cursor', () => onB.awareness.getStates().get(onA.awareness.clientID)?.cursor === 39);
    assert.ok(b.bus.receivedMessages - bBefore >= 20, 'b, a holder, received the traffic');
    await sleep(200);
    assert.equal(c.bus.receivedMessages, cBefore, 'c, holding only another document, received none of it');
    assert.equal(idle.bus.receivedMessages, 0, 'a node holding nothing received nothing at all');
    assert.equal(idle.bus.receivedBytes, 0);
    assert.ok(!c.server.isLoaded(busy));

    // A client joining on c: c subscribes, catches up, and from then on receives the traffic.
    const late = cluster().provider(c.url, busy);
    await late.whenSynced();
    assert.equal(textOf(late.doc), textOf(onA.doc));
    const cJoined = c.bus.receivedMessages;
    onA.doc.getText('t').insert(0, 'now c too ');
    await waitFor('the late client on c to see a\'s edit', () => textOf(late.doc).startsWith('now c too '));
    assert.ok(c.bus.receivedMessages > cJoined);

    // Once it leaves and the room unloads, c stops receiving the document's traffic again.
    late.destroy();
    await waitFor('c to unload the document', () => !c.server.isLoaded(busy));
    await waitFor('c to unsubscribe', () => c.bus.subscribedDocuments === 1);
    await sleep(100);
    const cLeft = c.bus.receivedMessages;
    onB.doc.getText('t').insert(0, 'after c left ');
    await waitFor('a to see b\'s edit', () => textOf(onA.doc).startsWith('after c left '));
    await sleep(200);
    assert.equal(c.bus.receivedMessages, cLeft, 'c received nothing after it unloaded the document');
    assert.equal(idle.bus.receivedMessages, 0);
  });
});
