import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cleanName,
  contrastRatio,
  contrastText,
  IDENTITY_STORAGE_KEY,
  initials,
  loadIdentity,
  PEOPLE_COLORS,
  randomIdentity,
  safeColor,
  saveIdentity,
} from './identity.js';
import { MemoryStorage } from '../../test/support/memory-storage.js';

/** A deterministic stand-in for Math.random. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('identity', () => {
  it('chooses a friendly name and a palette colour once, then remembers them', () => {
    const storage = new MemoryStorage();
    const first = loadIdentity(storage, seeded(1));
    assert.match(first.name, /^[A-Z][a-z]+ [A-Z][a-z]+$/);
    assert.ok(PEOPLE_COLORS.includes(first.color));
    assert.deepEqual(loadIdentity(storage, seeded(2)), first);
  });

  it('keeps an edited name and repairs a damaged stored identity', () => {
    const storage = new MemoryStorage();
    saveIdentity(storage, { name: 'Ada', color: '#123456' });
    assert.deepEqual(loadIdentity(storage, seeded(3)), { name: 'Ada', color: '#123456' });
    storage.setItem(IDENTITY_STORAGE_KEY, JSON.stringify({ name: '   ', color: 'red; background:url(x)' }));
    const repaired = loadIdentity(storage, seeded(4));
    assert.notEqual(repaired.name.trim(), '');
    assert.ok(PEOPLE_COLORS.includes(repaired.color));
    storage.setItem(IDENTITY_STORAGE_KEY, 'not json');
    assert.ok(loadIdentity(storage, seeded(5)).name.length > 0);
    assert.ok(loadIdentity(null, seeded(6)).name.length > 0);
  });

  it('gives different people different identities', () => {
    const random = seeded(7);
    const names = new Set(Array.from({ length: 20 }, () => randomIdentity(random).name));
    assert.ok(names.size > 10, `only ${names.size} distinct names`);
  });

  it('accepts only #rrggbb colours from peers', () => {
    assert.equal(safeColor('#A1B2C3'), '#a1b2c3');
    for (const bad of ['red', '#fff', 'url(x)', '#12345g', '#1234567', '#123456; color: red', 7, null]) {
      assert.equal(safeColor(bad, '#000000'), '#000000', String(bad));
    }
  });

  it('cleans names and derives initials', () => {
    assert.equal(cleanName('  Ada \n  Lovelace '), 'Ada Lovelace');
    assert.equal(cleanName('x'.repeat(100)).length, 40);
    assert.equal(initials('Amber Fox'), 'AF');
    assert.equal(initials('ada byron lovelace'), 'AL');
    assert.equal(initials('zoë'), 'Z');
    assert.equal(initials('   '), '?');
  });

  it('picks readable label ink for a colour', () => {
    assert.equal(contrastText('#ffffff'), '#000000');
    assert.equal(contrastText('#ffe066'), '#000000');
    assert.equal(contrastText('#1971c2'), '#ffffff');
    assert.equal(contrastText('#e67700'), '#000000', 'white on orange is only 3:1');
    assert.equal(contrastText('#000000'), '#ffffff');
  });

  it('always reaches 4.5:1 between a label and its colour, whatever colour a peer picked', () => {
    const samples = [...PEOPLE_COLORS, '#ffd43b', '#74c0fc', '#777777', '#808080', '#ff0000', '#00ff00', '#0000ff', 'not a colour'];
    for (let i = 0; i < 64; i++) samples.push(`#${((i * 0x3c5a7) & 0xffffff).toString(16).padStart(6, '0')}`);
    for (const color of samples) {
      const ratio = contrastRatio(safeColor(color), contrastText(color));
      assert.ok(ratio >= 4.5, `${color}: ${ratio.toFixed(2)}:1`);
    }
    assert.equal(contrastRatio('#000000', '#ffffff'), 21);
    assert.equal(contrastRatio('#777777', '#777777'), 1);
  });
});
