/**
 * Sharing with links in real Chromium: the home page opens a new document with its owner link;
 * the share dialog shows that link with a warning, keeps the links made with the document,
 * creates a labelled edit link and revokes it while a page is open on it (that page then says
 * "This link was revoked"), and a page on an expiring link says "This link has expired" when its
 * time comes; pages on other links keep working. A page opened with an embedding application's
 * signed token (in the address's fragment) joins with its role and shows its name to the others,
 * and uploads pictures with that token.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createPerson, gotoEditor, PAGE_TIMEOUT_MS, setName, waitForStatus, waitForText } from '../test/support/e2e/editor-page.js';
import { providerState } from '../test/support/e2e/page-actions.js';
import { runScenario } from '../test/support/e2e/scenario.js';
import { useBrowserAndServer } from '../test/support/e2e/fixture.js';
import { SignJWT } from 'jose';
import type { QuireWindow } from '../test/support/e2e/page-types.js';
import { createHash } from 'node:crypto';
import { createLink, withBearer } from '../test/support/links.js';
import { makePng } from '../test/support/png.js';
import { waitFor } from '../test/support/wait.js';

const TOKEN_SECRET = 'e2e-sharing-secret-of-thirty-two-chars';
const e2e = useBrowserAndServer({ env: { QUIRE_TOKEN_SECRET: TOKEN_SECRET } });

/**
 * How long the expiring link lasts. The page must open and sync on it before then, which can take
 * several seconds on a busy machine; the test then waits for the rest of it to run out.
 */
const EXPIRING_LINK_LIFETIME_MS = 20_000;

/** The title of the refusal page, once it shows (within `timeoutMs`). */
async function refusalTitle(page: Page, timeoutMs = PAGE_TIMEOUT_MS): Promise<string> {
  await page.locator('#refusal').waitFor({ state: 'visible', timeout: timeoutMs });
  return ((await page.locator('#refusal-title').textContent()) ?? '').trim();
}

/** The address shown in the share dialog's list item called `name`. */
async function listedUrl(page: Page, name: string): Promise<string> {
  const item = page.locator('#link-list .link-item', { hasText: name }).first();
  await item.locator('.link-field').waitFor({ timeout: PAGE_TIMEOUT_MS });
  return item.locator('.link-field').inputValue();
}

describe('sharing with links', () => {
  it('creates a document with its owner link, shares and revokes links from the dialog', { timeout: 120_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const owner = await createPerson(scenario.browser, 'Owner');
      scenario.people.push(owner);
      await owner.page.goto(scenario.url('/'), { timeout: PAGE_TIMEOUT_MS });
      await owner.page.locator('#new-doc').click();
      await owner.page.waitForURL(/\/d\/[A-Za-z0-9_-]{32}$/, { timeout: PAGE_TIMEOUT_MS });
      await gotoEditor(owner.page, owner.page.url());
      await setName(owner.page, 'Owner');
      assert.equal((await providerState(owner.page)).role, 'owner');
      await owner.page.locator('#editor .ProseMirror').click();
      await owner.page.keyboard.type('Shared plans');

      await owner.page.locator('#share-button').click();
      const ownerLink = owner.page.locator('#owner-link');
      await ownerLink.waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS });
      assert.equal(await ownerLink.inputValue(), owner.page.url());
      assert.match((await owner.page.locator('#owner-link-section').textContent()) ?? '', /Keep this link private/);
      const madeView = await listedUrl(owner.page, 'View link (made with the document)');
      assert.match(madeView, /\/d\/[A-Za-z0-9_-]{32}$/);

      // A labelled edit link, made in the dialog.
      await owner.page.locator('#new-link-role').selectOption('edit');
      await owner.page.locator('#new-link-label').fill('Reviewers');
      await owner.page.locator('#create-link').click();
      const reviewersUrl = await listedUrl(owner.page, 'Reviewers');
      assert.match(reviewersUrl, /\/d\/[A-Za-z0-9_-]{32}$/);

      const reviewer = await scenario.open(new URL(reviewersUrl).pathname, 'Reviewer');
      const reader = await scenario.open(new URL(madeView).pathname, 'Reader', { typeName: false });
      await waitForStatus(reader.page, /^View only$/);
      await waitForText([reviewer.page, reader.page], 'Shared plans');
      assert.equal((await providerState(reviewer.page)).role, 'edit');
      await reviewer.page.locator('#editor .ProseMirror').click();
      await reviewer.page.keyboard.press('End');
      await reviewer.page.keyboard.type(', reviewed');
      await waitForText([owner.page, reader.page], 'Shared plans, reviewed');

      // Revoked while the reviewer's page is open: it is closed and says so; the reader stays.
      await owner.page.locator('#link-list .link-item', { hasText: 'Reviewers' }).locator('.revoke-link').click();
      assert.equal(await refusalTitle(reviewer.page), 'This link was revoked');
      assert.equal(await reviewer.page.locator('#editor').isVisible(), false);
      await owner.page.locator('#link-list .link-item', { hasText: 'Reviewers' }).waitFor({ state: 'detached', timeout: PAGE_TIMEOUT_MS });
      assert.equal((await providerState(reader.page)).status, 'synced');

      // Opening it again shows the same page.
      const late = await createPerson(scenario.browser, 'Late');
      scenario.people.push(late);
      await late.page.goto(reviewersUrl, { timeout: PAGE_TIMEOUT_MS });
      assert.equal(await refusalTitle(late.page), 'This link was revoked');
    });
  });

  it('closes a page on an expiring link when its time comes', { timeout: 120_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const created = await scenario.newDoc('A short visit');
      const ownerToken = new URL(created.ownerUrl).pathname.split('/').pop() ?? '';
      const expiresAt = Date.now() + EXPIRING_LINK_LIFETIME_MS;
      const expiring = await createLink(scenario.server.url, created.id, ownerToken, { role: 'view', expiresAt: new Date(expiresAt).toISOString() });
      const visitor = await scenario.open(new URL(expiring.url).pathname, 'Visitor', { typeName: false });
      await waitForText([visitor.page], 'A short visit');
      assert.equal(await refusalTitle(visitor.page, expiresAt - Date.now() + PAGE_TIMEOUT_MS), 'This link has expired');
    });
  });

  it('opens a document with a signed token from the address fragment, under the token\'s name', { timeout: 120_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const created = await scenario.newDoc('Embedded notes');
      const jwt = await new SignJWT({ doc: created.id, role: 'edit', name: 'Grace' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(TOKEN_SECRET));
      const embedded = await scenario.open(`/d/${created.id}#token=${jwt}`, 'Mallory');
      assert.equal((await providerState(embedded.page)).role, 'edit');
      assert.ok(!embedded.page.url().includes('#token='), 'the token is taken out of the address bar');
      const other = await scenario.open(new URL(created.ownerUrl).pathname, 'Owner');
      await waitForText([embedded.page, other.page], 'Embedded notes');
      const names = await other.page.waitForFunction(
        () => {
          const states = [...((window as unknown as QuireWindow).quire?.provider.awareness.getStates().values() ?? [])];
          const names = states.map((state) => (state as { user?: { name?: string } }).user?.name);
          return names.includes('Grace') ? names : null;
        },
        undefined,
        { timeout: PAGE_TIMEOUT_MS, polling: 100 },
      );
      assert.ok(!(await names.jsonValue())?.includes('Mallory'), 'the name the page typed is not shown');
      // A reload in the same tab still has the token.
      await embedded.page.reload({ timeout: PAGE_TIMEOUT_MS });
      await gotoEditor(embedded.page, embedded.page.url());
      assert.equal((await providerState(embedded.page)).role, 'edit');
    });
  });

  it('uploads a picture from a page opened with a signed token, the token as its bearer', { timeout: 120_000 }, async () => {
    await runScenario(e2e(), async (scenario) => {
      const created = await scenario.newDoc('Pictures by token');
      const ownerToken = new URL(created.ownerUrl).pathname.split('/').pop() ?? '';
      // With the original link revoked the document id grants nothing: only the token can.
      const revoked = await withBearer(`${scenario.server.url}/api/docs/${created.id}/links/original`, ownerToken, 'DELETE');
      assert.equal(revoked.status, 204, revoked.text);
      const jwt = await new SignJWT({ doc: created.id, role: 'edit', name: 'Grace' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(TOKEN_SECRET));
      const embedded = await scenario.open(`/d/${created.id}#token=${jwt}`, 'Grace', { typeName: false });
      await waitForText([embedded.page], 'Pictures by token');

      const png = makePng({ width: 24, height: 16, color: [200, 60, 60] });
      const chooser = embedded.page.waitForEvent('filechooser', { timeout: PAGE_TIMEOUT_MS });
      await embedded.page.locator('#toolbar button[data-command="image"]').click();
      await (await chooser).setFiles({ name: 'red.png', mimeType: 'image/png', buffer: png });
      const blobUrl = `${scenario.server.url}/api/docs/${ownerToken}/blobs/${createHash('sha256').update(png).digest('base64url')}`;
      await waitFor('the picture to reach the server', async () => (await withBearer(blobUrl, ownerToken)).status === 200, { timeoutMs: 30_000 });
      assert.deepEqual(embedded.pageErrors, [], 'uncaught exceptions in the page');
    });
  });
});
