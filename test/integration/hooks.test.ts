/**
 * The embedder's hooks on a real server: `authorize` decides the role of every join and every API
 * request (socket and HTTP alike, with the token and headers it came with), and observers are told
 * what happened without ever standing between a change and *saved*, even when they throw.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthorizeRequest, QuireObserver } from '../../server/core/hooks.js';
import { assertApiError, http } from '../support/http.js';
import { RawClient } from '../support/raw-client.js';
import { useTestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

describe('hooks', () => {
  const requests: AuthorizeRequest[] = [];
  const seen: { loaded: string[]; stored: number; refused: string[]; relayed: number } = { loaded: [], stored: 0, refused: [], relayed: 0 };
  const readers = new Set<string>();
  const banned = new Set<string>();
  const observer: QuireObserver = {
    roomLoaded: ({ docName }) => seen.loaded.push(docName),
    changesStored: ({ entries }) => {
      seen.stored += entries;
      throw new Error('an observer that throws must not stop anything');
    },
    clientRefused: ({ code }) => seen.refused.push(code),
    changeRelayed: ({ recipients }) => (seen.relayed += recipients),
  };
  const t = useTestServer({
    hooks: {
      ...observer,
      authorize: (request) => {
        requests.push(request);
        if (banned.has(request.docName)) return null;
        if (readers.has(request.docName)) return 'view';
        return undefined;
      },
    },
  });

  it('asks authorize for every join, with the token and the handshake headers, and keeps Quire\'s role when it returns undefined', async () => {
    const docName = await t().createDoc();
    const provider = t().provider(docName, { token: 'secret-of-the-embedder' });
    await provider.whenSynced();
    assert.equal(provider.role, 'edit');
    const request = requests.find((r) => r.docName === docName);
    assert.ok(request, 'authorize was asked');
    assert.equal(request.via, 'socket');
    assert.equal(request.role, 'edit');
    assert.equal(request.token, 'secret-of-the-embedder');
    assert.equal(typeof request.headers['host'], 'string');
    assert.match(request.address, /127\.0\.0\.1/);
  });

  it('grants the role authorize returns, and refuses with forbidden when it returns null', async () => {
    const viewOnly = await t().createDoc();
    readers.add(viewOnly);
    const reader = t().provider(viewOnly);
    await reader.whenSynced();
    assert.equal(reader.role, 'view');

    const closed = await t().createDoc();
    banned.add(closed);
    const client = await RawClient.connect(t().url);
    try {
      const reply = await client.join(closed);
      assert.deepEqual(reply, { ok: false, error: { code: 'forbidden', message: 'Access to this document was refused.', docName: closed } });
    } finally {
      await client.close();
    }
    await waitFor('the refusal to reach the observer', () => seen.refused.includes('forbidden'));
  });

  it('is asked for API requests too, with the bearer token, and its answer holds there', async () => {
    const created = await http(`${t().url}/api/docs`, { method: 'POST', headers: { 'content-type': 'text/markdown' }, body: '# Hooked' });
    assert.equal(created.status, 201, created.text);
    const { id } = JSON.parse(created.text) as { id: string };
    const allowed = await http(`${t().url}/api/docs/${id}/export?format=md`, { headers: { authorization: 'Bearer api-token' } });
    assert.equal(allowed.status, 200, allowed.text);
    const request = requests.find((r) => r.docName === id && r.via === 'http');
    assert.ok(request, 'authorize was asked for the export');
    assert.equal(request.token, 'api-token');

    banned.add(id);
    assertApiError(await http(`${t().url}/api/docs/${id}/export?format=md`), 403, 'forbidden');
    readers.add(id);
    banned.delete(id);
    assertApiError(await http(`${t().url}/api/docs/${id}`), 403, 'read-only');
    assert.equal((await http(`${t().url}/api/docs/${id}/export?format=md`)).status, 200, 'a reader may still export');
  });

  it('tells observers what happened, and a throwing observer stops nothing', async () => {
    const docName = await t().createDoc();
    const a = t().provider(docName);
    const b = t().provider(docName);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    const storedBefore = seen.stored;
    a.doc.getText('t').insert(0, 'observed');
    await a.whenSaved();
    await waitFor('b to receive the edit', () => b.doc.getText('t').toString() === 'observed');
    assert.ok(seen.loaded.includes(docName), 'roomLoaded was told');
    assert.ok(seen.stored > storedBefore, 'changesStored was told (and threw)');
    assert.ok(seen.relayed > 0, 'changeRelayed was told');
  });
});
