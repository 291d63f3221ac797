/**
 * Links over the API and on sockets: a new document's owner, edit and view links open it with
 * their roles; the owner lists, creates and revokes links; a revoked link's open pages are kicked
 * and the token then opens, joins and exports nothing, while other links keep working; tokens are
 * stored only hashed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { assertApiError, http, jsonOf } from '../support/http.js';
import { createDocWithLinks, createLink, listLinks, tokenOf, withBearer } from '../support/links.js';
import { useTestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('links', () => {
  const t = useTestServer();

  it('creates a document with owner, edit and view links that open it with their roles', async () => {
    const created = await createDocWithLinks(t().url);
    assert.deepEqual(Object.keys(created).sort(), ['editUrl', 'id', 'ownerUrl', 'viewUrl']);
    const tokens = [created.ownerUrl, created.editUrl, created.viewUrl].map(tokenOf);
    assert.equal(new Set(tokens).size, 3, 'three different tokens');
    for (const token of tokens) {
      assert.ok(!token.includes(created.id) && !created.id.includes(token), 'a token does not reveal the id');
      assert.ok(Buffer.from(token, 'base64url').length >= 16, 'at least 128 random bits');
    }
    const [owner, editor, viewer] = tokens.map((token) => t().provider(token));
    await Promise.all([owner!.whenSynced(), editor!.whenSynced(), viewer!.whenSynced()]);
    assert.deepEqual([owner!.role, editor!.role, viewer!.role], ['owner', 'edit', 'view']);
    owner!.doc.getText('t').insert(0, 'from the owner ');
    editor!.doc.getText('t').insert(0, 'and the editor ');
    await Promise.all([owner!.whenSaved(), editor!.whenSaved()]);
    await waitFor('the viewer to see both', () => viewer!.doc.getText('t').length === 'from the owner and the editor '.length);
  });

  it('stores tokens only hashed', async () => {
    const created = await createDocWithLinks(t().url);
    const tokens = [created.ownerUrl, created.editUrl, created.viewUrl].map(tokenOf);
    const stored = await t().server.store.listLinks(created.id);
    assert.deepEqual(stored.map((link) => link.tokenHash).sort(), tokens.map(sha256).sort());
    const text = JSON.stringify(stored);
    for (const token of tokens) assert.ok(!text.includes(token), 'no record holds a token');
    // Nor does any byte LevelDB wrote.
    const files = await readdir(t().dataDir);
    for (const file of files) {
      const bytes = await readFile(path.join(t().dataDir, file)).catch(() => Buffer.alloc(0));
      for (const token of tokens) assert.equal(bytes.indexOf(token), -1, `${file} holds a token in clear`);
    }
  });

  it('lets the owner list links, and shows editors only the view links', async () => {
    const created = await createDocWithLinks(t().url);
    const owner = tokenOf(created.ownerUrl);
    const listed = await listLinks(t().url, created.id, owner);
    assert.deepEqual(listed.map((link) => link.role), ['edit', 'owner', 'edit', 'view']);
    assert.equal(listed[0]!.label, 'original link');
    assert.equal(listed[0]!.url, `${t().url}/d/${created.id}`);
    for (const link of listed.slice(1)) {
      assert.equal(link.url, null, 'a token cannot be read back');
      assert.ok(link.createdAt !== null && !Number.isNaN(Date.parse(link.createdAt)));
    }
    // The owner token in the path works as well as in the header.
    const byPath = jsonOf(await http(`${t().url}/api/docs/${owner}/links`)) as { links: unknown[] };
    assert.equal(byPath.links.length, 4);
    const asEditor = await listLinks(t().url, created.id, tokenOf(created.editUrl));
    assert.deepEqual(asEditor.map((link) => link.role), ['view']);
    assertApiError(await withBearer(`${t().url}/api/docs/${created.id}/links`, tokenOf(created.viewUrl)), 403, 'read-only');
  });

  it('creates labelled links; editors may create view links only', async () => {
    const created = await createDocWithLinks(t().url);
    const owner = tokenOf(created.ownerUrl);
    const editToken = tokenOf(created.editUrl);
    const reviewers = await createLink(t().url, created.id, owner, { role: 'edit', label: 'Reviewers' });
    assert.equal(reviewers.role, 'edit');
    assert.equal(reviewers.label, 'Reviewers');
    assert.match(reviewers.url, new RegExp(`^${t().url}/d/[A-Za-z0-9_-]{32}$`));
    const provider = t().provider(tokenOf(reviewers.url));
    await provider.whenSynced();
    assert.equal(provider.role, 'edit');

    const fromEditor = await createLink(t().url, created.id, editToken, { role: 'view' });
    assert.equal(fromEditor.role, 'view');
    assertApiError(await withBearer(`${t().url}/api/docs/${created.id}/links`, editToken, 'POST', { role: 'edit' }), 403, 'forbidden');
    assertApiError(await withBearer(`${t().url}/api/docs/${created.id}/links`, owner, 'POST', { role: 'owner' }), 400, 'bad-request');
    assertApiError(await withBearer(`${t().url}/api/docs/${created.id}/links`, owner, 'POST', { role: 'view', label: 'a\u0000b' }), 400, 'bad-request');
    assertApiError(await withBearer(`${t().url}/api/docs/${created.id}/links`, owner, 'POST', { role: 'view', expiresAt: '2001-01-01T00:00:00Z' }), 400, 'bad-request');
    assertApiError(await withBearer(`${t().url}/api/docs/${created.id}/links`, owner, 'POST', { role: 'view', expiresAt: 'tomorrow' }), 400, 'bad-request');
  });

  it('revokes a link: its pages are kicked, it opens, joins and exports nothing, other links keep working', async () => {
    const created = await createDocWithLinks(t().url);
    const owner = tokenOf(created.ownerUrl);
    const editLink = await createLink(t().url, created.id, owner, { role: 'edit', label: 'Team' });
    const viewLink = await createLink(t().url, created.id, owner, { role: 'view', label: 'Readers' });
    const editToken = tokenOf(editLink.url);
    const viewToken = tokenOf(viewLink.url);
    const editors = [t().provider(editToken), t().provider(editToken)];
    const viewer = t().provider(viewToken);
    const bystander = t().provider(tokenOf(created.editUrl));
    await Promise.all([...editors, viewer, bystander].map((p) => p.whenSynced()));
    editors[0]!.doc.getText('t').insert(0, 'before');
    await editors[0]!.whenSaved();
    assert.equal((await http(`${t().url}/api/docs/${viewToken}/export?format=md`)).status, 200);

    for (const [link, pages] of [[editLink, editors], [viewLink, [viewer]]] as const) {
      const revoked = await withBearer(`${t().url}/api/docs/${created.id}/links/${link.id}`, owner, 'DELETE');
      assert.equal(revoked.status, 204, revoked.text);
      for (const page of pages) {
        await waitFor(`the page on ${link.label} to be told its link was revoked`, () => page.lastError?.code === 'link-revoked' && page.status === 'disconnected', 5000);
      }
    }
    const again = t().provider(editToken);
    await waitFor('a new page on the revoked link to be refused', () => again.lastError !== null);
    assert.equal(again.lastError?.code, 'link-revoked');
    assertApiError(await http(`${t().url}/api/docs/${viewToken}/export?format=md`), 410, 'link-revoked');
    assertApiError(await withBearer(`${t().url}/api/docs/${created.id}/export?format=md`, viewToken), 410, 'link-revoked');
    const listed = await listLinks(t().url, created.id, owner);
    assert.ok(!listed.some((link) => link.id === editLink.id || link.id === viewLink.id), 'revoked links are not listed');

    // The other link and its page are untouched.
    assert.equal(bystander.status, 'synced');
    bystander.doc.getText('t').insert(0, 'still ');
    await bystander.whenSaved();
    assertApiError(await withBearer(`${t().url}/api/docs/${created.id}/links/${editLink.id}x`, owner, 'DELETE'), 404, 'not-found');
  });

  it('refuses owner-only actions to edit and view tokens', async () => {
    const created = await createDocWithLinks(t().url);
    const owner = tokenOf(created.ownerUrl);
    const listed = await listLinks(t().url, created.id, owner);
    const someLink = listed[1]!.id;
    // A view token is refused as read-only where an editor would get further, else as not the owner.
    for (const [token, short] of [[tokenOf(created.editUrl), 'forbidden'], [tokenOf(created.viewUrl), 'read-only']] as const) {
      assertApiError(await withBearer(`${t().url}/api/docs/${created.id}/links/${someLink}`, token, 'DELETE'), 403, 'forbidden');
      assertApiError(await withBearer(`${t().url}/api/docs/${created.id}`, token, 'DELETE'), 403, 'forbidden');
      assertApiError(await withBearer(`${t().url}/api/docs/${created.id}/view-link`, token, 'POST'), 403, short);
      assertApiError(await withBearer(`${t().url}/api/docs/${created.id}/links`, token, 'POST', { role: 'edit' }), 403, short);
    }
    assert.equal((await listLinks(t().url, created.id, owner)).length, 4, 'nothing was revoked or added');
    // A token of another document does not stand for this one.
    const other = await createDocWithLinks(t().url);
    assertApiError(await withBearer(`${t().url}/api/docs/${created.id}/links`, tokenOf(other.ownerUrl)), 403, 'forbidden');
    // The owner may; the document is then gone for every link.
    assert.equal((await withBearer(`${t().url}/api/docs/${created.id}`, owner, 'DELETE')).status, 204);
  });

  it('records when a link was last used, without a write per message', async () => {
    const created = await createDocWithLinks(t().url);
    const owner = tokenOf(created.ownerUrl);
    const before = await listLinks(t().url, created.id, owner);
    const viewEntry = before.find((link) => link.role === 'view')!;
    assert.equal(viewEntry.lastUsedAt, null);
    const viewer = t().provider(tokenOf(created.viewUrl));
    await viewer.whenSynced();
    const used = await waitFor('the view link to show a last use', async () => {
      const link = (await listLinks(t().url, created.id, owner)).find((l) => l.id === viewEntry.id);
      return link?.lastUsedAt ?? null;
    });
    assert.ok(Math.abs(Date.parse(used) - Date.now()) < 60_000);
  });

  it('refuses cross-site form posts on every state-changing route', async () => {
    const created = await createDocWithLinks(t().url);
    const owner = tokenOf(created.ownerUrl);
    const crossSite = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' };
    const routes: Array<[string, string]> = [
      ['POST', '/api/docs'],
      ['POST', `/api/docs/${owner}/links`],
      ['DELETE', `/api/docs/${owner}/links/original`],
      ['POST', `/api/docs/${owner}/view-link`],
      ['DELETE', `/api/docs/${owner}`],
      ['POST', `/api/admin/docs/${created.id}/owner-link`],
      // Every other state-changing route sits behind the same guard.
      ['PUT', `/api/docs/${'d'.repeat(22)}`],
      ['POST', `/api/docs/${owner}/blobs`],
      ['POST', `/api/docs/${owner}/versions`],
      ['POST', `/api/docs/${owner}/versions/v1/restore`],
      ['DELETE', `/api/admin/docs/${created.id}`],
      ['POST', `/api/admin/trash/${created.id}/restore`],
      ['DELETE', `/api/admin/trash/${created.id}`],
    ];
    for (const [method, route] of routes) {
      assertApiError(await http(`${t().url}${route}`, { method, headers: crossSite, body: 'role=edit' }), 403, 'forbidden');
    }
    // Nothing changed: every link is still there, and the original link still opens the document.
    assert.equal((await listLinks(t().url, created.id, owner)).length, 4);
    const page = t().provider(created.id);
    await page.whenSynced();
    assert.equal(page.role, 'edit');
  });
});
