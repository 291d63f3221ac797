/**
 * Expiring links, on a clock the test moves: a link works until its expiry, and at that moment
 * the pages open on it are told it expired and removed, and it no longer joins or exports. Links
 * without an expiry are untouched.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertApiError, http } from '../support/http.js';
import { createDocWithLinks, createLink, listLinks, tokenOf } from '../support/links.js';
import { useTestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

describe('expiring links', () => {
  let now = Date.UTC(2026, 10, 1, 12, 0, 0);
  const t = useTestServer({ clock: { now: () => now } });

  it('ends open sessions at the moment the link expires, and refuses it afterwards', async () => {
    const created = await createDocWithLinks(t().url);
    const owner = tokenOf(created.ownerUrl);
    const expiresAt = new Date(now + 60 * 60_000).toISOString();
    const editLink = await createLink(t().url, created.id, owner, { role: 'edit', label: 'For one hour', expiresAt });
    const viewLink = await createLink(t().url, created.id, owner, { role: 'view', expiresAt });
    assert.equal(editLink.expiresAt, expiresAt);
    const editor = t().provider(tokenOf(editLink.url));
    const viewer = t().provider(tokenOf(viewLink.url));
    const lasting = t().provider(tokenOf(created.editUrl));
    await Promise.all([editor.whenSynced(), viewer.whenSynced(), lasting.whenSynced()]);
    editor.doc.getText('t').insert(0, 'within the hour');
    await editor.whenSaved();

    // A minute before: nothing happens.
    now += 59 * 60_000;
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(editor.status, 'synced');
    assert.equal((await http(`${t().url}/api/docs/${tokenOf(viewLink.url)}/export?format=md`)).status, 200);

    now += 60_000;
    for (const page of [editor, viewer]) {
      await waitFor('the page to be told its link expired', () => page.lastError?.code === 'link-expired' && page.status === 'disconnected', 5000);
    }
    assert.equal(lasting.status, 'synced', 'a link without expiry is untouched');
    const late = t().provider(tokenOf(editLink.url));
    await waitFor('a late join to be refused', () => late.lastError !== null);
    assert.equal(late.lastError?.code, 'link-expired');
    assertApiError(await http(`${t().url}/api/docs/${tokenOf(viewLink.url)}/export?format=md`), 410, 'link-expired');
    // The owner still sees it, with its expiry.
    const listed = await listLinks(t().url, created.id, owner);
    assert.equal(listed.find((link) => link.id === editLink.id)?.expiresAt, expiresAt);
  });

  it('records the last use at the time of the clock', async () => {
    const created = await createDocWithLinks(t().url);
    const owner = tokenOf(created.ownerUrl);
    const viewer = t().provider(tokenOf(created.viewUrl));
    await viewer.whenSynced();
    const expected = new Date(now).toISOString();
    await waitFor('the last use to be recorded', async () => (await listLinks(t().url, created.id, owner)).find((link) => link.role === 'view')?.lastUsedAt === expected);
  });
});
