/**
 * Yjs's own formatting cleanups on the server. When the server integrates a change that touches
 * formatted text, Yjs deletes the formatting markers that became redundant in a transaction of
 * its own (origin null) inside the same `applyUpdate`. That deletion is a change like any other:
 * it must reach every member (the one whose change caused it included) and storage before the
 * triggering change is acknowledged. Both scenarios are deterministic; replicas are compared by
 * full Yjs snapshots (state vector and delete set), and storage after everyone has left.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import type { DocProvider } from '../../client/provider.js';
import { docFromUpdate, snapshotOf } from '../support/doc-state.js';
import { type TestServer, useTestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';
import { FRAGMENT_NAME } from '../../document/fragment.js';

/** The Y.XmlText of the document's first paragraph. */
function paragraphText(doc: Y.Doc): Y.XmlText {
  const paragraph = doc.getXmlFragment(FRAGMENT_NAME).get(0);
  assert.ok(paragraph instanceof Y.XmlElement);
  const text = paragraph.get(0);
  assert.ok(text instanceof Y.XmlText);
  return text;
}

async function withParagraph(t: TestServer, content: string): Promise<{ docName: string; a: DocProvider; b: DocProvider }> {
  const docName = await t.createDoc();
  const a = t.provider(docName);
  const b = t.provider(docName);
  await Promise.all([a.whenSynced(), b.whenSynced()]);
  const paragraph = new Y.XmlElement('paragraph');
  paragraph.insert(0, [new Y.XmlText(content)]);
  a.doc.getXmlFragment(FRAGMENT_NAME).insert(0, [paragraph]);
  await a.whenSaved();
  await waitFor('b to receive the paragraph', () => b.doc.getXmlFragment(FRAGMENT_NAME).length === 1);
  return { docName, a, b };
}

async function settle(...providers: DocProvider[]): Promise<void> {
  await Promise.all(providers.map((p) => p.whenSynced()));
  await Promise.all(providers.map((p) => p.whenSaved()));
  const first = providers[0]!;
  // A replica's own cleanup of what it just received is a new change, so wait for quiet.
  const quiet = (): boolean => providers.every((p) => p.unsavedCount === 0 && snapshotOf(p.doc) === snapshotOf(first.doc));
  await waitFor('every replica to hold the same snapshot with nothing unsaved', quiet, 5000).catch(() => {
    // Compared below, where a difference prints.
  });
}

async function storedSnapshot(t: TestServer, docName: string): Promise<string> {
  const stored = await t.server.store.load(docName);
  assert.ok(stored !== null, 'the document is stored');
  const doc = docFromUpdate(stored.update);
  try {
    return snapshotOf(doc);
  } finally {
    doc.destroy();
  }
}

describe("Yjs's formatting cleanups on the server", () => {
  const t = useTestServer();

  it('relays the cleanup to the member whose change caused it, and stores it', async () => {
    const { docName, a, b } = await withParagraph(t(), 'abc');
    b.disconnect();
    paragraphText(b.doc).delete(1, 1);
    paragraphText(a.doc).format(0, 1, { strong: true });
    paragraphText(a.doc).format(2, 1, { strong: true });
    await a.whenSaved();
    b.connect();
    await settle(a, b);

    const expected = snapshotOf(a.doc);
    assert.equal(snapshotOf(b.doc), expected, 'b differs from a');
    const served = t().server.loadedDoc(docName);
    assert.ok(served !== undefined);
    assert.equal(snapshotOf(served), expected, "the server's copy differs from a");
    assert.equal(a.unsavedCount + b.unsavedCount, 0);

    a.destroy();
    b.destroy();
    await waitFor('the room to unload', () => !t().server.isLoaded(docName));
    assert.equal(await storedSnapshot(t(), docName), expected, 'storage differs from every replica');
  });

  it('stores the cleanup of two people bolding the same word, across a restart', async () => {
    const { docName, a, b } = await withParagraph(t(), 'hello world');
    b.disconnect();
    paragraphText(a.doc).format(0, 5, { strong: true });
    paragraphText(b.doc).format(0, 5, { strong: true });
    await a.whenSaved();
    b.connect();
    await settle(a, b);

    const expected = snapshotOf(a.doc);
    assert.equal(snapshotOf(b.doc), expected, 'b differs from a');
    a.destroy();
    b.destroy();
    await waitFor('the room to unload', () => !t().server.isLoaded(docName));
    await t().restart();
    assert.equal(await storedSnapshot(t(), docName), expected, 'storage lacks a change every replica had');
    const fresh = t().provider(docName);
    await fresh.whenSynced();
    assert.equal(snapshotOf(fresh.doc), expected, 'a newcomer after the restart differs');
  });
});
