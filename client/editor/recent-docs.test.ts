import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newDocId } from '../../shared/doc-id.js';
import { forgetDoc, listRecentDocs, MAX_RECENT_DOCS, openedAgo, RECENT_STORAGE_KEY, rememberDoc, updateRecentTitle } from './recent-docs.js';
import { MemoryStorage } from '../../test/support/memory-storage.js';

describe('recent documents', () => {
  it('lists remembered documents newest first, with their titles', () => {
    const storage = new MemoryStorage();
    const [a, b] = [newDocId(), newDocId()];
    rememberDoc(storage, a, 'Alpha', 1000);
    rememberDoc(storage, b, 'Beta', 2000);
    assert.deepEqual(listRecentDocs(storage), [
      { id: b, title: 'Beta', openedAt: 2000 },
      { id: a, title: 'Alpha', openedAt: 1000 },
    ]);
    rememberDoc(storage, a, undefined, 3000);
    assert.deepEqual(listRecentDocs(storage).map((d) => [d.id, d.title]), [[a, 'Alpha'], [b, 'Beta']]);
  });

  it('updates a title in place and forgets on request', () => {
    const storage = new MemoryStorage();
    const [a, b] = [newDocId(), newDocId()];
    rememberDoc(storage, a, '', 1000);
    rememberDoc(storage, b, 'Beta', 2000);
    updateRecentTitle(storage, a, 'Now titled');
    assert.deepEqual(listRecentDocs(storage).map((d) => [d.id, d.title]), [[b, 'Beta'], [a, 'Now titled']]);
    updateRecentTitle(storage, newDocId(), 'not in the list');
    assert.equal(listRecentDocs(storage).length, 2);
    forgetDoc(storage, b);
    assert.deepEqual(listRecentDocs(storage).map((d) => d.id), [a]);
  });

  it(`keeps at most ${MAX_RECENT_DOCS} documents`, () => {
    const storage = new MemoryStorage();
    const ids = Array.from({ length: MAX_RECENT_DOCS + 5 }, () => newDocId());
    ids.forEach((id, index) => rememberDoc(storage, id, `doc ${index}`, index));
    const listed = listRecentDocs(storage);
    assert.equal(listed.length, MAX_RECENT_DOCS);
    assert.equal(listed[0]?.id, ids.at(-1));
  });

  it('drops damaged entries and survives damaged storage', () => {
    const storage = new MemoryStorage();
    const id = newDocId();
    storage.setItem(RECENT_STORAGE_KEY, JSON.stringify([
      { id, title: 'ok', openedAt: 5 },
      { id: '../../etc', title: 'bad id', openedAt: 6 },
      { id: newDocId(), title: 7, openedAt: 6 },
      { id: newDocId(), title: 'no time' },
      null,
      { id, title: 'older duplicate', openedAt: 1 },
    ]));
    assert.deepEqual(listRecentDocs(storage), [{ id, title: 'ok', openedAt: 5 }]);
    storage.setItem(RECENT_STORAGE_KEY, '{not json');
    assert.deepEqual(listRecentDocs(storage), []);
    storage.setItem(RECENT_STORAGE_KEY, '{"id":1}');
    assert.deepEqual(listRecentDocs(storage), []);
    assert.deepEqual(listRecentDocs(null), []);
  });

  it('refuses to remember something that is not a document id', () => {
    assert.throws(() => rememberDoc(new MemoryStorage(), 'v.token'), RangeError);
  });

  it('describes when a document was opened', () => {
    const now = Date.UTC(2026, 0, 31, 12);
    assert.equal(openedAgo(now - 10_000, now), 'just now');
    assert.equal(openedAgo(now - 60_000, now), '1 minute ago');
    assert.equal(openedAgo(now - 5 * 60_000, now), '5 minutes ago');
    assert.equal(openedAgo(now - 3 * 3_600_000, now), '3 hours ago');
    assert.equal(openedAgo(now - 30 * 3_600_000, now), 'yesterday');
    assert.equal(openedAgo(now - 4 * 86_400_000, now), '4 days ago');
    assert.match(openedAgo(now - 40 * 86_400_000, now), /2025/);
    assert.equal(openedAgo(now + 5000, now), 'just now');
  });
});
