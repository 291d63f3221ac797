/**
 * Two nodes compacting one document at the same moment, again and again, while clients on both
 * nodes keep editing it: PostgreSQL ends holding exactly the converged document. The nodes also
 * compact by themselves (a low compaction threshold), so node-driven and direct compactions race.
 * Randomised: SEED=n replays a run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newDocId } from '../../shared/doc-id.js';
import { prng } from '../test-support/test-server.js';
import { clusterSeed, createCluster, stateVectorOf, textOf, withSeed, type Cluster } from './test-support/cluster.js';
import { sleep, waitUntil } from './test-support/wait.js';

const FILE = 'server/cluster/concurrent-compaction.test.ts';

describe('concurrent compaction in a cluster', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = createCluster();
    await cluster.startInProcess('a', { compactAfterEntries: 8 });
    await cluster.startInProcess('b', { compactAfterEntries: 8 });
  }, { timeout: 60_000 });
  after(async () => {
    await cluster.close();
  }, { timeout: 60_000 });

  it('loses nothing when two nodes compact the same document at once while edits flow', { timeout: 60_000 }, async () => {
    const seed = clusterSeed();
    await withSeed(seed, FILE, async () => {
      const random = prng(seed);
      const docId = newDocId();
      const [a, b] = cluster.inProcess;
      assert.ok(a && b);
      const clients = [a, a, b, b].map((node) => cluster.provider(node.url, docId));
      await Promise.all(clients.map((client) => client.whenSynced()));
      // Two more processes' worth of stores, compacting the same document concurrently.
      const [storeX, storeY] = await Promise.all([cluster.openStore(), cluster.openStore()]);

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
        const results = await Promise.all([storeX.compact(docId), storeY.compact(docId)]);
        merged += results.reduce((sum, result) => sum + result.entriesMerged, 0);
        await sleep(Math.floor(random() * 30));
      }
      editing = false;
      await Promise.all(editors);
      await Promise.all(clients.map((client) => client.whenSaved()));
      assert.ok(merged > 0, 'the concurrent compactions merged something');

      const reference = clients[0]!.doc;
      await waitUntil(() => clients.every((client) => stateVectorOf(client.doc) === stateVectorOf(reference)), 'every client to converge', 15_000);
      await Promise.all([storeX.compact(docId), storeY.compact(docId)]);
      const stored = await cluster.storedDoc(docId);
      assert.equal(stateVectorOf(stored), stateVectorOf(reference), 'PostgreSQL holds every change');
      assert.equal(textOf(stored), textOf(reference));
      assert.deepEqual(stored.getArray('log').toArray(), reference.getArray('log').toArray());
      // Everything is in the snapshot now, and nothing is left over in the log.
      const after = await storeX.load(docId);
      assert.equal(after?.logEntries, 0);
    });
  });
});
