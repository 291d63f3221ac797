/**
 * Restoring a version is a new change on top: with three pages open and a fourth offline, a
 * restore reaches every open page, the offline page's edits merge with it when it comes back,
 * every replica (and storage) converges exactly, and the restore can itself be undone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { http } from '../support/http.js';
import { appendParagraph, listVersions, nameVersion, plainText, replaceAll, restoreVersion } from '../support/history.js';
import { snapshotOf } from '../support/doc-state.js';
import { useTestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

describe('restoring a version', () => {
  const server = useTestServer({ versions: { quietMs: 60_000, maxIntervalMs: 60_000 } });

  it('reaches three live pages and merges with an offline page that comes back', async () => {
    const t = server();
    const docName = await t.createDoc();
    const [ana, ben, cy, dee] = [t.provider(docName), t.provider(docName), t.provider(docName), t.provider(docName)];
    await Promise.all([ana, ben, cy, dee].map((provider) => provider.whenSynced()));
    appendParagraph(ana.doc, 'The plan');
    appendParagraph(ana.doc, 'Step one: agree.');
    await ana.whenSaved();
    const good = await nameVersion(t.url, docName, 'Agreed plan');
    await waitFor('every page to have the plan', () => [ben, cy, dee].every((p) => plainText(p.doc) === 'The plan\nStep one: agree.'));

    // Dee goes offline and keeps writing; meanwhile a vandal replaces everything.
    dee.disconnect();
    appendParagraph(dee.doc, 'Dee, offline: step two.');
    replaceAll(ben.doc, 'nothing to see here');
    await ben.whenSaved();
    await waitFor('the vandalism to reach the live pages', () => [ana, cy].every((p) => plainText(p.doc) === 'nothing to see here'));

    const result = await restoreVersion(t.url, docName, good.id);
    assert.equal(result.restored, good.id);
    await waitFor('the restored content on every open page', () => [ana, ben, cy].every((p) => plainText(p.doc) === 'The plan\nStep one: agree.'));
    const versions = await listVersions(t.url, docName);
    const before = versions.find((version) => version.id === result.before);
    assert.equal(before?.kind, 'before-restore');
    assert.deepEqual(before?.authors, ['original link']);
    const vandalised = await http(`${t.url}/api/docs/${docName}/versions/${result.before}/export?format=md`);
    assert.match(vandalised.text, /nothing to see here/);

    dee.connect();
    await dee.whenSynced();
    await dee.whenSaved();
    const expected = 'The plan\nStep one: agree.\nDee, offline: step two.';
    await waitFor('every replica to hold the restore plus the offline edit', () => [ana, ben, cy, dee].every((p) => plainText(p.doc) === expected));
    await waitFor('every replica to converge exactly', () => {
      const snapshots = new Set([ana, ben, cy, dee].map((p) => snapshotOf(p.doc)));
      const loaded = t.server.loadedDoc(docName);
      if (loaded !== undefined) snapshots.add(snapshotOf(loaded));
      return snapshots.size === 1;
    });
    const stored = await t.server.store.load(docName);
    assert.ok(stored);
    const fromStorage = new Y.Doc();
    Y.applyUpdate(fromStorage, stored.update);
    assert.equal(plainText(fromStorage), expected, 'the restore is durable');
    fromStorage.destroy();
  });

  it('undoes a restore by restoring the version taken before it', async () => {
    const t = server();
    const docName = await t.createDoc();
    const editor = t.provider(docName);
    await editor.whenSynced();
    appendParagraph(editor.doc, 'version one');
    await editor.whenSaved();
    const one = await nameVersion(t.url, docName, 'One');
    replaceAll(editor.doc, 'version two');
    await editor.whenSaved();
    const { before } = await restoreVersion(t.url, docName, one.id);
    await waitFor('version one back', () => plainText(editor.doc) === 'version one');
    const undo = await restoreVersion(t.url, docName, before);
    await waitFor('version two back', () => plainText(editor.doc) === 'version two');
    const kinds = (await listVersions(t.url, docName)).map((version) => version.kind);
    assert.deepEqual(kinds.filter((kind) => kind === 'before-restore').length, 2);
    assert.notEqual(undo.before, before);
  });

  it('restores into a document nobody has open, and the change is stored', async () => {
    const t = server();
    const docName = await t.createDoc();
    const editor = t.provider(docName);
    await editor.whenSynced();
    appendParagraph(editor.doc, 'kept');
    await editor.whenSaved();
    const kept = await nameVersion(t.url, docName, 'Kept');
    replaceAll(editor.doc, 'lost');
    await editor.whenSaved();
    editor.destroy();
    await waitFor('the room to unload', () => !t.server.isLoaded(docName));
    await restoreVersion(t.url, docName, kept.id);
    const reader = t.provider(docName);
    await reader.whenSynced();
    assert.equal(plainText(reader.doc), 'kept');
  });
});
