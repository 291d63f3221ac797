/**
 * `kill -9` of one node while its clients are editing. Its clients move to the surviving nodes as
 * a load balancer would send them: each destroys its provider and opens a new one, on the same
 * Y.Doc, to another node. Nothing a client was told is saved may be lost, and everyone converges.
 * Randomised: SEED=n replays a run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DocProvider } from '../../client/provider.js';
import { withSeed } from '../support/seeded.js';
import { textOf, useCluster } from '../support/cluster/cluster.js';
import { snapshotOf } from '../support/doc-state.js';
import { sleep, waitFor } from '../support/wait.js';


interface Client {
  readonly name: string;
  provider: DocProvider;
  /** List items this client added, in order. */
  readonly added: string[];
  /** Items covered by a `whenSaved()` that resolved: the server promised they are durable. */
  readonly acknowledged: Set<string>;
}

describe('a node killed mid-edit', () => {
  const cluster = useCluster((c) => c.startProcesses(['a', 'b', 'c']));

  it('loses nothing acknowledged as saved once its clients reconnect to the other nodes', { timeout: 60_000 }, async () => {
    await withSeed(async (_seed, random) => {
      const docName = await cluster().createDoc();
      const [a, b, c] = cluster().processes;
      assert.ok(a && b && c);
      const clients: Client[] = [];
      for (const [node, count] of [[a, 3], [b, 2], [c, 1]] as const) {
        for (let i = 0; i < count; i++) {
          clients.push({ name: `${node.name}${i}`, provider: cluster().provider(node.url, docName), added: [], acknowledged: new Set() });
        }
      }
      await Promise.all(clients.map((client) => client.provider.whenSynced()));

      let editing = true;
      const edit = async (client: Client): Promise<void> => {
        let n = 0;
        while (editing) {
          const doc = client.provider.doc;
          const item = `${client.name}:${n++}`;
          doc.getArray<string>('log').push([item]);
          const text = doc.getText('t');
          text.insert(Math.floor(random() * (text.length + 1)), item[0]!);
          client.added.push(item);
          // Ask for a save acknowledgement now and then; what it covers must survive.
          if (random() < 0.3) {
            const covered = client.added.slice();
            client.provider.whenSaved().then(
              () => covered.forEach((saved) => client.acknowledged.add(saved)),
              () => undefined, // the provider was destroyed (moved): no promise was made
            );
          }
          await sleep(5 + Math.floor(random() * 20));
        }
      };
      const editors = clients.map((client) => edit(client));

      await sleep(300 + Math.floor(random() * 700));
      const exit = await a.kill9();
      assert.equal(exit.signal, 'SIGKILL');
      // The load balancer sends a's clients elsewhere; the same Y.Doc keeps its unsent edits.
      const survivors = [b, c];
      for (const client of clients.filter((cl) => cl.name.startsWith('a'))) {
        const doc = client.provider.doc;
        client.provider.destroy();
        client.provider = cluster().provider(survivors[Math.floor(random() * survivors.length)]!.url, docName, doc);
      }
      await Promise.all(clients.map((client) => client.provider.whenSynced()));
      await sleep(400);
      editing = false;
      await Promise.all(editors);

      await Promise.all(clients.map((client) => client.provider.whenSaved()));
      const reference = clients[0]!.provider.doc;
      await waitFor(
        'every client to converge',
        () => clients.every((client) => snapshotOf(client.provider.doc) === snapshotOf(reference) && textOf(client.provider.doc) === textOf(reference)),
        20_000,
      );
      const live = new Set(reference.getArray<string>('log').toArray());
      for (const client of clients) for (const item of client.added) assert.ok(live.has(item), `${item} reached every client`);

      const stored = await cluster().storedDoc(docName);
      const storedItems = new Set(stored.getArray<string>('log').toArray());
      const lost = clients.flatMap((client) => [...client.acknowledged].filter((item) => !storedItems.has(item)));
      const missingDependencies = stored.store.pendingStructs !== null ? ' (the stored log lacks changes that these depend on)' : '';
      assert.deepEqual(lost, [], `every change acknowledged as saved is in PostgreSQL${missingDependencies}`);
      // Every provider now reports nothing unsaved ("All changes saved"): that must be true.
      assert.equal(snapshotOf(stored), snapshotOf(reference), 'PostgreSQL holds the whole converged document');
      assert.equal(textOf(stored), textOf(reference));
      assert.ok(b.alive && c.alive, 'the surviving nodes still run');
    });
  });
});

describe('a node killed while holding changes it could not store', () => {
  const cluster = useCluster(async (c) => {
    // Two nodes whose database link the tests cut (one per test, as each test kills its node).
    await c.startProcesses(['a1', 'a2'], { cuttableDatabase: true });
    await c.startProcesses(['b']);
  });

  /** A writer on `node` with one stored change, then one it cannot store (its database is cut). */
  async function unstoredChange(nodeName: string, docName: string): Promise<DocProvider> {
    const node = cluster().processes.find((p) => p.name === nodeName)!;
    const writer = cluster().provider(node.url, docName);
    await writer.whenSynced();
    writer.doc.getText('t').insert(0, 'stored; ');
    await writer.whenSaved();
    cluster().databaseProxies.get(nodeName)!.cut();
    writer.doc.getText('t').insert(8, 'unstored');
    await sleep(200);
    assert.equal(writer.unsavedCount, 1, `${nodeName} did not acknowledge what it could not store`);
    return writer;
  }

  /** Kills `nodeName`, moves the writer to b, and checks that everything it holds ends stored. */
  async function killAndMove(nodeName: string, docName: string, writer: DocProvider): Promise<void> {
    await cluster().processes.find((p) => p.name === nodeName)!.kill9();
    const b = cluster().processes.find((p) => p.name === 'b')!;
    const doc = writer.doc;
    writer.destroy();
    const moved = cluster().provider(b.url, docName, doc);
    await moved.whenSynced();
    await moved.whenSaved();
    assert.equal(moved.unsavedCount, 0);
    assert.equal(textOf(doc), 'stored; unstored');
    const stored = await cluster().storedDoc(docName);
    assert.equal(textOf(stored), 'stored; unstored', 'the provider reports everything saved, so PostgreSQL must hold it');
  }

  it('leaves a change another node received live stored once the client moved there', { timeout: 60_000 }, async () => {
    const docName = await cluster().createDoc();
    const b = cluster().processes.find((p) => p.name === 'b')!;
    // b holds the document too, so it hears a1's changes on the room bus.
    const watcher = cluster().provider(b.url, docName);
    await watcher.whenSynced();
    const writer = await unstoredChange('a1', docName);
    await sleep(300);
    await killAndMove('a1', docName, writer);
    await waitFor('the watcher on b to see the change', () => textOf(watcher.doc) === 'stored; unstored');
  });

  it('leaves a change another node caught up on stored once the client moved there', { timeout: 60_000 }, async () => {
    const docName = await cluster().createDoc();
    const b = cluster().processes.find((p) => p.name === 'b')!;
    const writer = await unstoredChange('a2', docName);
    // b loads the document only now, and catches up on it from a2.
    const reader = cluster().provider(b.url, docName);
    await reader.whenSynced();
    await waitFor('b to catch up on a2\'s unstored change', () => textOf(reader.doc) === 'stored; unstored');
    await killAndMove('a2', docName, writer);
  });
});
