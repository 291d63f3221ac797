/**
 * Deleting moves a document to the trash: its pages are told `doc-deleted` and stop, joins and
 * API requests get `doc-deleted`, a page with an offline copy cannot bring it back, the admin API
 * lists and restores it, and once it has been there `TRASH_DAYS` the sweep purges every byte,
 * leaving a tombstone. Real server, real providers, a clock the test moves.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import type { DocProvider } from '../../client/provider.js';
import { assertApiError, createDocument, http, jsonOf } from '../support/http.js';
import { appendParagraph, listVersions, nameVersion, plainText } from '../support/history.js';
import { useTestServer, type TestServer } from '../support/test-server.js';
import { sleep, waitFor } from '../support/wait.js';

const ADMIN_TOKEN = 'trash-test-admin-token-0123';
const DAY = 24 * 60 * 60 * 1000;

interface TrashJson {
  readonly trash: Array<{ id: string; deletedAt: string; purgeAt: string; sizeBytes: number; totalBytes: number }>;
}

describe('the trash', () => {
  let now = Date.UTC(2026, 5, 1, 9, 0, 0);
  const server = useTestServer({ adminToken: ADMIN_TOKEN, trashDays: 30, clock: { now: () => now }, versions: { quietMs: 60_000, maxIntervalMs: 60_000 } });
  const admin = (t: TestServer, path: string, method = 'GET') => http(`${t.url}/api/admin${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

  /** Records the error codes a provider hears. */
  function heard(provider: DocProvider): string[] {
    const codes: string[] = [];
    provider.on('error', (error) => codes.push(error.code));
    return codes;
  }

  it('moves a deleted document to the trash, tells its pages, and lets nothing bring it back', async () => {
    const t = server();
    const docName = await createDocument(t.url);
    const editor = t.provider(docName);
    await editor.whenSynced();
    appendParagraph(editor.doc, 'precious words');
    await editor.whenSaved();
    await nameVersion(t.url, docName, 'Before the accident');
    const copy = Y.encodeStateAsUpdate(editor.doc);
    const editorHeard = heard(editor);

    assert.equal((await admin(t, `/docs/${docName}`, 'DELETE')).status, 204);
    await waitFor('the page to hear doc-deleted', () => editorHeard.includes('doc-deleted'));
    await waitFor('the page to be disconnected', () => editor.status === 'disconnected');
    assert.equal(await t.server.store.status(docName), 'trashed');
    const stored = await t.server.store.load(docName);
    assert.ok(stored, 'everything is kept in the trash');

    // Joins, the document API and the history API answer doc-deleted.
    const late = t.provider(docName);
    const lateHeard = heard(late);
    await waitFor('a new page to be refused', () => lateHeard.includes('doc-deleted'));
    assertApiError(await http(`${t.url}/api/docs/${docName}`), 410, 'doc-deleted');
    assertApiError(await http(`${t.url}/api/docs/${docName}/export?format=md`), 410, 'doc-deleted');
    assertApiError(await http(`${t.url}/api/docs/${docName}/versions`), 410, 'doc-deleted');

    // A page holding its own copy reconnects: it is refused, and nothing of it is stored.
    const doc = new Y.Doc();
    Y.applyUpdate(doc, copy);
    appendParagraph(doc, 'written offline after the deletion');
    const returning = t.provider(docName, { connect: false });
    Y.applyUpdate(returning.doc, Y.encodeStateAsUpdate(doc));
    const returningHeard = heard(returning);
    returning.connect();
    await waitFor('the returning page to be refused', () => returningHeard.includes('doc-deleted'));
    await sleep(300);
    assert.equal(returning.status, 'disconnected', 'it stops trying');
    assert.equal(await t.server.store.status(docName), 'trashed');
    const after = await t.server.store.load(docName);
    assert.deepEqual(Buffer.from(after?.update ?? []), Buffer.from(stored.update), 'nothing came back from the copy');
    assert.equal(t.server.isLoaded(docName), false);

    // The admin API lists it in the trash, not among the documents.
    const trash = jsonOf(await admin(t, '/trash')) as TrashJson;
    const entry = trash.trash.find((item) => item.id === docName);
    assert.ok(entry);
    assert.equal(entry.deletedAt, new Date(now).toISOString());
    assert.equal(entry.purgeAt, new Date(now + 30 * DAY).toISOString());
    assert.ok(entry.totalBytes > entry.sizeBytes, 'the total counts the version too');
    const docs = jsonOf(await admin(t, '/docs')) as { docs: Array<{ id: string }> };
    assert.ok(!docs.docs.some((d) => d.id === docName));

    // Restored from the trash, it opens again with its content and its history.
    assert.deepEqual(jsonOf(await admin(t, `/trash/${docName}/restore`, 'POST')), { restored: docName });
    assert.equal(await t.server.store.status(docName), 'live');
    const reader = t.provider(docName);
    await reader.whenSynced();
    assert.equal(plainText(reader.doc), 'precious words');
    assert.deepEqual((await listVersions(t.url, docName)).map((version) => version.label), ['Before the accident']);
    assertApiError(await admin(t, `/trash/${docName}/restore`, 'POST'), 404, 'not-found');
  });

  it('purges documents trashed TRASH_DAYS ago, every byte, and keeps their tombstones', async () => {
    const t = server();
    const old = await createDocument(t.url);
    const recent = await createDocument(t.url);
    const editor = t.provider(old);
    await editor.whenSynced();
    appendParagraph(editor.doc, 'old content');
    await editor.whenSaved();
    await nameVersion(t.url, old, 'Old version');
    const copy = Y.encodeStateAsUpdate(editor.doc);
    editor.destroy();

    assert.equal((await admin(t, `/docs/${old}`, 'DELETE')).status, 204);
    now += 10 * DAY;
    assert.equal((await admin(t, `/docs/${recent}`, 'DELETE')).status, 204);
    now += 20 * DAY - 1;
    assert.deepEqual(await t.server.sweepTrash(), [], 'not yet: thirty days less a millisecond');
    now += 2;
    assert.deepEqual(await t.server.sweepTrash(), [old]);

    const store = t.server.store;
    assert.equal(await store.status(old), 'purged');
    assert.equal(await store.status(recent), 'trashed');
    assert.equal(await store.load(old), null);
    assert.deepEqual(await store.listVersions(old), []);
    assert.deepEqual((jsonOf(await admin(t, '/trash')) as TrashJson).trash.map((item) => item.id), [recent]);

    // The tombstone: joins get doc-deleted, and an old copy cannot bring the document back.
    const returning = t.provider(old, { connect: false });
    Y.applyUpdate(returning.doc, copy);
    const returningHeard = heard(returning);
    returning.connect();
    await waitFor('the returning page to be refused', () => returningHeard.includes('doc-deleted'));
    assert.equal(await store.load(old), null);
    assertApiError(await http(`${t.url}/api/docs/${old}`), 410, 'doc-deleted');
    assertApiError(await admin(t, `/docs/${old}`, 'DELETE'), 404, 'not-found');
    assertApiError(await admin(t, `/trash/${old}/restore`, 'POST'), 404, 'not-found');

    // Purging at once from the trash.
    assert.equal((await admin(t, `/trash/${recent}`, 'DELETE')).status, 204);
    assert.equal(await store.status(recent), 'purged');
    assertApiError(await admin(t, `/trash/${recent}`, 'DELETE'), 404, 'not-found');
    assertApiError(await admin(t, '/trash/bad/restore', 'POST'), 400, 'invalid-doc-name');
  });
});
