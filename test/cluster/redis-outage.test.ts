/**
 * Redis cut off from every node for a few seconds (each node reaches Redis through a proxy that
 * the test severs; the shared Redis server itself is never touched). No node crashes, each keeps
 * serving its own clients, /readyz says "not ready" while cut off, and after Redis returns every
 * client and PostgreSQL converge, including a document first opened during the outage.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DocProvider } from '../../client/provider.js';
import { viewKeyOf } from '../../shared/doc-id.js';
import { getJson, textOf, useCluster } from '../support/cluster/cluster.js';
import { snapshotOf } from '../support/doc-state.js';
import { sleep, waitFor } from '../support/wait.js';

async function readiness(url: string): Promise<{ status: number; cluster: unknown }> {
  const { status, body } = await getJson(url, '/readyz');
  const checks = typeof body === 'object' && body !== null && 'checks' in body ? (body.checks as Record<string, unknown>) : {};
  return { status, cluster: checks.cluster };
}

function converged(providers: readonly DocProvider[]): boolean {
  const first = providers[0]!.doc;
  return providers.every((p) => textOf(p.doc) === textOf(first) && snapshotOf(p.doc) === snapshotOf(first));
}

describe('Redis cut off from the cluster', () => {
  const cluster = useCluster((c) => c.startProcesses(['a', 'b', 'c'], { cuttableRedis: true }));

  it('crashes nothing, reports not ready while cut off, and converges once Redis is back', { timeout: 60_000 }, async () => {
    const nodes = cluster().processes;
    const docName = await cluster().createDoc();
    const clients = nodes.map((node) => cluster().provider(node.url, docName));
    await Promise.all(clients.map((client) => client.whenSynced()));
    clients[0]!.doc.getText('t').insert(0, '[base]');
    await waitFor('the base text to reach every node', () => converged(clients));
    for (const node of nodes) assert.deepEqual(await readiness(node.url), { status: 200, cluster: true });
    const links = await getJson(nodes[0]!.url, `/api/docs/${docName}/links`);
    const oldToken = /\/v\/(\S+)$/.exec(String((links.body as { viewUrl?: unknown }).viewUrl))?.[1];
    assert.ok(oldToken, 'a view link');
    const viewer = cluster().provider(nodes[0]!.url, viewKeyOf(oldToken));
    await viewer.whenSynced();

    for (const proxy of cluster().redisProxies.values()) proxy.cut();
    for (const node of nodes) {
      await waitFor(`node ${node.name} to report not ready`, async () => (await readiness(node.url)).status === 503, 10_000);
      assert.equal((await readiness(node.url)).cluster, false);
    }

    // Each node keeps serving its own clients while the nodes cannot reach each other.
    clients.forEach((client, i) => client.doc.getText('t').insert(0, `[${nodes[i]!.name} offline]`));
    clients[1]!.doc.getText('t').delete(clients[1]!.doc.getText('t').toString().indexOf('[base]'), '[base]'.length);
    const sameNode = cluster().provider(nodes[1]!.url, docName);
    await sameNode.whenSynced();
    await waitFor('a second client on b to get b\'s state', () => textOf(sameNode.doc) === textOf(clients[1]!.doc));
    // A document first opened during the outage, on two nodes.
    const lateDoc = await cluster().createDoc();
    const lateA = cluster().provider(nodes[0]!.url, lateDoc);
    const lateC = cluster().provider(nodes[2]!.url, lateDoc);
    await Promise.all([lateA.whenSynced(), lateC.whenSynced()]);
    lateA.doc.getText('t').insert(0, 'from a ');
    lateC.doc.getText('t').insert(0, 'from c ');
    await Promise.all([...clients, lateA, lateC].map((client) => client.whenSaved()));
    // Revoking a link needs a cluster-wide disconnect, which cannot leave the node now: the local
    // page is disconnected at once, and the node must not fall over on the queued publish.
    const regenerated = await getJson(nodes[0]!.url, `/api/docs/${docName}/view-link`, { method: 'POST' });
    assert.equal(regenerated.status, 200);
    await waitFor('the viewer on a to be disconnected', () => viewer.lastError?.code === 'link-revoked');
    await sleep(1500);
    assert.ok(!textOf(clients[0]!.doc).includes('[c offline]'), 'nothing crossed while Redis was cut off');
    assert.ok(!textOf(lateA.doc).includes('from c'));
    for (const node of nodes) assert.equal((await readiness(node.url)).status, 503, `node ${node.name} still reports not ready`);

    for (const proxy of cluster().redisProxies.values()) proxy.restore();
    for (const node of nodes) {
      await waitFor(`node ${node.name} to report ready again`, async () => (await readiness(node.url)).status === 200, 15_000);
    }
    const everyone = [...clients, sameNode];
    await waitFor('every client of the first document to converge', () => converged(everyone), 15_000);
    await waitFor('both clients of the document opened during the outage to converge', () => converged([lateA, lateC]), 15_000);
    const text = textOf(clients[0]!.doc);
    for (const node of nodes) assert.ok(text.includes(`[${node.name} offline]`), `the edit made on ${node.name} during the outage survived`);
    assert.ok(!text.includes('[base]'), 'the deletion made on b during the outage reached everyone');
    assert.equal(textOf(lateA.doc).length, 'from a from c '.length);

    for (const node of nodes) assert.ok(node.alive, `node ${node.name} is still running:\n${node.log}`);
    const stored = await cluster().storedDoc(docName);
    assert.equal(textOf(stored), text, 'PostgreSQL holds the converged document');
    const storedLate = await cluster().storedDoc(lateDoc);
    assert.equal(textOf(storedLate), textOf(lateA.doc));
  });
});
