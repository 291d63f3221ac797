/**
 * Documents made before links: the id stays an edit link ("original link") until an owner
 * revokes it; the admin API mints an owner link for them; their `/v/` view link keeps working; and
 * the view link's regeneration stays open to editors until the document has an owner.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { viewKeyOf } from '../../shared/doc-id.js';
import { assertApiError, http, jsonOf } from '../support/http.js';
import { listLinks, tokenOf, withBearer } from '../support/links.js';
import { useTestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

const ADMIN_TOKEN = 'links-legacy-admin-token-0123';

describe('documents made before links', () => {
  const t = useTestServer({ adminToken: ADMIN_TOKEN });

  it('keep their id as the original link until the owner the admin minted revokes it', async () => {
    const docName = await t().createDoc();
    const byId = t().provider(docName);
    await byId.whenSynced();
    assert.equal(byId.role, 'edit');
    byId.doc.getText('t').insert(0, 'old words');
    await byId.whenSaved();

    const listed = await listLinks(t().url, docName, docName);
    assert.deepEqual(listed.map((link) => [link.id, link.role, link.label]), [['original', 'edit', 'original link']]);
    const links = jsonOf(await http(`${t().url}/api/docs/${docName}/links`)) as { editUrl: string; viewUrl: string };
    assert.equal(links.editUrl, `/d/${docName}`);
    const viewToken = /^\/v\/([A-Za-z0-9_-]{32})$/.exec(links.viewUrl)?.[1];
    assert.ok(viewToken);
    // No owner yet: any editor may still replace the view link, as before links.
    const replaced = await http(`${t().url}/api/docs/${docName}/view-link`, { method: 'POST' });
    assert.equal(replaced.status, 200, replaced.text);
    const newViewToken = (jsonOf(replaced) as { viewKey: string }).viewKey.slice(2);
    assert.notEqual(newViewToken, viewToken);

    assertApiError(await http(`${t().url}/api/admin/docs/${docName}/owner-link`, { method: 'POST' }), 401, 'unauthorized');
    const minted = await http(`${t().url}/api/admin/docs/${docName}/owner-link`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(minted.status, 201, minted.text);
    const owner = tokenOf((jsonOf(minted) as { ownerUrl: string }).ownerUrl);
    assertApiError(await http(`${t().url}/api/admin/docs/${'x'.repeat(22)}/owner-link`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }), 404, 'not-found');

    // Now only the owner replaces the view link.
    assertApiError(await http(`${t().url}/api/docs/${docName}/view-link`, { method: 'POST' }), 403, 'forbidden');
    assert.equal((await withBearer(`${t().url}/api/docs/${docName}/view-link`, owner, 'POST')).status, 200);
    const currentView = (jsonOf(await http(`${t().url}/api/docs/${docName}/links`)) as { viewUrl: string }).viewUrl.slice(3);
    const viewer = t().provider(viewKeyOf(currentView));
    await viewer.whenSynced();

    const revoked = await withBearer(`${t().url}/api/docs/${docName}/links/original`, owner, 'DELETE');
    assert.equal(revoked.status, 204, revoked.text);
    await waitFor('the page opened by id to be told the link was revoked', () => byId.lastError?.code === 'link-revoked' && byId.status === 'disconnected', 5000);
    const again = t().provider(docName);
    await waitFor('the id to be refused', () => again.lastError !== null);
    assert.equal(again.lastError?.code, 'link-revoked');
    assertApiError(await http(`${t().url}/api/docs/${docName}/export?format=md`), 410, 'link-revoked');
    assert.deepEqual((await listLinks(t().url, docName, owner)).map((link) => link.role), ['owner']);
    // Revoking it twice is harmless; the /v/ link still works.
    assert.equal((await withBearer(`${t().url}/api/docs/${docName}/links/original`, owner, 'DELETE')).status, 204);
    assert.equal(viewer.status, 'synced');
    assert.equal(viewer.doc.getText('t').toString(), 'old words');
    const exported = await http(`${t().url}/api/docs/${viewKeyOf(currentView)}/export?format=md`);
    assert.equal(exported.status, 200);
  });
});
