import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { newDocId } from '../../shared/doc-id.js';
import { ForwardingDocStore } from '../../storage/forwarding-doc-store.js';
import { LevelDocStore } from '../../storage/level-doc-store.js';
import type { LinkUse } from '../../storage/link-store.js';
import { makeTempDir } from '../../test/support/test-server.js';
import { LinkUsage } from './link-usage.js';
import { Links } from './links.js';

/** A real LevelDB store that also records each `touchLinks` batch it is asked to write. */
class TouchRecordingStore extends ForwardingDocStore {
  readonly batches: LinkUse[][] = [];
  override touchLinks(uses: readonly LinkUse[]): Promise<void> {
    this.batches.push([...uses]);
    return super.touchLinks(uses);
  }
}

describe('LinkUsage', () => {
  it('writes a link\'s use at most once a minute, in batches, never once per use', async () => {
    const dir = await makeTempDir();
    const store = new TouchRecordingStore(await LevelDocStore.open(dir, { sync: false }));
    try {
      let now = 1_800_000_000_000;
      const docName = newDocId();
      await store.append([{ docName, update: Y.encodeStateAsUpdate(new Y.Doc()) }]);
      const links = new Links(store, () => now);
      const [a, b] = [await links.issue(docName, { role: 'edit' }), await links.issue(docName, { role: 'view' })];
      const usage = new LinkUsage(store, { now: () => now, flushMs: 60_000, onError: (error) => assert.fail(String(error)) });

      for (let i = 0; i < 500; i++) {
        usage.used(docName, a.record.id);
        usage.used(docName, b.record.id);
        now += 10;
      }
      await usage.flush();
      assert.equal(store.batches.length, 1, 'one batch for a thousand uses');
      assert.deepEqual(store.batches[0]!.map((use) => use.linkId).sort(), [a.record.id, b.record.id].sort());

      now += 30_000; // within the minute of the first use: not noted again
      usage.used(docName, a.record.id);
      await usage.flush();
      assert.equal(store.batches.length, 1);

      now += 31_000;
      usage.used(docName, a.record.id);
      await usage.close();
      assert.equal(store.batches.length, 2);
      const stored = await store.findLink(a.record.tokenHash);
      assert.equal(stored?.lastUsedAt, now);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
