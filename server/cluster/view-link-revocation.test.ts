/**
 * Regenerating a view link on one node disconnects the pages that used the old link on every node.
 * That is a cluster-wide socket operation, carried by Socket.IO's Redis adapter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newDocId, viewKeyOf } from '../../shared/doc-id.js';
import { createCluster, getJson, textOf, type Cluster } from './test-support/cluster.js';
import { waitUntil } from './test-support/wait.js';

async function viewToken(url: string, docId: string, method: 'GET' | 'POST'): Promise<string> {
  const path = method === 'GET' ? `/api/docs/${docId}/links` : `/api/docs/${docId}/view-link`;
  const { status, body } = await getJson(url, path, { method });
  assert.equal(status, 200, `${method} ${path} answered ${status}: ${JSON.stringify(body)}`);
  const viewUrl = typeof body === 'object' && body !== null && 'viewUrl' in body ? String(body.viewUrl) : '';
  const match = /^\/v\/([A-Za-z0-9_-]{32})$/.exec(viewUrl);
  assert.ok(match?.[1], `a view URL in ${JSON.stringify(body)}`);
  return match[1];
}

describe('view links in a cluster', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = createCluster();
    await cluster.startProcesses(['a', 'b']);
  }, { timeout: 120_000 });
  after(async () => {
    await cluster.close();
  }, { timeout: 60_000 });

  it('disconnects the old link\'s pages on every node when it is regenerated on one', { timeout: 60_000 }, async () => {
    const [a, b] = cluster.processes;
    assert.ok(a && b);
    const docId = newDocId();
    const editor = cluster.provider(a.url, docId);
    await editor.whenSynced();
    editor.doc.getText('t').insert(0, 'read me');
    await editor.whenSaved();

    const oldToken = await viewToken(a.url, docId, 'GET');
    const viewerOnA = cluster.provider(a.url, viewKeyOf(oldToken));
    const viewerOnB = cluster.provider(b.url, viewKeyOf(oldToken));
    await Promise.all([viewerOnA.whenSynced(), viewerOnB.whenSynced()]);
    assert.equal(viewerOnB.role, 'view');
    assert.equal(textOf(viewerOnB.doc), 'read me');

    const newToken = await viewToken(a.url, docId, 'POST');
    assert.notEqual(newToken, oldToken);
    for (const [node, viewer] of [['a', viewerOnA], ['b', viewerOnB]] as const) {
      await waitUntil(() => viewer.lastError?.code === 'link-revoked' && viewer.status === 'disconnected', `the viewer on node ${node} to be told the link was revoked`, 10_000);
    }
    // The editor, on the same node and document, is untouched.
    assert.equal(editor.status, 'synced');
    editor.doc.getText('t').insert(7, '!');
    await editor.whenSaved();

    // The old link no longer opens on any node; the new one opens everywhere.
    const stale = cluster.provider(b.url, viewKeyOf(oldToken));
    await waitUntil(() => stale.lastError !== null, 'the old link to be refused on b', 10_000);
    assert.notEqual(stale.role, 'view');
    const fresh = cluster.provider(b.url, viewKeyOf(newToken));
    await fresh.whenSynced();
    assert.equal(fresh.role, 'view');
    await waitUntil(() => textOf(fresh.doc) === 'read me!', 'the new link to show the document');
  });
});
