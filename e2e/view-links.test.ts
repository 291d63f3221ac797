/**
 * View-only links: the page cannot change the document even with forged bytes, and regenerating
 * the link disconnects whoever used the old one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import type { SaveReply } from '../shared/events.js';
import { encodeUpdateMessage } from '../shared/protocol.js';
import { getLinks } from '../test/support/e2e/api.js';
import { createPerson, PAGE_TIMEOUT_MS, shownText, waitForSaved, waitForStatus, waitForText } from '../test/support/e2e/editor-page.js';
import { fragmentText } from '../test/support/e2e/node-peer.js';
import { providerState } from '../test/support/e2e/page-actions.js';
import type { QuireWindow } from '../test/support/e2e/page-types.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { waitFor } from '../test/support/wait.js';
import { FRAGMENT_NAME } from '../document/fragment.js';

const e2e = useBrowserAndServer();

/** A well-formed update that would add a paragraph, as a hostile viewer would craft it. */
function forgedUpdateMessage(): number[] {
  const forger = new Y.Doc();
  const paragraph = new Y.XmlElement('paragraph');
  forger.getXmlFragment(FRAGMENT_NAME).insert(0, [paragraph]);
  paragraph.insert(0, [new Y.XmlText('FORGED BY A VIEWER')]);
  const message = encodeUpdateMessage(Y.encodeStateAsUpdate(forger));
  forger.destroy();
  return Array.from(message);
}

describe('view-only links', () => {
  it('opens read-only and refuses an update forged through the page\'s own socket', { timeout: 90_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const docName = (await scenario.newDoc()).id;
      const original = 'Only editors can change this.';
      const alice = await scenario.open(`/d/${docName}`, 'Alice');
      await alice.page.locator('#editor .ProseMirror').click();
      await alice.page.keyboard.type(original);
      await waitForSaved(alice.page);

      const links = await getLinks(server.url, docName);
      assert.equal(links.editUrl, `/d/${docName}`);
      assert.match(links.viewUrl, /^\/v\/[A-Za-z0-9_-]{32}$/);
      const viewer = await scenario.open(links.viewUrl, 'Viewer', { typeName: false });
      const viewerEditor = viewer.page.locator('#editor .ProseMirror');

      await waitForStatus(viewer.page, /^View only$/);
      assert.equal(await viewerEditor.getAttribute('contenteditable'), 'false');
      await waitForText([viewer.page], original);
      const state = await providerState(viewer.page);
      assert.equal(state.role, 'view');
      assert.equal(await viewer.page.locator('#share-button').isVisible(), false, '#share-button is visible in view-only mode');
      assert.equal(await viewer.page.locator('#edit-link').count(), 0, '#edit-link exists in view-only mode');

      // Typing does nothing.
      await viewerEditor.click();
      await viewer.page.keyboard.type('typed by the viewer');
      await viewer.page.keyboard.press('Enter');

      // Forged bytes through the page's own, authenticated socket.
      const reply = await viewer.page.evaluate(async ({ bytes, timeoutMs }) => {
        const quire = (window as unknown as QuireWindow).quire;
        if (quire === undefined) throw new Error('window.quire is missing');
        return new Promise<SaveReply | 'no reply'>((resolve) => {
          const timer = setTimeout(() => resolve('no reply'), timeoutMs);
          quire.provider.channel.sync(quire.docName, new Uint8Array(bytes), (answer: SaveReply) => {
            clearTimeout(timer);
            resolve(answer);
          });
        });
      }, { bytes: forgedUpdateMessage(), timeoutMs: PAGE_TIMEOUT_MS });
      assert.notEqual(reply, 'no reply', 'the server did not answer the forged update');
      assert.equal(typeof reply === 'object' && reply.ok, false, `forged update accepted: ${JSON.stringify(reply)}`);
      assert.equal(typeof reply === 'object' && !reply.ok ? reply.error.code : null, 'read-only');

      // The refusal came after the server decided, so whatever it did is visible now.
      const peer = await scenario.peer(docName);
      assert.equal(fragmentText(peer.fragment), original, 'the server\'s copy changed');
      await waitForText([alice.page, viewer.page], original);
      assert.equal(await shownText(alice.page), original);
    });
  });

  it('regenerating the view link disconnects the old link\'s page; the new link works', { timeout: 90_000 }, async () => {
    const { server } = e2e();
    await runScenario(e2e(), async (scenario) => {
      const created = await scenario.newDoc();
      const docName = created.id;
      const text = 'Shared with the whole team.';
      // Once a document has an owner, only the owner replaces its view link.
      const alice = await scenario.open(new URL(created.ownerUrl).pathname, 'Alice');
      await alice.page.locator('#editor .ProseMirror').click();
      await alice.page.keyboard.type(text);
      await waitForSaved(alice.page);

      await alice.page.locator('#share-button').click();
      await alice.page.locator('#share-dialog').waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
      // The dialog opens at once and fills its links when the server answers.
      await waitFor('#edit-link to hold the edit URL', async () => (await alice.page.locator('#edit-link').inputValue()) === `${server.url}/d/${docName}`, { timeoutMs: PAGE_TIMEOUT_MS });
      const oldViewUrl = await waitFor('#view-link to hold the view-only URL', async () => {
        const value = await alice.page.locator('#view-link').inputValue();
        return value.startsWith(`${server.url}/v/`) ? value : false;
      }, { timeoutMs: PAGE_TIMEOUT_MS });
      assert.equal(await alice.page.locator('#view-link').getAttribute('readonly'), '');

      const oldViewer = await scenario.open(oldViewUrl.slice(server.url.length), 'Old viewer', { typeName: false });
      await waitForStatus(oldViewer.page, /^View only$/);
      await waitForText([oldViewer.page], text);

      await alice.page.locator('#regenerate-view').click();
      const newViewUrl = await waitFor('#view-link to change after regenerating', async () => {
        const value = await alice.page.locator('#view-link').inputValue();
        return value !== oldViewUrl && value.startsWith(`${server.url}/v/`) ? value : false;
      }, { timeoutMs: PAGE_TIMEOUT_MS });
      assert.equal((await getLinks(server.url, docName)).viewUrl, newViewUrl.slice(server.url.length));

      // The page on the old link is told at once and stops.
      await waitFor('the old link\'s provider to report link-revoked', async () => {
        const state = await providerState(oldViewer.page);
        return state.errorCode === 'link-revoked' && state.status === 'disconnected';
      }, { timeoutMs: PAGE_TIMEOUT_MS });
      // It says so on a page of its own, and no longer shows the document.
      await oldViewer.page.locator('#refusal').waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
      assert.equal((await oldViewer.page.locator('#refusal-title').textContent())?.trim(), 'This link was revoked');
      assert.equal(await oldViewer.page.locator('#editor').isVisible(), false, 'the revoked page still shows the editor');
      assert.doesNotMatch(await oldViewer.page.locator('body').innerText(), new RegExp(text), 'the revoked page still shows the text');

      const newViewer = await scenario.open(newViewUrl.slice(server.url.length), 'New viewer', { typeName: false });
      await waitForStatus(newViewer.page, /^View only$/);
      await waitForText([newViewer.page], text);
      assert.equal(await newViewer.page.locator('#editor .ProseMirror').getAttribute('contenteditable'), 'false');

      // By now the revoked page had every chance to reconnect; it must not have.
      assert.equal((await providerState(oldViewer.page)).status, 'disconnected');

      // The old link no longer opens the document.
      const late = await createPerson(scenario.browser, 'Late viewer');
      scenario.people.push(late);
      await late.page.goto(oldViewUrl, { timeout: PAGE_TIMEOUT_MS });
      const lateState = await waitFor('the old link to be refused', async () => {
        const state = await providerState(late.page);
        return state.errorCode !== null ? state : false;
      }, { timeoutMs: PAGE_TIMEOUT_MS });
      assert.ok(['not-found', 'link-revoked'].includes(lateState.errorCode ?? ''), `old link refused with ${lateState.errorCode}`);
      await late.page.locator('#refusal').waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
      assert.doesNotMatch(await late.page.locator('body').innerText(), new RegExp(text), 'the old link still shows the document');
    });
  });
});
