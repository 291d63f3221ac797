/**
 * Pages the server refuses: each gets a page that says what happened and leads home, never an
 * editor and never "saved"; and a refused page keeps no copy of the document in the browser.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import * as Y from 'yjs';
import { newDocId, newViewToken } from '../shared/doc-id.js';
import { encodeUpdateMessage } from '../shared/protocol.js';
import { craftedItems } from '../test/support/crafted-updates.js';
import { makePng } from '../test/support/png.js';
import { MirrorDoc, RawClient } from '../test/support/raw-client.js';
import { createDoc, deleteDocAsAdmin, regenerateViewLink } from '../test/support/e2e/api.js';
import { caretToEndOfBlock, createPerson, PAGE_TIMEOUT_MS, waitForSaved, waitForText, type Person } from '../test/support/e2e/editor-page.js';
import { refuseJoins } from '../test/support/e2e/join-refusal.js';
import { flushIndexedDb } from '../test/support/e2e/page-actions.js';
import { sightings, watchSightings } from '../test/support/e2e/page-watch.js';
import { runScenario, type Scenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { REPO_ROOT } from '../test/support/server-process.js';
import { waitFor } from '../test/support/wait.js';

const ADMIN_TOKEN = 'refusals-test-admin-token';
const e2e = useBrowserAndServer({ env: { ADMIN_TOKEN } });

/** Waits for the refusal page and returns its heading. */
async function refusalTitle(page: Page): Promise<string> {
  await page.locator('#refusal').waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
  return ((await page.locator('#refusal-title').textContent()) ?? '').trim();
}

/**
 * Checks the parts every refusal page has: a way home, no editor, no toolbar, no share button; and
 * a download of the page's copy only where the page lost its copy (`keepsCopy`), never where the
 * document was taken away.
 */
async function assertRefusalPage(page: Page, keepsCopy = false): Promise<void> {
  assert.equal(await page.locator('#refusal-home').getAttribute('href'), '/');
  assert.equal(await page.locator('#refusal-home').isVisible(), true, 'the way home is visible');
  assert.equal(await page.locator('#refusal-keep').isVisible(), keepsCopy, keepsCopy ? "no download of the page's copy" : "a download of the page's copy");
  for (const selector of ['#editor', '#toolbar', '#share-button']) {
    assert.equal(await page.locator(selector).isVisible(), false, `${selector} is visible on a refusal page`);
  }
  assert.match((await page.locator('#refusal-text').textContent()) ?? '', /\w{3,}/, 'the page explains what happened');
}

/**
 * A change appending a paragraph holding `text` and the picture of blob `pictureId` to the
 * document as the server holds it now, made by Yjs client `client` and not sent.
 */
async function offlineParagraph(url: string, docId: string, client: number, text: string, pictureId: string): Promise<Uint8Array> {
  const reader = await RawClient.connect(url);
  try {
    assert.deepEqual(await reader.join(docId), { ok: true, role: 'edit' });
    const mirror = new MirrorDoc(reader, docId);
    await mirror.syncFromServer();
    const local = new Y.Doc();
    local.clientID = client;
    Y.applyUpdate(local, Y.encodeStateAsUpdate(mirror.doc));
    mirror.destroy();
    const before = Y.encodeStateVector(local);
    const paragraph = new Y.XmlElement('paragraph');
    const picture = new Y.XmlElement('image');
    picture.setAttribute('src', pictureId);
    picture.setAttribute('alt', 'A picture');
    paragraph.insert(0, [new Y.XmlText(text), picture]);
    const fragment = local.getXmlFragment('prosemirror');
    fragment.insert(fragment.length, [paragraph]);
    return Y.encodeStateAsUpdate(local, before);
  } finally {
    await reader.close();
  }
}

/** Names of this origin's IndexedDB databases. */
async function databases(page: Page): Promise<string[]> {
  return page.evaluate(async () => (await indexedDB.databases()).map((db) => db.name ?? ''));
}

/** A person whose pages are watched for what they ever show (see page-watch.ts). */
async function watchedPerson(scenario: Scenario, name: string, secrets: readonly string[], prepare?: Parameters<typeof createPerson>[2]): Promise<Person> {
  const person = await createPerson(scenario.browser, name, prepare);
  scenario.people.push(person);
  await watchSightings(person.context, secrets);
  return person;
}

describe('refused pages', () => {
  it('New document on the home page has the server create the document, so that its link opens it', { timeout: 60_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const person = await watchedPerson(scenario, 'Newcomer', []);
      await person.page.goto(scenario.url('/'), { timeout: PAGE_TIMEOUT_MS });
      await person.page.locator('#new-doc').click();
      await person.page.waitForURL(/\/d\/[A-Za-z0-9_-]{16,64}$/, { timeout: PAGE_TIMEOUT_MS });
      await person.page.locator('#editor .ProseMirror').waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
      const id = new URL(person.page.url()).pathname.split('/').pop() ?? '';
      const response = await fetch(`${server.url}/api/docs/${id}`);
      assert.equal(response.status, 200, 'the server does not know the new document');
      assert.equal(await person.page.locator('#refusal').isVisible(), false);
    });
  });

  it('a viewer whose link is revoked gets a page saying so, and a reload shows nothing of the document', { timeout: 60_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const secret = 'Secret plan for the team.';
      const doc = await createDoc(server.url, `${secret}\n`);
      const viewer = await scenario.open(doc.viewPath, 'Viewer', { typeName: false });
      await waitForText([viewer.page], secret);
      assert.ok((await flushIndexedDb(viewer.page)) > 0, 'the viewer keeps a copy in IndexedDB while the link works');
      const dbName = `quire:v.${doc.viewPath.split('/').pop()}`;

      await regenerateViewLink(server.url, doc.id, doc.ownerUrl);
      assert.equal(await refusalTitle(viewer.page), 'This link was revoked');
      await assertRefusalPage(viewer.page);
      await waitFor('the viewer\'s copy of the document to be deleted', async () => !(await databases(viewer.page)).includes(dbName), {
        timeoutMs: PAGE_TIMEOUT_MS,
      });

      await watchSightings(viewer.context, [secret]);
      await viewer.page.reload({ timeout: PAGE_TIMEOUT_MS });
      assert.equal(await refusalTitle(viewer.page), 'This link was revoked');
      await assertRefusalPage(viewer.page);
      const seen = await sightings(viewer.page);
      assert.deepEqual(seen.texts, [], 'the reloaded page showed the document');
      assert.equal(seen.editorShown, false, 'the reloaded page showed an editor');
    });
  });

  it('an editor whose document is deleted gets a page saying so; the browser forgets the document', { timeout: 60_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const secret = 'Quarterly numbers, draft.';
      const doc = await createDoc(server.url, `${secret}\n`);
      const alice = await scenario.open(doc.editPath, 'Alice');
      await waitForText([alice.page], secret);
      assert.ok((await flushIndexedDb(alice.page)) > 0);
      const recent = async (): Promise<string> => alice.page.evaluate(() => localStorage.getItem('quire:recent') ?? '');
      assert.match(await recent(), new RegExp(doc.id), 'the document is in the recent list while it exists');

      await deleteDocAsAdmin(server.url, doc.id, ADMIN_TOKEN);
      assert.equal(await refusalTitle(alice.page), 'This document was deleted');
      await assertRefusalPage(alice.page);
      await waitFor('the copy of the document to be deleted', async () => !(await databases(alice.page)).includes(`quire:${doc.id}`), {
        timeoutMs: PAGE_TIMEOUT_MS,
      });
      assert.doesNotMatch(await recent(), new RegExp(doc.id), 'the deleted document is still in the recent list');

      await watchSightings(alice.context, [secret]);
      await alice.page.reload({ timeout: PAGE_TIMEOUT_MS });
      // The server refuses the document now too: the reloaded page says so and shows nothing of it.
      await alice.page.locator('#refusal').waitFor({ timeout: PAGE_TIMEOUT_MS });
      await alice.page.waitForTimeout(500);
      assert.deepEqual((await sightings(alice.page)).texts, [], 'the reloaded page showed the deleted document');
    });
  });

  it("a page whose copy holds a change the server cannot apply is told so, empties the copy, and another tab saves on", { timeout: 90_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const doc = await createDoc(server.url, 'What the server holds.\n');
      // A text of someone else's beside the editor's, to place the change against.
      const notes = new Y.Doc();
      notes.clientID = 31_000;
      notes.getText('notes').insert(0, 'notes');
      const other = await RawClient.connect(server.url);
      try {
        assert.deepEqual(await other.join(doc.id), { ok: true, role: 'edit' });
        assert.deepEqual(await other.sync(doc.id, encodeUpdateMessage(Y.encodeStateAsUpdate(notes))), { ok: true });
      } finally {
        await other.close();
      }
      const alice = await scenario.open(doc.editPath, 'Alice');
      await waitForText([alice.page], 'What the server holds.');
      // A paragraph only the browser's copy holds, typed offline as it were, with a picture the
      // server has: it goes out in the same handshake as the change, and is refused with it.
      const png = makePng({ width: 12, height: 8 });
      const uploaded = await fetch(`${server.url}/api/docs/${doc.id}/blobs`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: new Uint8Array(png) });
      assert.equal(uploaded.status, 201);
      const { id: pictureId } = (await uploaded.json()) as { id: string };
      const offline = await offlineParagraph(server.url, doc.id, 31_901, 'Only in this browser.', pictureId);
      const dbName = await alice.page.evaluate(() => `quire:${(window as unknown as { quire: { docName: string } }).quire.docName}`);
      // The browser's copy is given a change its sender could not have typed ("hello" at the start
      // of that text, before its last character: what a copy that met Yjs's undo fault can hold).
      // Alice's open tab does not read it; a second tab opening the document does.
      const change = Array.from(craftedItems([{ client: 31_900, clock: 0, items: [{ rightOrigin: [31_000, 4], text: 'hello' }] }]));
      const updates = [change, Array.from(offline)];
      await alice.page.evaluate(async ({ name, updates }) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open(name);
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        await new Promise<void>((resolve, reject) => {
          const transaction = db.transaction(['updates'], 'readwrite');
          for (const bytes of updates) transaction.objectStore('updates').add(Uint8Array.from(bytes));
          transaction.oncomplete = () => resolve();
          transaction.onerror = () => reject(transaction.error);
        });
        db.close();
      }, { name: dbName, updates });
      const second = await alice.context.newPage();
      await second.goto(scenario.url(doc.editPath), { timeout: PAGE_TIMEOUT_MS });
      assert.equal(await refusalTitle(second), 'This page could not save its copy');
      await assertRefusalPage(second, true);
      // What the page held, the paragraph the server never took included, can be downloaded.
      const [download] = await Promise.all([second.waitForEvent('download', { timeout: PAGE_TIMEOUT_MS }), second.locator('#refusal-keep').click()]);
      assert.equal(download.suggestedFilename(), "What the server holds (this page's copy).html");
      const kept = await readFile(await download.path(), 'utf8');
      assert.match(kept, /<title>What the server holds\.<\/title>/);
      assert.match(kept, /<p>What the server holds\.<\/p><p>Only in this browser\.<img [^>]*><\/p>/);
      // The picture is inside the file, and nothing in it names the document (whoever is given
      // the file could open the document with its address).
      assert.ok(kept.includes(`src="data:image/png;base64,${Buffer.from(png).toString('base64')}"`), 'the picture is not in the file');
      assert.ok(!kept.includes(doc.id), 'the copy names the document');
      // The first tab, sent through the server's resync, goes on saving into the same copy.
      await alice.page.bringToFront();
      await caretToEndOfBlock(alice.page, 0);
      await alice.page.keyboard.type(' Typed after.');
      await waitForSaved(alice.page);
      const reader = await RawClient.connect(server.url);
      try {
        assert.deepEqual(await reader.join(doc.id), { ok: true, role: 'edit' });
        const mirror = new MirrorDoc(reader, doc.id);
        await mirror.syncFromServer();
        assert.equal(mirror.text('notes'), 'notes', 'the refused change reached the document');
        assert.match(mirror.doc.getXmlFragment('prosemirror').toString(), /Typed after\./, "the other tab's typing was not saved");
        mirror.destroy();
      } finally {
        await reader.close();
      }
      // The emptied copy no longer holds the change: a reload opens the document, editable.
      await second.reload({ timeout: PAGE_TIMEOUT_MS });
      await waitForText([second], 'What the server holds. Typed after.');
      assert.equal(await second.locator('#refusal').isVisible(), false);
      assert.doesNotMatch((await second.locator('#editor').textContent()) ?? '', /Only in this browser/, 'the refused paragraph came back');
    });
  });

  it('a join refused with link-expired, forbidden or doc-deleted gets its own page, never an editor nor "saved"', { timeout: 60_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const doc = await createDoc(server.url, 'Nothing to see.\n');
      const cases = [
        ['link-expired', 'This link has expired'],
        ['forbidden', 'You do not have access'],
        ['doc-deleted', 'This document was deleted'],
      ] as const;
      // Three people at once, each refused with another code (the test server cannot send these
      // on demand; see join-refusal.ts).
      await Promise.all(
        cases.map(async ([code, title]) => {
          const person = await watchedPerson(scenario, `Refused (${code})`, ['Nothing to see.'], { prepare: (context) => refuseJoins(context, code) });
          await person.page.goto(scenario.url(doc.editPath), { timeout: PAGE_TIMEOUT_MS });
          assert.equal(await refusalTitle(person.page), title, code);
          await assertRefusalPage(person.page);
          const seen = await sightings(person.page);
          assert.equal(seen.editorShown, false, `${code}: an editor was shown`);
          assert.equal(seen.saved, false, `${code}: "All changes saved" was shown`);
          assert.deepEqual(seen.texts, [], code);
          assert.deepEqual(person.pageErrors, [], code);
        }),
      );
    });
  });

  it('a view link that never existed says it does not work, without showing an editor', { timeout: 60_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const person = await watchedPerson(scenario, 'Stranger', []);
      await person.page.goto(scenario.url(`/v/${newViewToken()}`), { timeout: PAGE_TIMEOUT_MS });
      assert.equal(await refusalTitle(person.page), 'This link was revoked');
      await assertRefusalPage(person.page);
      const seen = await sightings(person.page);
      assert.equal(seen.editorShown, false, 'an editor was shown');
    });
  });

  it('a malformed document address gets the page that says it is not a document link', { timeout: 60_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      // As the server will serve it (the editor page with status 404); today's server answers JSON.
      const editorHtml = await readFile(join(REPO_ROOT, 'dist', 'public', 'editor.html'), 'utf8');
      const person = await watchedPerson(scenario, 'Typo', [], {
        prepare: async (context) => {
          await context.route(/\/d\/not-a-document$/, (route) => route.fulfill({ status: 404, contentType: 'text/html', body: editorHtml }));
        },
      });
      await person.page.goto(scenario.url('/d/not-a-document'), { timeout: PAGE_TIMEOUT_MS });
      assert.equal(await refusalTitle(person.page), 'This is not a document link');
      await assertRefusalPage(person.page);
      assert.equal((await sightings(person.page)).editorShown, false);
    });
  });

  it('the server answers a malformed document address with the editor page, not JSON', { timeout: 30_000 }, async () => {
    const { server } = e2e();
    for (const path of ['/d/short', '/v/not-a-token']) {
      const response = await fetch(server.url + path);
      assert.equal(response.status, 404, path);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/, path);
    }
  });

  it('a mistyped edit link says there is no document here', { timeout: 60_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const person = await watchedPerson(scenario, 'Typo', []);
      await person.page.goto(scenario.url(`/d/${newDocId()}`), { timeout: PAGE_TIMEOUT_MS });
      const outcome = await waitFor('a refusal or an editor', async () => {
        if (await person.page.locator('#refusal').isVisible()) return 'refusal';
        return (await sightings(person.page)).saved ? 'saved' : false;
      }, { timeoutMs: PAGE_TIMEOUT_MS });
      assert.equal(outcome, 'refusal', 'an unknown document opened as a blank, saved one');
      assert.equal(await refusalTitle(person.page), 'No document here');
      await assertRefusalPage(person.page);
      const seen = await sightings(person.page);
      assert.equal(seen.editorShown, false, 'an editor was shown');
      assert.equal(seen.saved, false, '"All changes saved" was shown');
    });
  });
});
