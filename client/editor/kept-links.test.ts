import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyValueStorage } from './identity.js';
import { forgetKeptLink, keepLinks, keptLinks } from './kept-links.js';

function memoryStorage(): KeyValueStorage & { readonly items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value), removeItem: (key) => void items.delete(key) };
}

describe('kept links', () => {
  it('keeps links per page, once each, and forgets a revoked one', () => {
    const storage = memoryStorage();
    keepLinks(storage, 'owner-token-a', [
      { name: 'Owner link', role: 'owner', url: 'https://q.example/d/a' },
      { name: 'Edit link', role: 'edit', url: 'https://q.example/d/b' },
    ]);
    keepLinks(storage, 'owner-token-a', [
      { name: 'Edit link', role: 'edit', url: 'https://q.example/d/b' },
      { name: 'Reviewers', role: 'edit', url: 'https://q.example/d/c', id: 'L1' },
    ]);
    assert.deepEqual(keptLinks(storage, 'owner-token-a').map((link) => link.name), ['Owner link', 'Edit link', 'Reviewers']);
    assert.deepEqual(keptLinks(storage, 'owner-token-b'), []);
    forgetKeptLink(storage, 'owner-token-a', 'L1');
    assert.deepEqual(keptLinks(storage, 'owner-token-a').map((link) => link.name), ['Owner link', 'Edit link']);
  });

  it('ignores what is not a list of links', () => {
    const storage = memoryStorage();
    storage.setItem('quire:kept-links:p', '{"not":"a list"}');
    assert.deepEqual(keptLinks(storage, 'p'), []);
    storage.setItem('quire:kept-links:p', '[{"name":"x","role":"admin","url":"u"},{"name":"ok","role":"view","url":"u2"}]');
    assert.deepEqual(keptLinks(storage, 'p').map((link) => link.name), ['ok']);
    storage.setItem('quire:kept-links:p', 'not json');
    assert.deepEqual(keptLinks(storage, 'p'), []);
    assert.deepEqual(keptLinks(null, 'p'), []);
  });
});
