import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { newDocId } from '../../shared/doc-id.js';
import { LevelDocStore } from '../../storage/level-doc-store.js';
import { makeTempDir } from '../../test/support/test-server.js';
import { Links, ORIGINAL_LINK_ID } from './links.js';

describe('Links.list', () => {
  it('lists links made in the same millisecond owner, edit, view, whatever their random ids', async () => {
    const dir = await makeTempDir();
    const store = await LevelDocStore.open(dir, { sync: false });
    try {
      let now = 1_800_000_000_000;
      const links = new Links(store, () => now);
      // Twenty documents: with random ids, the chance that id order gives this order every time is nil.
      for (let i = 0; i < 20; i++) {
        const docName = newDocId();
        await store.append([{ docName, update: Y.encodeStateAsUpdate(new Y.Doc()) }]);
        for (const role of ['view', 'owner', 'edit'] as const) await links.issue(docName, { role });
        now += 1;
        await links.issue(docName, { role: 'view', label: 'later' });
        const listed = await links.list(docName);
        assert.deepEqual(listed.map((link) => link.id === ORIGINAL_LINK_ID ? 'original' : link.role), ['original', 'owner', 'edit', 'view', 'view']);
        assert.equal(listed.at(-1)!.label, 'later', 'a later link comes after, whatever its role');
      }
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
