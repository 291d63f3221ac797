/**
 * `PUT /api/docs/<id>`: a document a device started offline, created under the id the device
 * made, once it is back online; then joined and written like any other.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newDocId } from '../../shared/doc-id.js';
import { useTestServer } from '../support/test-server.js';

const server = useTestServer();

async function put(id: string): Promise<{ status: number; body: { id?: string; error?: { code: string; message: string } } }> {
  const response = await fetch(`${server().url}/api/docs/${encodeURIComponent(id)}`, { method: 'PUT' });
  return { status: response.status, body: (await response.json()) as { id?: string; error?: { code: string; message: string } } };
}

describe('documents made on a device', () => {
  it('creates the document under the device\'s id, once, and lets it be joined and written', async () => {
    const id = newDocId();
    const first = await put(id);
    assert.equal(first.status, 201);
    assert.equal(first.body.id, id);
    assert.equal((await put(id)).status, 200, 'creating it again is harmless');

    const provider = server().provider(id);
    await provider.whenSynced();
    provider.doc.getText('t').insert(0, 'made offline');
    await provider.whenSaved();
    assert.equal(provider.role !== null, true);
  });

  it('refuses ids of another shape with a sentence', async () => {
    const short = await put('abcdefghijklmnop');
    assert.equal(short.status, 400);
    assert.equal(short.body.error?.code, 'invalid-doc-name');
    assert.match(short.body.error?.message ?? '', /22 characters/);
    assert.equal((await put('x'.repeat(32))).status, 400, 'a link token\'s shape is not a device id');
  });

  it('does not bring a deleted document back', async () => {
    const id = newDocId();
    assert.equal((await put(id)).status, 201);
    await server().server.store.purge(id, Date.now());
    const again = await put(id);
    assert.equal(again.status, 410);
    assert.equal(again.body.error?.code, 'doc-deleted');
  });
});
