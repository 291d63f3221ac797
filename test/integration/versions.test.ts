/**
 * Version history kept by a real server (LevelDB in a temp dir), driven by real providers and
 * real HTTP: automatic versions when editing goes quiet, at the latest after the longest interval,
 * and when a room unloads; authors from what the server saw; named versions; the API's answers,
 * exports and refusals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { assertApiError, http, jsonOf } from '../support/http.js';
import { appendParagraph, listVersions, nameVersion, plainText } from '../support/history.js';
import { useTestServer } from '../support/test-server.js';
import { sleep, waitFor } from '../support/wait.js';

const QUIET_MS = 150;

describe('automatic versions after a quiet period', () => {
  const server = useTestServer({ versions: { quietMs: QUIET_MS, maxIntervalMs: 60_000 } });

  it('takes one version once editing goes quiet, with the authors the server saw', async () => {
    const t = server();
    const docName = await t.createDoc();
    const viewToken = await t.server.store.getViewToken(docName);
    const editor = t.provider(docName);
    await editor.whenSynced();
    // What a client says about itself is not what history records.
    editor.awareness.setLocalStateField('user', { name: 'Mallory' });
    appendParagraph(editor.doc, 'first draft');
    await editor.whenSaved();
    const versions = await waitFor('an automatic version', async () => {
      const listed = await listVersions(t.url, docName);
      return listed.length > 0 ? listed : null;
    });
    assert.equal(versions.length, 1);
    const [version] = versions;
    assert.ok(version);
    assert.equal(version.kind, 'auto');
    assert.equal(version.label, null);
    assert.deepEqual(version.authors, ['original link']);
    assert.ok(version.sizeBytes > 0);
    assert.ok(Math.abs(Date.parse(version.createdAt) - Date.now()) < 60_000, `a current time: ${version.createdAt}`);
    const markdown = await http(`${t.url}/api/docs/${docName}/versions/${version.id}/export?format=md`);
    assert.equal(markdown.status, 200, markdown.text);
    assert.match(markdown.text, /first draft/);

    // A reader who changes nothing makes no version, and neither does time alone.
    if (viewToken !== null) {
      const reader = t.provider(`v.${viewToken}`);
      await reader.whenSynced();
    }
    await sleep(QUIET_MS * 4);
    assert.equal((await listVersions(t.url, docName)).length, 1);

    appendParagraph(editor.doc, 'second thoughts');
    await editor.whenSaved();
    const two = await waitFor('a second version', async () => {
      const listed = await listVersions(t.url, docName);
      return listed.length === 2 ? listed : null;
    });
    assert.equal(two[1]?.id, version.id, 'newest first');
    const yjs = await http(`${t.url}/api/docs/${docName}/versions/${two[0]?.id}/export?format=yjs`);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, new Uint8Array(yjs.body));
    assert.equal(plainText(doc), 'first draft\nsecond thoughts');
    doc.destroy();
  });
});

describe('a quiet period counted from the last change', () => {
  const QUIET = 700;
  const server = useTestServer({ versions: { quietMs: QUIET, maxIntervalMs: 60_000 } });

  it('takes no version while changes keep coming closer together than the quiet period, one after', async () => {
    const t = server();
    const docName = await t.createDoc();
    const editor = t.provider(docName);
    await editor.whenSynced();
    // Typing for over twice the quiet period, a change every 100 ms.
    const started = Date.now();
    for (let line = 0; Date.now() - started < QUIET * 2.2; line++) {
      appendParagraph(editor.doc, `line ${line}`);
      await sleep(100);
    }
    await editor.whenSaved();
    assert.deepEqual(await listVersions(t.url, docName), [], 'no version while typing went on');
    const versions = await waitFor('the version after typing stopped', async () => {
      const listed = await listVersions(t.url, docName);
      return listed.length > 0 ? listed : null;
    });
    assert.equal(versions.length, 1);
    await sleep(QUIET * 1.5);
    assert.equal((await listVersions(t.url, docName)).length, 1, 'one version for one quiet period');
  });
});

describe('automatic versions during long sessions and when a room unloads', () => {
  const server = useTestServer({ versions: { quietMs: 60_000, maxIntervalMs: 300 } });

  it('takes a version at the latest after the longest interval, while edits never stop', async () => {
    const t = server();
    const docName = await t.createDoc();
    const editor = t.provider(docName);
    await editor.whenSynced();
    let typed = 0;
    await waitFor(
      'two versions while typing on',
      async () => {
        appendParagraph(editor.doc, `line ${typed++}`);
        await editor.whenSaved();
        return (await listVersions(t.url, docName)).length >= 2;
      },
      { timeoutMs: 10_000, intervalMs: 40 },
    );
    const versions = await listVersions(t.url, docName);
    assert.ok(versions.every((version) => version.kind === 'auto' && version.authors.join() === 'original link'));
  });

  it('takes a version of unversioned changes when the last page leaves', async () => {
    const t = server();
    const docName = await t.createDoc();
    const editor = t.provider(docName);
    await editor.whenSynced();
    appendParagraph(editor.doc, 'written, then the tab closed');
    await editor.whenSaved();
    assert.deepEqual(await listVersions(t.url, docName), []);
    editor.destroy();
    const [version] = await waitFor('a version once the room unloaded', async () => {
      const listed = await listVersions(t.url, docName);
      return listed.length > 0 ? listed : null;
    });
    assert.equal(version?.kind, 'auto');
    const loaded = await t.server.store.loadVersion(docName, version?.id ?? '');
    assert.ok(loaded);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, loaded.snapshot);
    assert.equal(plainText(doc), 'written, then the tab closed');
    doc.destroy();
  });
});

describe('named versions and the history API', () => {
  const server = useTestServer({ versions: { quietMs: 60_000, maxIntervalMs: 60_000 } });

  it('names the current state, lists it, exports it in every format', async () => {
    const t = server();
    const docName = await t.createDoc();
    const editor = t.provider(docName);
    await editor.whenSynced();
    appendParagraph(editor.doc, 'ready for review');
    await editor.whenSaved();
    const named = await nameVersion(t.url, docName, '  Sent to Ana  ');
    assert.deepEqual(Object.keys(named).sort(), ['authors', 'createdAt', 'id', 'kind', 'label', 'sizeBytes']);
    assert.equal(named.kind, 'named');
    assert.equal(named.label, 'Sent to Ana');
    assert.deepEqual(named.authors, ['original link'], 'who changed it since the version before');
    appendParagraph(editor.doc, 'after the review');
    await editor.whenSaved();
    const again = await nameVersion(t.url, docName, 'Second round');
    assert.deepEqual(
      (await listVersions(t.url, docName)).map((version) => version.label),
      ['Second round', 'Sent to Ana'],
    );

    const base = `${t.url}/api/docs/${docName}/versions/${named.id}/export`;
    const markdown = await http(`${base}?format=md`);
    assert.match(markdown.headers.get('content-type') ?? '', /^text\/markdown/);
    assert.match(markdown.text, /ready for review/);
    assert.doesNotMatch(markdown.text, /after the review/);
    const html = await http(`${base}?format=html`);
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(html.text, /<p>ready for review<\/p>/);
    const json = jsonOf(await http(`${base}?format=json`)) as { type: string };
    assert.equal(json.type, 'doc');
    const latest = await http(`${t.url}/api/docs/${docName}/versions/${again.id}/export?format=md`);
    assert.match(latest.text, /after the review/);
  });

  it('refuses view links, unknown versions, bad ids, bad labels and unknown formats with typed errors', async () => {
    const t = server();
    const docName = await t.createDoc();
    const named = await nameVersion(t.url, docName, 'Empty');
    const viewToken = await http(`${t.url}/api/docs/${docName}/links`).then((result) => /\/v\/(.+)$/.exec((jsonOf(result) as { viewUrl: string }).viewUrl)?.[1]);
    assert.ok(viewToken);
    assertApiError(await http(`${t.url}/api/docs/v.${viewToken}/versions`), 403, 'forbidden');
    assertApiError(await http(`${t.url}/api/docs/v.${viewToken}/versions/${named.id}/export?format=md`), 403, 'forbidden');
    assertApiError(await http(`${t.url}/api/docs/v.${viewToken}/versions/${named.id}/restore`, { method: 'POST' }), 403, 'forbidden');
    assertApiError(await http(`${t.url}/api/docs/${docName}/versions/no-such-version/export?format=md`), 404, 'not-found');
    assertApiError(await http(`${t.url}/api/docs/${docName}/versions/no-such-version/restore`, { method: 'POST' }), 404, 'not-found');
    assertApiError(await http(`${t.url}/api/docs/${docName}/versions/bad%20id/export`), 400, 'bad-request');
    assertApiError(await http(`${t.url}/api/docs/${docName}/versions/${named.id}/export?format=pdf`), 400, 'bad-request');
    const post = (body: string) => http(`${t.url}/api/docs/${docName}/versions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    for (const body of ['{}', '{"label":""}', '{"label":"   "}', '{"label":42}', `{"label":"${'x'.repeat(201)}"}`, '{"label":"two\\nlines"}']) {
      assertApiError(await post(body), 400, 'bad-request');
    }
    assertApiError(await http(`${t.url}/api/docs/not-a-document-name!/versions`), 400, 'invalid-doc-name');
    assert.equal((await listVersions(t.url, docName)).length, 1, 'nothing refused was stored');
    // The server is still up.
    assert.equal((await http(`${t.url}/healthz`)).status, 200);
  });
});
