/**
 * The document API over real HTTP against a real server (LevelDB in a temp dir): creating
 * documents, reading their metadata, exporting them in every format through the edit id and the
 * view key, the safety of exports, and the admin API (auth, list, delete with pages open).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import type { DocProvider } from '../../client/provider.js';
import { isDocId, isViewToken, newDocId, newViewToken } from '../../shared/doc-id.js';
import { FRAGMENT_NAME } from '../../document/fragment.js';
import { markdownToPm, pmToYUpdate } from '../../document/doc-format.js';
import { activeHtmlParts, activeMarkdownParts, forbiddenStrings } from '../support/export-safety.js';
import { assertApiError, http, jsonOf, type HttpResult } from '../support/http.js';
import { EVERY_TYPE, FULL_MARKDOWN, typesIn, writeAsPeer } from '../support/sample-docs.js';
import { startTestServer, type TestServer, useTestServer } from '../support/test-server.js';
import { sleep, waitFor } from '../support/wait.js';

const ADMIN_TOKEN = 'test-admin-token-0123456789';

interface Created {
  readonly id: string;
  readonly editUrl: string;
  readonly viewUrl: string;
  /** The view token from viewUrl. */
  readonly token: string;
}

interface DocInfo {
  readonly id: string;
  readonly title: string | null;
  readonly sizeBytes: number;
  readonly updatedAt: string | null;
  readonly connected: number;
}

async function create(t: TestServer, body?: { type: string; content: string }): Promise<Created> {
  const result = await http(`${t.url}/api/docs`, {
    method: 'POST',
    headers: body ? { 'content-type': body.type } : {},
    body: body?.content,
  });
  assert.equal(result.status, 201, result.text);
  const created = jsonOf(result) as Omit<Created, 'token'>;
  assert.deepEqual(Object.keys(created).sort(), ['editUrl', 'id', 'ownerUrl', 'viewUrl']);
  assert.ok(isDocId(created.id), `a valid document id: ${created.id}`);
  for (const url of [created.editUrl, created.viewUrl]) {
    assert.match(url, new RegExp(`^${t.url}/d/[A-Za-z0-9_-]{32}$`));
    assert.ok(!url.includes(created.id), 'a link does not reveal the id');
  }
  // The document's regenerable view link (`/v/`), which these tests use as the view key.
  const links = jsonOf(await http(`${t.url}/api/docs/${created.id}/links`)) as { viewUrl: string };
  const match = /^\/v\/([^/]+)$/.exec(links.viewUrl);
  assert.ok(match?.[1] !== undefined && isViewToken(match[1]), `a view URL: ${links.viewUrl}`);
  return { ...created, token: match[1] };
}

async function info(t: TestServer, id: string): Promise<DocInfo> {
  const result = await http(`${t.url}/api/docs/${id}`);
  assert.equal(result.status, 200, result.text);
  return jsonOf(result) as DocInfo;
}

async function exportDoc(t: TestServer, name: string, format: string): Promise<HttpResult> {
  const result = await http(`${t.url}/api/docs/${name}/export?format=${format}`);
  assert.equal(result.status, 200, `export ${format} of ${name}: ${result.text.slice(0, 300)}`);
  return result;
}

/** The fragment of a Yjs export, as a string, read into a fresh Y.Doc. */
function fragmentOfYjsExport(result: HttpResult): string {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, new Uint8Array(result.body));
    return doc.getXmlFragment(FRAGMENT_NAME).toString();
  } finally {
    doc.destroy();
  }
}

async function synced(...providers: DocProvider[]): Promise<void> {
  await Promise.all(providers.map((p) => p.whenSynced()));
}

describe('document API', () => {
  const t = useTestServer();

  it('creates an empty document that exists and can be opened', async () => {
    const created = await create(t());
    const got = await info(t(), created.id);
    assert.equal(got.id, created.id);
    assert.equal(got.title, '');
    assert.equal(got.connected, 0);
    const provider = t().provider(created.id);
    await provider.whenSynced();
    assert.equal(provider.doc.getXmlFragment(FRAGMENT_NAME).length, 0);
  });

  it('creates a document from a Markdown body and describes it', async () => {
    const before = Date.now();
    const created = await create(t(), { type: 'text/markdown', content: '# Plans for *May*\n\nSome text.\n' });
    const got = await info(t(), created.id);
    assert.equal(got.id, created.id);
    assert.equal(got.title, 'Plans for May');
    assert.ok(got.sizeBytes > 0, `sizeBytes ${got.sizeBytes}`);
    assert.ok(got.updatedAt !== null && !Number.isNaN(Date.parse(got.updatedAt)), `updatedAt ${got.updatedAt}`);
    assert.ok(Date.parse(got.updatedAt) >= before - 1000 && Date.parse(got.updatedAt) <= Date.now() + 1000);
    assert.equal(got.connected, 0);
  });

  it('creates a document from an HTML body', async () => {
    const created = await create(t(), { type: 'text/html; charset=utf-8', content: '<p>intro</p><h2>The <b>real</b> title</h2>' });
    const got = await info(t(), created.id);
    assert.equal(got.title, 'The real title');
    assert.ok(got.sizeBytes > 0);
  });

  it('creates a document from JSON { markdown }', async () => {
    const created = await create(t(), { type: 'application/json', content: JSON.stringify({ markdown: '## From JSON\n\nbody' }) });
    assert.equal((await info(t(), created.id)).title, 'From JSON');
  });

  it('refuses a JSON body whose markdown is not a string, and malformed JSON', async () => {
    const wrongType = await http(`${t().url}/api/docs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"markdown":5}' });
    assertApiError(wrongType, 400, 'bad-request');
    const malformed = await http(`${t().url}/api/docs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"markdown":' });
    assertApiError(malformed, 400, 'bad-request');
  });

  it('counts the providers joined now', async () => {
    const created = await create(t(), { type: 'text/markdown', content: '# Count\n' });
    const a = t().provider(created.id);
    const b = t().provider(`v.${created.token}`);
    await synced(a, b);
    assert.equal(b.role, 'view');
    assert.equal((await info(t(), created.id)).connected, 2);
    a.destroy();
    b.destroy();
    await waitFor('the room to unload', () => !t().server.isLoaded(created.id));
    assert.equal((await info(t(), created.id)).connected, 0);
  });

  it('answers 404 for an unknown id and 400 for a malformed one, in the error shape', async () => {
    assertApiError(await http(`${t().url}/api/docs/${newDocId()}`), 404, 'not-found');
    assertApiError(await http(`${t().url}/api/docs/too-short`), 400, 'invalid-doc-name');
    assertApiError(await http(`${t().url}/api/docs/${'x'.repeat(65)}`), 400, 'invalid-doc-name');
    assertApiError(await http(`${t().url}/api/docs/bad%20id%20with%20spaces`), 400, 'invalid-doc-name');
    assertApiError(await http(`${t().url}/api/no-such-endpoint`), 404, 'not-found');
  });

  describe('export', () => {
    let created: Created;
    before(async () => {
      created = await create(t(), { type: 'text/markdown', content: FULL_MARKDOWN });
    });

    for (const via of ['edit id', 'view key'] as const) {
      const name = () => (via === 'edit id' ? created.id : `v.${created.token}`);

      it(`exports Markdown through the ${via} with the same structure as was imported`, async () => {
        const result = await exportDoc(t(), name(), 'md');
        assert.match(result.headers.get('content-type') ?? '', /^text\/markdown/);
        const original = markdownToPm(FULL_MARKDOWN);
        for (const type of EVERY_TYPE) assert.ok(typesIn(original).has(type), type);
        assert.deepEqual(markdownToPm(result.text).toJSON(), original.toJSON(), result.text);
      });

      it(`exports HTML through the ${via}`, async () => {
        const result = await exportDoc(t(), name(), 'html');
        assert.match(result.headers.get('content-type') ?? '', /^text\/html/);
        assert.match(result.headers.get('content-security-policy') ?? '', /default-src 'none'/);
        assert.match(result.text, /<title>First heading<\/title>/);
        for (const tag of ['<h1>', '<h2>', '<h3>', '<strong>', '<em>', '<s>', '<code>', '<ul>', '<ol start="3">', '<blockquote>', '<pre>', '<hr>', '<br>']) {
          assert.ok(result.text.includes(tag), `${tag} in the HTML export`);
        }
        assert.match(result.text, /<a [^>]*href="https:\/\/example\.com\/page"/);
      });

      it(`exports ProseMirror JSON through the ${via}`, async () => {
        const result = await exportDoc(t(), name(), 'json');
        assert.match(result.headers.get('content-type') ?? '', /^application\/json/);
        assert.deepEqual(jsonOf(result), JSON.parse(JSON.stringify(markdownToPm(FULL_MARKDOWN).toJSON())));
      });

      it(`exports the Yjs state through the ${via}, equal to what a provider sees`, async () => {
        const provider = t().provider(created.id);
        await provider.whenSynced();
        const result = await exportDoc(t(), name(), 'yjs');
        assert.match(result.headers.get('content-type') ?? '', /^application\/octet-stream/);
        const seen = provider.doc.getXmlFragment(FRAGMENT_NAME).toString();
        assert.ok(seen.length > 100);
        assert.equal(fragmentOfYjsExport(result), seen);
        provider.destroy();
      });
    }

    it('exports live edits of a loaded document, and the same after it unloads', async () => {
      const doc = await create(t());
      const a = t().provider(doc.id);
      await a.whenSynced();
      writeAsPeer(a.doc, (_p, text) => text.insert(0, 'typed live', { strong: {} }));
      await a.whenSaved();
      assert.ok(t().server.isLoaded(doc.id));
      const first = await exportDoc(t(), doc.id, 'yjs');
      assert.equal(fragmentOfYjsExport(first), a.doc.getXmlFragment(FRAGMENT_NAME).toString());
      assert.equal((await exportDoc(t(), doc.id, 'md')).text.trim(), '**typed live**');
      // The open document's encoding is kept until it changes: a change after an export is in the next.
      writeAsPeer(a.doc, (_p, text) => text.insert(text.length, ' and more'));
      await a.whenSaved();
      const live = await exportDoc(t(), doc.id, 'yjs');
      assert.notEqual(fragmentOfYjsExport(live), fragmentOfYjsExport(first));
      assert.equal(fragmentOfYjsExport(live), a.doc.getXmlFragment(FRAGMENT_NAME).toString());
      assert.match((await exportDoc(t(), doc.id, 'md')).text, /and more/);
      a.destroy();
      await waitFor('the room to unload', () => !t().server.isLoaded(doc.id));
      const stored = await exportDoc(t(), `v.${doc.token}`, 'yjs');
      assert.equal(fragmentOfYjsExport(stored), fragmentOfYjsExport(live));
    });

    it('refuses an unknown format, a malformed name and an unknown view key', async () => {
      assertApiError(await http(`${t().url}/api/docs/${created.id}/export?format=pdf`), 400, 'bad-request');
      assertApiError(await http(`${t().url}/api/docs/nope/export?format=md`), 400, 'invalid-doc-name');
      assertApiError(await http(`${t().url}/api/docs/v.${newViewToken()}/export?format=md`), 404, 'not-found');
      assertApiError(await http(`${t().url}/api/docs/${newDocId()}/export?format=md`), 404, 'not-found');
    });
  });

  describe('export safety', () => {
    const HOSTILE_HTML =
      '<h1 onclick="steal()">Hostile</h1><p>Hello <img src="x" onerror="alert(1)"><script>alert(2)</script>' +
      '<a href="javascript:alert(3)">one</a> <a href=" JaVaScRiPt:alert(4)" onmouseover="alert(5)">two</a></p>' +
      '<iframe src="javascript:alert(6)"></iframe><svg><script>alert(7)</script></svg><style>*{}</style>';

    it('exports a document imported from hostile HTML without script, handlers or javascript: links', async () => {
      const created = await create(t(), { type: 'text/html', content: HOSTILE_HTML });
      for (const name of [created.id, `v.${created.token}`]) {
        const html = (await exportDoc(t(), name, 'html')).text;
        const markdown = (await exportDoc(t(), name, 'md')).text;
        assert.deepEqual(forbiddenStrings(html), [], html);
        assert.deepEqual(forbiddenStrings(markdown), [], markdown);
        assert.deepEqual(activeHtmlParts(html, { allowPageHead: true }), [], html);
        assert.deepEqual(activeMarkdownParts(markdown), [], markdown);
        assert.match(html, /Hello/);
        assert.match(markdown, /one two/);
      }
    });

    it('exports a javascript: link a peer wrote straight into the Yjs document as plain text', async () => {
      const created = await create(t());
      const peer = t().provider(created.id);
      await peer.whenSynced();
      writeAsPeer(peer.doc, (_p, text) => {
        text.insert(0, 'click me', { link: { href: 'javascript:alert(document.cookie)', title: null } });
        text.insert(0, 'and me ', { link: { href: '\u0001 JAVA\tSCRIPT:alert(1)', title: null } });
      });
      await peer.whenSaved();
      for (const name of [created.id, `v.${created.token}`]) {
        const html = (await exportDoc(t(), name, 'html')).text;
        const markdown = (await exportDoc(t(), name, 'md')).text;
        assert.deepEqual(forbiddenStrings(html), [], html);
        assert.deepEqual(forbiddenStrings(markdown), [], markdown);
        assert.deepEqual(activeHtmlParts(html, { allowPageHead: true }), [], html);
        assert.deepEqual(activeMarkdownParts(markdown), [], markdown);
        assert.match(html, /and me click me/);
      }
    });

    it('leaves the live document unchanged when exporting content the schema cannot hold', async () => {
      // y-prosemirror deletes what it cannot convert; on the server that would silently fork the
      // room's copy from every peer's and from storage. Such content can no longer be written
      // (the server refuses it), but a document stored before that may still hold it.
      const created = await create(t());
      const legacy = new Y.Doc();
      writeAsPeer(legacy, (_p, text, fragment) => {
        text.insert(0, 'ordinary text');
        const script = new Y.XmlElement('script');
        script.insert(0, [new Y.XmlText('alert(1)')]);
        fragment.insert(fragment.length, [script]);
      });
      await t().server.store.append([{ docName: created.id, update: Y.encodeStateAsUpdate(legacy) }]);
      legacy.destroy();
      const peer = t().provider(created.id);
      await peer.whenSynced();
      await peer.whenSaved();
      const html = (await exportDoc(t(), created.id, 'html')).text;
      assert.deepEqual(forbiddenStrings(html), [], html);
      const expected = peer.doc.getXmlFragment(FRAGMENT_NAME).toString();
      assert.equal(t().server.loadedDoc(created.id)?.getXmlFragment(FRAGMENT_NAME).toString(), expected, 'the server copy');
      assert.equal(fragmentOfYjsExport(await exportDoc(t(), created.id, 'yjs')), expected, 'the Yjs export');
      const late = t().provider(created.id);
      await late.whenSynced();
      assert.equal(late.doc.getXmlFragment(FRAGMENT_NAME).toString(), expected, 'a late joiner');
    });
  });
});

describe('admin API', () => {
  it('is off without ADMIN_TOKEN', async () => {
    const t = await startTestServer();
    try {
      assertApiError(await http(`${t.url}/api/admin/docs`), 404, 'disabled');
      assertApiError(await http(`${t.url}/api/admin/docs`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }), 404, 'disabled');
      assertApiError(await http(`${t.url}/api/admin/docs/${newDocId()}`, { method: 'DELETE' }), 404, 'disabled');
    } finally {
      await t.close();
    }
  });

  describe('with ADMIN_TOKEN', () => {
    let t: TestServer;
    const admin = (path: string, method = 'GET') => http(`${t.url}/api/admin${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    before(async () => {
      t = await startTestServer({ adminToken: ADMIN_TOKEN });
    });
    after(async () => {
      await t.close();
    });

    it('wants the token: 401 without it, 403 when wrong', async () => {
      const missing = await http(`${t.url}/api/admin/docs`);
      assertApiError(missing, 401, 'unauthorized');
      assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer/);
      assertApiError(await http(`${t.url}/api/admin/docs`, { headers: { authorization: ADMIN_TOKEN } }), 401, 'unauthorized');
      assertApiError(await http(`${t.url}/api/admin/docs`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}x` } }), 403, 'forbidden');
      assertApiError(await http(`${t.url}/api/admin/docs`, { headers: { authorization: 'Bearer short' } }), 403, 'forbidden');
      assertApiError(await http(`${t.url}/api/admin/docs/${newDocId()}`, { method: 'DELETE', headers: { authorization: 'Bearer wrong' } }), 403, 'forbidden');
    });

    it('lists the stored documents', async () => {
      const one = await create(t, { type: 'text/markdown', content: '# One' });
      const two = await create(t, { type: 'text/markdown', content: '# Two' });
      const peer = t.provider(two.id);
      await peer.whenSynced();
      const result = await admin('/docs');
      assert.equal(result.status, 200, result.text);
      const { docs } = jsonOf(result) as { docs: Array<{ id: string; sizeBytes: number; updatedAt: string; connected: number }> };
      const byId = new Map(docs.map((d) => [d.id, d]));
      assert.ok(byId.get(one.id)!.sizeBytes > 0);
      assert.ok(!Number.isNaN(Date.parse(byId.get(one.id)!.updatedAt)));
      assert.equal(byId.get(one.id)!.connected, 0);
      assert.equal(byId.get(two.id)!.connected, 1);
      peer.destroy();
    });

    it('deletes a document with pages open: disconnects them and moves it to the trash', async () => {
      const created = await create(t, { type: 'text/markdown', content: '# Doomed\n\ncontent' });
      const editor = t.provider(created.id);
      const viewer = t.provider(`v.${created.token}`);
      await synced(editor, viewer);
      writeAsPeer(editor.doc, (_p, text) => text.insert(0, 'last words'));
      await editor.whenSaved();
      const editorErrors: string[] = [];
      editor.on('error', (error) => editorErrors.push(error.code));

      const result = await admin(`/docs/${created.id}`, 'DELETE');
      assert.equal(result.status, 204, result.text);
      await waitFor('the edit page to hear doc-deleted', () => editorErrors.includes('doc-deleted'));
      await waitFor('both pages to be disconnected', () => editor.status === 'disconnected' && viewer.status === 'disconnected');

      // Kept in the trash (trash.test.ts follows it to its purge), served to nobody.
      const store = t.server.store;
      assert.equal(await store.status(created.id), 'trashed');
      const kept = await store.load(created.id);
      assert.ok(kept);
      assert.equal(t.server.isLoaded(created.id), false);
      assertApiError(await http(`${t.url}/api/docs/${created.id}`), 410, 'doc-deleted');
      assertApiError(await http(`${t.url}/api/docs/v.${created.token}/export?format=md`), 410, 'doc-deleted');
      const listed = jsonOf(await admin('/docs')) as { docs: Array<{ id: string }> };
      assert.ok(!listed.docs.some((d) => d.id === created.id));

      // The pages stay away: nothing comes back after their reconnect delay.
      await sleep(700);
      assert.equal(editor.status, 'disconnected');
      assert.equal(viewer.status, 'disconnected');
      assert.deepEqual(Buffer.from((await store.load(created.id))?.update ?? []), Buffer.from(kept.update), 'no page brought anything back');

      await t.restart();
      assert.equal(await t.server.store.status(created.id), 'trashed');
      assert.ok(!(await t.server.store.list()).some((d) => d.docName === created.id));
    });

    it('tells a page open through the view link that the document was deleted', async () => {
      const created = await create(t, { type: 'text/markdown', content: '# Doomed too' });
      const viewer = t.provider(`v.${created.token}`);
      await viewer.whenSynced();
      const heard: string[] = [];
      viewer.on('error', (error) => heard.push(error.code));
      assert.equal((await admin(`/docs/${created.id}`, 'DELETE')).status, 204);
      await waitFor('the view page to be disconnected', () => viewer.status === 'disconnected');
      await waitFor('the view page to hear doc-deleted', () => heard.includes('doc-deleted'), 2000).catch((error: Error) => {
        error.message += ` It heard ${JSON.stringify(heard)}; lastError ${JSON.stringify(viewer.lastError)}.`;
        throw error;
      });
    });

    it('answers 404 when deleting an unknown document and 400 for a malformed id', async () => {
      assertApiError(await admin(`/docs/${newDocId()}`, 'DELETE'), 404, 'not-found');
      assertApiError(await admin('/docs/bad', 'DELETE'), 400, 'invalid-doc-name');
    });
  });
});

describe('document API when the conversion workers refuse', () => {
  // A 1 ms limit: reading anything of a stored document of 5,000 paragraphs in the worker is
  // refused (`too-costly`), as it would be for a document too large for the workers.
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ conversions: { timeoutMs: 1 } });
  });
  after(async () => {
    await t.close();
  });

  it('describes a document nobody has open with title null, and refuses its export with a typed error', async () => {
    const docName = newDocId();
    // Written straight to storage: importing it would go through the workers too.
    await t.server.store.append([{ docName, update: pmToYUpdate(markdownToPm(`# Kept title\n\n${'word\n\n'.repeat(5000)}`)) }]);
    assert.equal(t.server.isLoaded(docName), false);
    const got = await info(t, docName);
    assert.equal(got.title, null, 'the title could not be read now');
    assert.ok(got.sizeBytes > 0);
    assertApiError(await http(`${t.url}/api/docs/${docName}/export?format=md`), 422, 'too-costly');
  });
});
