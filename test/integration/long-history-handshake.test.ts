/**
 * A long-edited document's handshake. A client's step 2 carries its whole delete set, whatever the
 * server already holds: a document with more deletion ranges than one change may carry
 * (20,000 by default) must still sync after a reconnect. Only new deletions count against that cap;
 * the known ones cost a lookup each.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { deletingEveryOther } from '../support/deletion-ranges.js';
import { docFromUpdate, snapshotOf } from '../support/doc-state.js';
import { useTestServer } from '../support/test-server.js';
import { waitFor, withTimeout } from '../support/wait.js';

const CHUNKS = 8;
const DELETIONS_PER_CHUNK = 3000;

describe('the handshake of a long-edited document', () => {
  const t = useTestServer();

  it('saves offline work on a document with more deletion ranges than one change may carry', { timeout: 60_000 }, async () => {
    const docName = await t().createDoc();
    const writer = t().provider(docName);
    await writer.whenSynced();
    const text = writer.doc.getText('notes');
    text.insert(0, 'x'.repeat(2 * CHUNKS * DELETIONS_PER_CHUNK));
    await writer.whenSaved();
    // Every other character deleted, a chunk per change: 24,000 separate deletion ranges.
    for (let chunk = 0; chunk < CHUNKS; chunk++) {
      Y.applyUpdate(writer.doc, deletingEveryOther(writer.doc.clientID, chunk * 2 * DELETIONS_PER_CHUNK, DELETIONS_PER_CHUNK));
      await writer.whenSaved();
    }
    const ranges = Y.createDeleteSetFromStructStore(writer.doc.store).clients.get(writer.doc.clientID)?.length ?? 0;
    assert.ok(ranges > 20_000, `the document holds ${ranges} deletion ranges`);

    writer.disconnect();
    text.insert(0, 'Written offline. ');
    text.delete(text.length - 1, 1);
    writer.connect();
    // The reconnect's step 2 carries all of the delete set; it used to be refused as too complex,
    // and the offline work was never saved.
    await withTimeout('the offline work to be saved after the reconnect', writer.whenSaved(), 20_000);

    const reader = t().provider(docName);
    await reader.whenSynced();
    await waitFor('the reader to hold the writer\'s snapshot', () => snapshotOf(reader.doc) === snapshotOf(writer.doc));
    reader.destroy();
    writer.destroy();
    const stored = await t().server.store.load(docName);
    assert.ok(stored !== null);
    const storedDoc = docFromUpdate(stored.update);
    try {
      assert.equal(snapshotOf(storedDoc), snapshotOf(writer.doc), 'storage holds every structure and deletion');
      assert.ok(storedDoc.getText('notes').toString().startsWith('Written offline. '));
    } finally {
      storedDoc.destroy();
    }
  });
});
