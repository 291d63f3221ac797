import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader, ByteWriter, bytesOf, isBinary, isWellFormed } from './bytes.js';

const reader = (bytes: number[] | Uint8Array): ByteReader => new ByteReader(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes), (problem) => `Bad: ${problem}.`);

describe('isBinary and bytesOf', () => {
  it('see every kind of binary value, as a view on the same bytes', () => {
    const backing = new ArrayBuffer(8);
    new Uint8Array(backing).set([1, 2, 3, 4, 5, 6, 7, 8]);
    const views: [unknown, number[]][] = [
      [backing, [1, 2, 3, 4, 5, 6, 7, 8]],
      [new Uint8Array(backing, 2, 3), [3, 4, 5]],
      [Buffer.from([9, 8]), [9, 8]],
      [new Uint16Array(backing, 4, 1), [5, 6]],
      [new DataView(backing, 6, 2), [7, 8]],
    ];
    for (const [value, bytes] of views) {
      assert.ok(isBinary(value));
      assert.deepEqual(Array.from(bytesOf(value as ArrayBuffer)), bytes);
    }
    for (const value of ['abc', 3, null, undefined, [1, 2], { length: 1, 0: 1 }]) assert.equal(isBinary(value), false);
  });
});

describe('isWellFormed', () => {
  it('refuses lone surrogates only', () => {
    assert.ok(isWellFormed('plain ascii, é, 漢字, 😀'));
    assert.equal(isWellFormed('\uD83D'), false);
    assert.equal(isWellFormed('a\uDE00b'), false);
    assert.equal(isWellFormed('\uDE00\uD83D'), false, 'a low surrogate before a high one is two lone ones');
  });
});

describe('ByteWriter and ByteReader', () => {
  it('round-trip varUints at every length boundary up to 2^53 - 1', () => {
    const values = [0, 1, 127, 128, 255, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28, 2 ** 35, 2 ** 49 - 1, 2 ** 49, Number.MAX_SAFE_INTEGER];
    const writer = new ByteWriter();
    for (const value of values) writer.varUint(value);
    const read = reader(writer.finish());
    for (const value of values) assert.equal(read.varUint('a value'), value);
    assert.equal(read.remaining, 0);
  });

  it('writes lib0-compatible varUints', () => {
    const writer = new ByteWriter();
    writer.varUint(300);
    assert.deepEqual(Array.from(writer.finish()), [0xac, 0x02]);
  });

  it('round-trips strings and bytes, including empty ones and a leading BOM', () => {
    const writer = new ByteWriter();
    writer.varString('');
    writer.varString('\uFEFFbom stays');
    writer.varBytes(new Uint8Array(0));
    writer.varBytes(Uint8Array.from([0xf5, 0]));
    const read = reader(writer.finish());
    assert.equal(read.varString('s1'), '');
    assert.equal(read.varString('s2'), '\uFEFFbom stays');
    assert.deepEqual(Array.from(read.varBytes('b1')), []);
    assert.deepEqual(Array.from(read.varBytes('b2')), [0xf5, 0]);
    assert.equal(read.remaining, 0);
  });

  it('refuses reading past the end, naming what it was reading', () => {
    assert.throws(() => reader([]).byte('the marker'), { message: 'Bad: it ends before the marker.' });
    assert.throws(() => reader([0x80]).varUint('the id'), { message: 'Bad: it ends before the id.' });
    assert.throws(() => reader([3, 1, 2]).varBytes('argument 1'), { message: 'Bad: argument 1 claims 3 bytes but only 2 remain.' });
  });

  it('never reads beyond its view, even when the buffer behind it goes on', () => {
    const backing = Uint8Array.from([2, 65, 66, 67, 68]);
    assert.throws(() => reader(backing.subarray(0, 2)).varString('the name'), /claims 2 bytes but only 1 remain/);
    const view = reader(backing.subarray(0, 3)).varBytes('the name');
    assert.equal(view.buffer, backing.buffer, 'a view, not a copy');
    assert.deepEqual(Array.from(view), [65, 66]);
  });

  it('refuses varUints that are too large or too long', () => {
    assert.throws(() => reader([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10]).varUint('n'), /n is larger than 2\^53 - 1/);
    assert.throws(() => reader([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).varUint('n'), /n is longer than 8 bytes/);
    assert.equal(reader([0x80, 0x00]).varUint('n'), 0, 'padding within 8 bytes is accepted, as lib0 does');
  });

  it('refuses invalid UTF-8', () => {
    for (const bad of [[1, 0xff], [2, 0xc3, 0x28], [3, 0xed, 0xa0, 0x80], [1, 0xc3]]) {
      assert.throws(() => reader(bad).varString('the namespace'), { message: 'Bad: the namespace is not valid UTF-8.' });
    }
  });
});
