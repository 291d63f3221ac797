import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_SCAN_DEPTH, MAX_SCAN_VALUES, scanForBinary } from './binary-scan.js';

function nest(depth: number, inner: unknown): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { next: value };
  return value;
}

describe('scanForBinary', () => {
  it('answers none for JSON values', () => {
    for (const value of [null, undefined, 0, 'text', true, [], {}, [1, 'a', { b: [null, { c: 2 }] }], new Date(0)]) {
      assert.equal(scanForBinary(value), 'none');
    }
  });

  it('finds binary at the top, in arrays and in objects, at every depth it looks', () => {
    assert.equal(scanForBinary(new Uint8Array(1)), 'binary');
    assert.equal(scanForBinary(new ArrayBuffer(0)), 'binary');
    assert.equal(scanForBinary({ a: [1, { b: Buffer.alloc(0) }] }), 'binary');
    for (let depth = 1; depth <= MAX_SCAN_DEPTH; depth++) assert.equal(scanForBinary(nest(depth, new Float64Array(1))), 'binary', `depth ${depth}`);
  });

  it('finds Blobs, which the single-frame format cannot read synchronously', () => {
    assert.equal(scanForBinary([new Blob(['x'])]), 'binary');
  });

  it('is unsure (never none) past its depth limit, without recursing', () => {
    assert.equal(scanForBinary(nest(MAX_SCAN_DEPTH + 1, new Uint8Array(1))), 'unsure');
    assert.equal(scanForBinary(nest(MAX_SCAN_DEPTH + 1, 'no binary at all')), 'unsure', 'it cannot know without looking');
    assert.equal(scanForBinary(nest(200_000, null)), 'unsure');
  });

  it('is unsure past its size limit and on cycles', () => {
    assert.equal(scanForBinary(Array.from({ length: MAX_SCAN_VALUES + 1 }, () => ({}))), 'unsure');
    const cycle: { self?: unknown } = {};
    cycle.self = cycle;
    assert.equal(scanForBinary(cycle), 'unsure');
  });

  it('looks where JSON.stringify looks: through toJSON, not at non-enumerable properties', () => {
    assert.equal(scanForBinary({ toJSON: () => ({ hidden: new Uint8Array(1) }) }), 'binary');
    assert.equal(scanForBinary({ toJSON: () => new Uint8Array(1) }), 'binary');
    assert.equal(scanForBinary({ toJSON: () => 'replaced', bytes: new Uint8Array(1) }), 'none');
    assert.equal(scanForBinary({ toJSON: () => { throw new Error('no'); } }), 'unsure');
    const hidden = {};
    Object.defineProperty(hidden, 'bytes', { value: new Uint8Array(1), enumerable: false });
    assert.equal(scanForBinary(hidden), 'none');
  });
});
