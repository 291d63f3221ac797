import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { runDocStoreContract } from './doc-store-contract.js';
import { LevelDocStore } from './level-doc-store.js';
import { LevelDb } from './level-db.js';

async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'quire-level-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Every key and value of the database in `dir`, one after another. */
async function rawContents(dir: string): Promise<Buffer> {
  const db = await LevelDb.open(dir);
  try {
    const parts: Buffer[] = [];
    await db.scan({}, (key, value) => parts.push(Buffer.from(key), value));
    return Buffer.concat(parts);
  } finally {
    await db.close();
  }
}

runDocStoreContract('LevelDocStore', async () => {
  const { dir, remove } = await tempDir();
  let store = await LevelDocStore.open(dir, { sync: false });
  const reopen = async (): Promise<void> => {
    await store.close();
    store = await LevelDocStore.open(dir, { sync: false });
  };
  return {
    store: () => store,
    reopen,
    // LevelDB allows one owner of a directory: close the store, read, and open it again.
    rawContents: async () => {
      await store.close();
      try {
        return await rawContents(dir);
      } finally {
        store = await LevelDocStore.open(dir, { sync: false });
      }
    },
    teardown: async () => {
      await store.close();
      await remove();
    },
  };
});

function textUpdate(content: string): { doc: Y.Doc; update: Uint8Array } {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, content);
  return { doc, update: Y.encodeStateAsUpdate(doc) };
}

const DOC = 'levelDocAAAAAAAAAAAAAA';

describe('LevelDocStore', () => {
  it('refuses a second open of the same data dir, naming the problem', async () => {
    const { dir, remove } = await tempDir();
    const first = await LevelDocStore.open(dir);
    try {
      await assert.rejects(LevelDocStore.open(dir), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /in use by another process/);
        assert.ok(error.message.includes(dir));
        return true;
      });
      // The first store is unharmed.
      await first.append([{ docName: DOC, update: textUpdate('still here').update }]);
      assert.equal((await first.load(DOC))?.logEntries, 1);
    } finally {
      await first.close();
      await remove();
    }
  });

  it('keeps data across close and reopen, and new log keys sort after old ones', async () => {
    const { dir, remove } = await tempDir();
    try {
      const doc = new Y.Doc();
      const updates: Uint8Array[] = [];
      doc.on('update', (update: Uint8Array) => updates.push(update));
      const text = doc.getText('t');

      let store = await LevelDocStore.open(dir);
      text.insert(0, 'one ');
      await store.append([{ docName: DOC, update: updates[0] ?? new Uint8Array() }]);
      text.insert(4, 'two ');
      await store.append([{ docName: DOC, update: updates[1] ?? new Uint8Array() }]);
      await store.setViewToken(DOC, 'levelToken_000000000000000000000');
      await store.close();

      store = await LevelDocStore.open(dir);
      text.insert(8, 'three');
      await store.append([{ docName: DOC, update: updates[2] ?? new Uint8Array() }]);
      const stored = await store.load(DOC);
      assert.ok(stored);
      assert.equal(stored.logEntries, 3, 'no entry of the first session may be overwritten');
      const loaded = new Y.Doc();
      Y.applyUpdate(loaded, stored.update);
      assert.equal(loaded.getText('t').toString(), 'one two three');
      assert.equal(await store.resolveViewToken('levelToken_000000000000000000000'), DOC);
      await store.close();

      // The log keys, read raw, are in the order the appends were made.
      const db = await LevelDb.open(dir);
      try {
        const log = await db.entries({ gt: `d/${DOC}/l/`, lt: `d/${DOC}/l0` });
        assert.equal(log.length, 3);
        const contents = log.map(([, value]) => {
          const piece = new Y.Doc();
          Y.applyUpdate(piece, value);
          return piece.getText('t').toString();
        });
        assert.deepEqual(contents, ['one ', '', '']);
        assert.deepEqual(
          log.map(([, value]) => Buffer.from(value).toString('hex')),
          updates.map((update) => Buffer.from(update).toString('hex')),
        );
      } finally {
        await db.close();
      }
    } finally {
      await remove();
    }
  });

  it('reopens after a compaction with the snapshot intact', async () => {
    const { dir, remove } = await tempDir();
    try {
      let store = await LevelDocStore.open(dir);
      const { doc, update } = textUpdate('compacted text');
      await store.append([{ docName: DOC, update }]);
      await store.compact(DOC);
      await store.close();
      store = await LevelDocStore.open(dir);
      const stored = await store.load(DOC);
      assert.equal(stored?.logEntries, 0);
      const loaded = new Y.Doc();
      Y.applyUpdate(loaded, stored?.update ?? new Uint8Array());
      assert.equal(loaded.getText('t').toString(), doc.getText('t').toString());
      await store.close();
    } finally {
      await remove();
    }
  });

  it('close waits for writes already started', async () => {
    const { dir, remove } = await tempDir();
    try {
      let store = await LevelDocStore.open(dir);
      const writes = Array.from({ length: 20 }, (_, i) => store.append([{ docName: DOC, update: textUpdate(`w${i}`).update }]));
      await store.close();
      await Promise.all(writes);
      store = await LevelDocStore.open(dir);
      assert.equal((await store.load(DOC))?.logEntries, 20);
      await store.close();
    } finally {
      await remove();
    }
  });
});
