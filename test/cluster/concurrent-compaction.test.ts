/**
 * Two nodes compacting one document at the same moment, again and again, while clients on both
 * nodes keep editing it: PostgreSQL ends holding exactly the converged document. The nodes also
 * compact by themselves (a low compaction threshold), so node-driven and direct compactions race.
 * Randomised: SEED=n replays a run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withSeed } from '../support/seeded.js';
import { textOf, useCluster } from '../support/cluster/cluster.js';
import { snapshotOf } from '../support/doc-state.js';
import { sleep, waitFor } from '../support/wait.js';


describe('concurrent compaction in a cluster', () => {
  const cluster = useCluster(async (c) => {
    await c.startInProcess('a', { compactAfterEntries: 8 });
    await c.startInProcess('b', { compactAfterEntries: 8 });
  });

  it('loses nothing when two nodes compact the same document at once while edits flow', { timeout: 60_000 }, async () => {
    await withSeed(async (_seed, random) => {
      const docName = await cluster().createDoc();
      const [a, b] = cluster().inProcess;
      assert.ok(a && b);
      const clients = [a, a, b, b].map((node) => cluster().provider(node.url, docName));
      await Promise.all(clients.map((client) => client.whenSynced()));
      // Two more processes' worth of stores, compacting the same document concurrently.
      const [storeX, storeY] = await Promise.all([cluster().openStore(), cluster().openStore()]);

      let editing = true;
      let edits = 0;
      const editors = clients.map(async (client, i) => {
        while (editing) {
          const text = client.doc.getText('t');
          if (text.length > 10 && random() < 0.25) text.delete(Math.floor(random() * (text.length - 3)), 2);
          else text.insert(Math.floor(random() * (text.length + 1)), `${i}${edits++ % 10}`);
          client.doc.getArray<number>('log').push([edits]);
          await sleep(2 + Math.floor(random() * 10));
        }
      });
      let merged = 0;
      for (let round = 0; round < 25; round++) {
        const results = await Promise.all([storeX.compact(docName), storeY.compact(docName)]);
        merged += results.reduce((sum, result) => sum + result.entriesMerged, 0);
        await sleep(Math.floor(random() * 30));
      }
      editing = false;
      await Promise.all(editors);
      await Promise.all(clients.map((client) => client.whenSaved()));
      assert.ok(merged > 0, 'the concurrent compactions merged something');

      const reference = clients[0]!.doc;
      await waitFor('every client to converge', () => clients.every((client) => snapshotOf(client.doc) === snapshotOf(reference)), 15_000);
      await Promise.all([storeX.compact(docName), storeY.compact(docName)]);
      const stored = await cluster().storedDoc(docName);
      assert.equal(snapshotOf(stored), snapshotOf(reference), 'PostgreSQL holds every change');
      assert.equal(textOf(stored), textOf(reference));
      assert.deepEqual(stored.getArray('log').toArray(), reference.getArray('log').toArray());
      // Everything is in the snapshot now, and nothing is left over in the log.
      const after = await storeX.load(docName);
      assert.equal(after?.logEntries, 0);
    });
  });
});
