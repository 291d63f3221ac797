import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LinkRecord } from '../link-store.js';
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
});
