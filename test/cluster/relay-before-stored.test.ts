/**
 * Nodes relay a change to each other at once, before it is durable anywhere, so every node that
 * relays a change stores it too. Here the node a client writes to cannot write (its disk is full,
 * by fault injection): the other node still shows the change at once, stores it, and saves what
 * its own client builds on it, while the first node never tells its client "saved".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useCluster } from '../support/cluster/cluster.js';
import { FailingDocStore } from '../support/failing-doc-store.js';
import { sleep, waitFor } from '../support/wait.js';

describe('a change relayed before the node that received it stored it', () => {
  let fullDisk: FailingDocStore | null = null;
  const cluster = useCluster(async (c) => {
    await c.startInProcess('a', {}, (store) => (fullDisk = new FailingDocStore(store)));
    await c.startInProcess('b');
  });

  it('is stored by the node that relayed it, which saves what its clients build on it', { timeout: 60_000 }, async () => {
    const [a, b] = cluster().inProcess;
    assert.ok(a && b && fullDisk);
    const docName = await cluster().createDoc();
    const onA = cluster().provider(a.url, docName);
    const onB = cluster().provider(b.url, docName);
    await Promise.all([onA.whenSynced(), onB.whenSynced()]);

    fullDisk.failing = true;
    const first = 'written on a, whose disk is full';
    onA.doc.getText('t').insert(0, first);
    await waitFor('the client on b to see the change', () => onB.doc.getText('t').toString() === first, 10_000);
    await waitFor('storage to hold the change a could not write', async () => (await cluster().storedDoc(docName)).getText('t').toString() === first, 10_000);
    assert.ok(fullDisk.refusedAppends > 0, 'a tried to write and was refused');

    onB.doc.getText('t').insert(0, 'b builds on it: ');
    await onB.whenSaved();
    assert.equal((await cluster().storedDoc(docName)).getText('t').toString(), `b builds on it: ${first}`);
    await sleep(300);
    assert.ok(onA.unsavedCount > 0 && !onA.isSaved, 'a told its client "saved" although it wrote nothing');
    fullDisk.failing = false;
    await onA.whenSaved();
  });
});
