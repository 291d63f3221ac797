/**
 * Three node processes (no load balancer): clients spread over them co-edit one document,
 * and everybody (clients, a late joiner on each node, and PostgreSQL) ends with the same document.
 * Randomised: SEED=n replays a run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import type { DocProvider } from '../../client/provider.js';
import { withSeed } from '../support/seeded.js';
import { textOf, useCluster } from '../support/cluster/cluster.js';
import { snapshotOf } from '../support/doc-state.js';
import { waitFor } from '../support/wait.js';


describe('a three-node cluster', () => {
  const cluster = useCluster((c) => c.startProcesses(['a', 'b', 'c']));

  it('lets clients on different nodes co-edit one document, and serves a late joiner anywhere the full state', { timeout: 60_000 }, async () => {
    await withSeed(async (_seed, random) => {
      const docName = await cluster().createDoc();
      const nodes = cluster().processes;
      // Two clients per node.
      const clients: DocProvider[] = [];
      for (const node of nodes) for (let i = 0; i < 2; i++) clients.push(cluster().provider(node.url, docName));
      await Promise.all(clients.map((client) => client.whenSynced()));

      // Rounds of concurrent random edits: inserts, deletes, list items; each client on its own.
      for (let round = 0; round < 30; round++) {
        for (const client of clients) {
          if (random() < 0.4) continue;
          const text = client.doc.getText('t');
          if (text.length > 4 && random() < 0.3) {
            const at = Math.floor(random() * (text.length - 2));
            text.delete(at, 1 + Math.floor(random() * 2));
          } else {
            text.insert(Math.floor(random() * (text.length + 1)), String.fromCharCode(97 + Math.floor(random() * 26)).repeat(1 + Math.floor(random() * 3)));
          }
          client.doc.getArray<string>('log').push([`${clients.indexOf(client)}:${round}`]);
        }
        if (random() < 0.3) await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 15)));
      }
      await Promise.all(clients.map((client) => client.whenSaved()));
      const reference = clients[0]!.doc;
      await waitFor(
        'every client to converge',
        () => clients.every((client) => textOf(client.doc) === textOf(reference) && snapshotOf(client.doc) === snapshotOf(reference)),
        15_000,
      );
      assert.ok(textOf(reference).length > 0);
      const logLength = reference.getArray('log').length;
      assert.ok(logLength > 0);

      // A late joiner on each node gets the whole document from that node.
      for (const node of nodes) {
        const late = cluster().provider(node.url, docName);
        await late.whenSynced();
        assert.equal(textOf(late.doc), textOf(reference), `the late joiner on node ${node.name} sees the text`);
        assert.equal(late.doc.getArray('log').length, logLength, `the late joiner on node ${node.name} sees every list item`);
        assert.equal(snapshotOf(late.doc), snapshotOf(reference));
        late.destroy();
      }

      // Every change was stored once by the node that received it: PostgreSQL holds it all.
      const stored = await cluster().storedDoc(docName);
      assert.equal(textOf(stored), textOf(reference), 'the stored document has the text');
      assert.equal(snapshotOf(stored), snapshotOf(reference), 'the stored document has every change');
      for (const node of nodes) assert.ok(node.alive, `node ${node.name} is still running`);
    });
  });

  it('gives a client on a node that never held the document everything written on the others', { timeout: 60_000 }, async () => {
    const docName = await cluster().createDoc();
    const [a, b, c] = cluster().processes;
    assert.ok(a && b && c);
    const first = cluster().provider(a.url, docName);
    const second = cluster().provider(b.url, docName);
    await Promise.all([first.whenSynced(), second.whenSynced()]);
    first.doc.getText('t').insert(0, 'written on a; ');
    await waitFor('b to relay a\'s edit', () => textOf(second.doc) === 'written on a; ');
    second.doc.getText('t').insert(textOf(second.doc).length, 'written on b');
    await Promise.all([first.whenSaved(), second.whenSaved()]);
    first.destroy();
    second.destroy();
    const fresh = cluster().provider(c.url, docName, new Y.Doc());
    await fresh.whenSynced();
    assert.equal(textOf(fresh.doc), 'written on a; written on b');
  });
});
