import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOC_A, linkFor, seedDoc } from '../contract/contract-helpers.js';
import { KeyedLock } from '../keyed-lock.js';
import { LevelDb } from '../level-db.js';
import { LevelDocStore } from '../level-doc-store.js';
import type { LinkRecord } from '../link-store.js';
import { LevelLinks } from './level-links.js';
import { linkKey } from './level-keys.js';
import { LinkLookupCache } from './link-lookup-cache.js';

function record(id: string): LinkRecord {
  return { id, docName: 'doc-aaaaaaaaaaaaaaaa', role: 'edit', tokenHash: id.padEnd(64, '0'), label: null, createdAt: 1, expiresAt: null, lastUsedAt: null, revokedAt: null, legacy: false };
}

describe('LinkLookupCache', () => {
  it('remembers records and known absences, and forgets what a write changed', () => {
    const cache = new LinkLookupCache();
    assert.equal(cache.get('a'), undefined);
    cache.keep('a', record('a'), cache.generation);
    cache.keep('b', null, cache.generation);
    assert.deepEqual(cache.get('a'), record('a'));
    assert.equal(cache.get('b'), null);
    cache.changed(['b']);
    assert.equal(cache.get('b'), undefined);
    assert.deepEqual(cache.get('a'), record('a'), 'a write of another hash leaves a remembered record alone');
    const hash = record('a').tokenHash;
    cache.keep(hash, record('a'), cache.generation);
    cache.written([{ ...record('a'), lastUsedAt: 9 }]);
    assert.equal(cache.get(hash)?.lastUsedAt, 9, 'a record as written replaces the one remembered');
    assert.ok(Object.isFrozen(cache.get(hash)), 'every lookup shares the remembered record: it is frozen');
    cache.clear();
    assert.equal(cache.get('a'), undefined);
  });

  it('does not keep a read that a write completed during', () => {
    const cache = new LinkLookupCache();
    const since = cache.generation;
    cache.changed(['unrelated']);
    cache.keep('a', record('a'), since);
    assert.equal(cache.get('a'), undefined, 'the read may have seen the record as it was before the write');
    const after = cache.generation;
    cache.keep('a', record('a'), after);
    assert.deepEqual(cache.get('a'), record('a'));
  });

  it('holds at most its capacity, evicting the least recently used', () => {
    const cache = new LinkLookupCache(3);
    for (const id of ['a', 'b', 'c']) cache.keep(id, record(id), cache.generation);
    cache.get('a');
    cache.keep('d', record('d'), cache.generation);
    assert.equal(cache.get('b'), undefined, 'b was used least recently');
    for (const id of ['a', 'c', 'd']) assert.deepEqual(cache.get(id), record(id));
  });

  it('LevelLinks does not keep a lookup that read a link before it was revoked and finished after', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'quire-link-cache-'));
    try {
      const link = linkFor(DOC_A, 'raced-token', { id: 'raced' });
      const store = await LevelDocStore.open(dir, { sync: false });
      await seedDoc(store, DOC_A, 'a');
      await store.createLink(link);
      await store.close();

      // The real database, with a gate that holds one lookup after it read the link's record.
      const db = await LevelDb.open(dir);
      try {
        const read = db.get.bind(db);
        let hold: { readDone: () => void; release: Promise<void> } | null = null;
        db.get = async (key: string) => {
          const value = await read(key);
          const gate = hold;
          if (gate !== null && key === linkKey(DOC_A, link.id)) {
            hold = null;
            gate.readDone();
            await gate.release;
          }
          return value;
        };
        const links = new LevelLinks({ db, sync: false, locks: new KeyedLock(), notPurged: new Set() });
        let release = (): void => undefined;
        const readDone = new Promise<void>((resolve) => {
          hold = { readDone: resolve, release: new Promise<void>((done) => (release = done)) };
        });
        const early = links.find(link.tokenHash);
        await readDone;
        const revoked = await links.revoke(DOC_A, link.id, 5000);
        release();
        assert.equal((await early)?.revokedAt, null, 'the early lookup read the link before the revocation');
        assert.deepEqual(await links.find(link.tokenHash), revoked, 'and was not remembered');
      } finally {
        await db.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
