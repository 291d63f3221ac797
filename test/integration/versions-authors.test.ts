/**
 * Who a version names as its authors: the links through which the server applied changes since
 * the version before (their labels), never what a client claims about itself, nobody who only
 * read, and whoever asked for a restore. Real server, real providers joining through links.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FRAGMENT_NAME } from '../../document/fragment.js';
import { http, jsonOf } from '../support/http.js';
import { appendParagraph, listVersions, restoreVersion, type VersionJson } from '../support/history.js';
import { useTestServer, type TestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

const QUIET_MS = 150;

/** The token at the end of a `/d/<token>` URL. */
function tokenOf(url: string): string {
  const token = /\/d\/([^/?#]+)$/.exec(url)?.[1];
  assert.ok(token !== undefined, `a document link: ${url}`);
  return token;
}

async function newLink(t: TestServer, ownerToken: string, label: string): Promise<string> {
  const result = await http(`${t.url}/api/docs/${ownerToken}/links`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'edit', label }) });
  assert.equal(result.status, 201, result.text);
  return tokenOf((jsonOf(result) as { url: string }).url);
}

/** Waits for the document's next version after those in `known`. */
async function nextVersion(t: TestServer, docName: string, known: readonly VersionJson[]): Promise<VersionJson> {
  const seen = new Set(known.map((version) => version.id));
  return waitFor('the next version', async () => (await listVersions(t.url, docName)).find((version) => !seen.has(version.id)));
}

describe('authors of versions', () => {
  const server = useTestServer({ versions: { quietMs: QUIET_MS, maxIntervalMs: 60_000 } });

  it('names the links whose changes the server applied, and the restorer', async () => {
    const t = server();
    const created = jsonOf(await http(`${t.url}/api/docs`, { method: 'POST' })) as { id: string; ownerUrl: string };
    const owner = tokenOf(created.ownerUrl);
    const [benToken, cyToken] = [await newLink(t, owner, 'Ben'), await newLink(t, owner, 'Cy')];
    const ana = t.provider(created.id);
    const ben = t.provider(benToken);
    const cy = t.provider(cyToken);
    await Promise.all([ana, ben, cy].map((provider) => provider.whenSynced()));
    // Claims in presence count for nothing.
    ben.awareness.setLocalStateField('user', { name: 'Definitely Not Ben' });
    cy.awareness.setLocalStateField('user', { name: 'Ana' });

    appendParagraph(ana.doc, 'from Ana');
    appendParagraph(ben.doc, 'from Ben');
    await Promise.all([ana.whenSaved(), ben.whenSaved()]);
    const first = await nextVersion(t, created.id, []);
    assert.deepEqual([...first.authors].sort(), ['Ben', 'original link'], 'Cy only read');

    appendParagraph(ben.doc, 'Ben again');
    await ben.whenSaved();
    const second = await nextVersion(t, created.id, [first]);
    assert.deepEqual(second.authors, ['Ben']);

    const { before } = await restoreVersion(t.url, cyToken, first.id);
    await waitFor('the restore on every page', () => ana.doc.getXmlFragment(FRAGMENT_NAME).length === 2);
    const taken = new Set([first.id, second.id, before]);
    const afterRestore = await nextVersion(t, created.id, (await listVersions(t.url, created.id)).filter((version) => taken.has(version.id)));
    assert.equal(afterRestore.kind, 'auto');
    assert.deepEqual(afterRestore.authors, ['Cy'], 'the restore is Cy’s change');
    const beforeVersion = (await listVersions(t.url, created.id)).find((version) => version.id === before);
    assert.deepEqual(beforeVersion?.authors, [], 'nothing changed between the last version and the restore');
  });
});
