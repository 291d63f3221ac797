/**
 * Revoking a link on one node kicks the pages open on it on every node (three processes on real
 * PostgreSQL and Redis), each told under the name it joined with; the token then joins nothing
 * anywhere, and pages on the document's other links stay.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDocWithLinks, createLink, tokenOf, withBearer } from '../support/links.js';
import { textOf, useCluster } from '../support/cluster/cluster.js';
import { waitFor } from '../support/wait.js';

describe('link revocation in a cluster', () => {
  const cluster = useCluster((c) => c.startProcesses(['a', 'b', 'c']));

  it('kicks the revoked link\'s pages on all three nodes and keeps the others', { timeout: 90_000 }, async () => {
    const [a, b, c] = cluster().processes;
    assert.ok(a && b && c);
    const created = await createDocWithLinks(a.url);
    const owner = tokenOf(created.ownerUrl);
    const shared = await createLink(b.url, created.id, owner, { role: 'edit', label: 'Contractors' });
    const token = tokenOf(shared.url);

    const pages = [a, b, c].map((node) => cluster().provider(node.url, token));
    const stays = [a, b, c].map((node) => cluster().provider(node.url, tokenOf(created.viewUrl)));
    await Promise.all([...pages, ...stays].map((page) => page.whenSynced()));
    pages[2]!.doc.getText('t').insert(0, 'typed on c');
    await pages[2]!.whenSaved();
    await waitFor('every page to see the text', () => [...pages, ...stays].every((page) => textOf(page.doc) === 'typed on c'), 10_000);

    const revoked = await withBearer(`${c.url}/api/docs/${created.id}/links/${shared.id}`, owner, 'DELETE');
    assert.equal(revoked.status, 204, revoked.text);
    for (const [index, page] of pages.entries()) {
      await waitFor(`the page on node ${'abc'[index]} to be told the link was revoked`, () => page.lastError?.code === 'link-revoked' && page.status === 'disconnected', 10_000);
    }
    for (const page of stays) assert.equal(page.status, 'synced');

    for (const node of [a, b, c]) {
      const late = cluster().provider(node.url, token);
      await waitFor('the revoked token to be refused', () => late.lastError !== null, 10_000);
      assert.equal(late.lastError?.code, 'link-revoked');
    }
  });
});
