import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { QuireError } from '../../shared/errors.js';
import { LevelDocStore } from '../../storage/level-doc-store.js';
import { UpdateWriter } from './update-writer.js';

function change(doc: Y.Doc, text: string): Uint8Array {
  const before = Y.encodeStateVector(doc);
  doc.getText('t').insert(0, text);
  return Y.encodeStateAsUpdate(doc, before);
}

describe('UpdateWriter and purged documents', () => {
  it('refuses the changes of a purged document with doc-deleted and still writes the rest of the batch', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'quire-writer-'));
    const store = await LevelDocStore.open(dir, { sync: false });
    try {
      const gone = new Y.Doc();
      const kept = new Y.Doc();
      await store.append([
        { docName: 'docGoneGoneGoneGone1', update: change(gone, 'doomed') },
        { docName: 'docKeptKeptKeptKept1', update: change(kept, 'kept') },
      ]);
      await store.purge('docGoneGoneGoneGone1', 1);

      const writer = new UpdateWriter(store, { retryDelayMs: { initial: 1, max: 5 } });
      // Queued in one turn: one batch holding both documents.
      const refused = writer.append('docGoneGoneGoneGone1', change(gone, 'an old copy: '));
      const written = writer.append('docKeptKeptKeptKept1', change(kept, 'more '));
      await assert.rejects(refused, (error: unknown) => error instanceof QuireError && error.code === 'doc-deleted');
      await written;
      await writer.settled('docGoneGoneGoneGone1');
      await writer.close();

      assert.equal(await store.load('docGoneGoneGoneGone1'), null);
      const loaded = new Y.Doc();
      Y.applyUpdate(loaded, (await store.load('docKeptKeptKeptKept1'))?.update ?? new Uint8Array());
      assert.equal(loaded.getText('t').toString(), 'more kept');
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
