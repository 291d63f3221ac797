/**
 * Regenerating a view link on one node disconnects the pages that used the old link on every node.
 * That is a cluster-wide socket operation, carried by Socket.IO's Redis adapter.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { viewKeyOf } from '../../shared/doc-id.js';
import { getJson, textOf, useCluster } from '../support/cluster/cluster.js';
import { waitFor } from '../support/wait.js';

async function viewToken(url: string, docName: string, method: 'GET' | 'POST'): Promise<string> {
  const path = method === 'GET' ? `/api/docs/${docName}/links` : `/api/docs/${docName}/view-link`;
  const { status, body } = await getJson(url, path, { method });
  assert.equal(status, 200, `${method} ${path} answered ${status}: ${JSON.stringify(body)}`);
  const viewUrl = typeof body === 'object' && body !== null && 'viewUrl' in body ? String(body.viewUrl) : '';
  const match = /^\/v\/([A-Za-z0-9_-]{32})$/.exec(viewUrl);
  assert.ok(match?.[1], `a view URL in ${JSON.stringify(body)}`);
  return match[1];
}

describe('view links in a cluster', () => {
  const cluster = useCluster((c) => c.startProcesses(['a', 'b']));

  it('disconnects the old link\'s pages on every node when it is regenerated on one', { timeout: 60_000 }, async () => {
    const [a, b] = cluster().processes;
    assert.ok(a && b);
    const docName = await cluster().createDoc();
    const editor = cluster().provider(a.url, docName);
    await editor.whenSynced();
    editor.doc.getText('t').insert(0, 'read me');
    await editor.whenSaved();

    const oldToken = await viewToken(a.url, docName, 'GET');
    const viewerOnA = cluster().provider(a.url, viewKeyOf(oldToken));
    const viewerOnB = cluster().provider(b.url, viewKeyOf(oldToken));
    await Promise.all([viewerOnA.whenSynced(), viewerOnB.whenSynced()]);
    assert.equal(viewerOnB.role, 'view');
    assert.equal(textOf(viewerOnB.doc), 'read me');

    const newToken = await viewToken(a.url, docName, 'POST');
    assert.notEqual(newToken, oldToken);
    for (const [node, viewer] of [['a', viewerOnA], ['b', viewerOnB]] as const) {
      await waitFor(`the viewer on node ${node} to be told the link was revoked`, () => viewer.lastError?.code === 'link-revoked' && viewer.status === 'disconnected', 10_000);
    }
    // The editor, on the same node and document, is untouched.
    assert.equal(editor.status, 'synced');
    editor.doc.getText('t').insert(7, '!');
    await editor.whenSaved();

    // The old link no longer opens on any node; the new one opens everywhere.
    const stale = cluster().provider(b.url, viewKeyOf(oldToken));
    await waitFor('the old link to be refused on b', () => stale.lastError !== null, 10_000);
    assert.notEqual(stale.role, 'view');
    const fresh = cluster().provider(b.url, viewKeyOf(newToken));
    await fresh.whenSynced();
    assert.equal(fresh.role, 'view');
    await waitFor('the new link to show the document', () => textOf(fresh.doc) === 'read me!');
  });
});
