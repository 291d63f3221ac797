import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PacketType } from 'socket.io-parser';
import { MAX_SCAN_DEPTH } from './binary-scan.js';
import { ByteWriter } from './bytes.js';
import { SINGLE_FRAME_MARKER, canEncodeSingleFrame, decodeSingleFrame, encodeSingleFrame, type SingleFrameHeader, type SingleFramePacket } from './single-frame.js';

const { EVENT, ACK } = PacketType;
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0));

/** Binary values as plain arrays, so that Buffer, Uint8Array and friends compare by content. */
function plain(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return { bytes: Array.from(new Uint8Array(value)) };
  if (ArrayBuffer.isView(value)) return { bytes: Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

function roundTrip(packet: SingleFramePacket): SingleFramePacket {
  const frame = encodeSingleFrame(packet);
  assert.equal(frame[0], SINGLE_FRAME_MARKER);
  return decodeSingleFrame(frame);
}

/** A frame built by hand, field by field, to say exactly what is wrong with it. */
function frame(build: (w: ByteWriter) => void): Uint8Array {
  const writer = new ByteWriter();
  build(writer);
  return writer.finish();
}

function header(w: ByteWriter, type: number, nsp: string, idPlusOne: number, argc: number): void {
  w.byte(SINGLE_FRAME_MARKER);
  w.byte(type);
  w.varString(nsp);
  w.varUint(idPlusOne);
  w.varUint(argc);
}

const VALID: SingleFramePacket[] = [
  { type: EVENT, nsp: '/quire', data: ['sync', 'doc', bytes(0, 1, 2)] },
  { type: EVENT, nsp: '/', data: ['awareness', 'doc', new Uint8Array(0)], id: 0 },
  { type: ACK, nsp: '/quire', data: [{ ok: true }, bytes(0xf5)], id: 41 },
  { type: EVENT, nsp: '/quire', data: ['x', 'é漢😀', 1.5, null, true, [1, { a: 'b' }], bytes(9)], id: 2 ** 40 },
];

describe('encodeSingleFrame / decodeSingleFrame', () => {
  it('round-trip events and acks, with and without ids, on / and /quire', () => {
    for (const packet of VALID) assert.deepEqual(plain(roundTrip(packet)), plain(packet));
  });

  it('match the example of shared/PROTOCOL.md byte for byte', () => {
    const doc = '0QmrOSNvJYjbYI5GxKVhSw';
    const message = bytes(0, 1, 0);
    const expected = [0xf5, 0x02, 0x06, ...ascii('/quire'), 0x08, 0x03, 0x00, 0x04, ...ascii('sync'), 0x00, 0x16, ...ascii(doc), 0x01, 0x03, 0, 1, 0];
    assert.deepEqual(Array.from(encodeSingleFrame({ type: EVENT, nsp: '/quire', data: ['sync', doc, message], id: 7 })), expected);
  });

  it('carry every binary kind as its bytes, empty ones included', () => {
    const backing = new ArrayBuffer(6);
    new Uint8Array(backing).set([1, 2, 3, 4, 5, 6]);
    const args = [Buffer.from([7, 8]), backing, new Uint8Array(backing, 1, 2), new Uint16Array(backing, 2, 2), new DataView(backing, 4, 2), new Uint8Array(0), Buffer.alloc(0)];
    const decoded = roundTrip({ type: EVENT, nsp: '/quire', data: ['bin', ...args] });
    assert.deepEqual(plain(decoded.data), plain(['bin', ...args]));
    for (const arg of decoded.data.slice(1)) assert.ok(arg instanceof Uint8Array);
  });

  it('keep strings with lone surrogates intact (they travel as JSON)', () => {
    const odd = ['\uD800', 'a\uDFFFb', '\uDE00\uD83D'];
    const decoded = roundTrip({ type: EVENT, nsp: '/quire', data: ['\uD801name', ...odd, bytes(1)] });
    assert.deepEqual(decoded.data.slice(0, 4), ['\uD801name', ...odd]);
  });

  it('send undefined, functions and symbols as null, as Socket.IO does', () => {
    const decoded = roundTrip({ type: EVENT, nsp: '/', data: ['e', undefined, () => 1, Symbol('s'), bytes()] });
    assert.deepEqual(decoded.data.slice(1, 4), [null, null, null]);
  });

  it('decode binary arguments as views on the frame, not copies', () => {
    const encoded = encodeSingleFrame({ type: EVENT, nsp: '/', data: ['e', bytes(1, 2, 3)] });
    const arg = decodeSingleFrame(encoded).data[1] as Uint8Array;
    assert.equal(arg.buffer, encoded.buffer);
  });
});

describe('canEncodeSingleFrame', () => {
  it('accepts events with a string name and acks with an id', () => {
    for (const packet of VALID) assert.ok(canEncodeSingleFrame(packet));
  });

  it('refuses what the format cannot carry unchanged', () => {
    const refused: [string, { type: unknown; nsp?: unknown; id?: unknown; data?: unknown }][] = [
      ['a connect packet', { type: PacketType.CONNECT, nsp: '/', data: {} }],
      ['a binary event type', { type: PacketType.BINARY_EVENT, nsp: '/', data: ['e'] }],
      ['a numeric event name', { type: EVENT, nsp: '/', data: [7, bytes()] }],
      ['an event without a name', { type: EVENT, nsp: '/', data: [] }],
      ['an ack without an id', { type: ACK, nsp: '/', data: [bytes()] }],
      ['a negative id', { type: ACK, nsp: '/', data: [], id: -1 }],
      ['a fractional id', { type: ACK, nsp: '/', data: [], id: 1.5 }],
      ['an id whose successor is unsafe', { type: ACK, nsp: '/', data: [], id: Number.MAX_SAFE_INTEGER }],
      ['a namespace without /', { type: EVENT, nsp: 'quire', data: ['e'] }],
      ['a namespace with a lone surrogate', { type: EVENT, nsp: '/\uD800', data: ['e'] }],
      ['data that is not a list', { type: EVENT, nsp: '/', data: { 0: 'e' } }],
      ['binary nested in an argument', { type: EVENT, nsp: '/', data: ['e', { inner: bytes(1) }, bytes(2)] }],
      ['binary deeper than the scan looks', { type: EVENT, nsp: '/', data: ['e', JSON.parse('['.repeat(MAX_SCAN_DEPTH + 2) + ']'.repeat(MAX_SCAN_DEPTH + 2)), bytes(2)] }],
      ['a Blob', { type: EVENT, nsp: '/', data: ['e', new Blob(['x'])] }],
    ];
    for (const [what, packet] of refused) {
      assert.equal(canEncodeSingleFrame(packet), false, what);
      assert.throws(() => encodeSingleFrame(packet as SingleFramePacket), TypeError, what);
    }
  });
});

describe('decodeSingleFrame refuses', () => {
  const refuses = (input: Uint8Array, message: RegExp, what: string): void => {
    assert.throws(() => decodeSingleFrame(input), (error: unknown) => {
      assert.ok(error instanceof Error, `${what}: threw a non-Error`);
      assert.match(error.message, /^Malformed single-frame packet: .+\.$/, what);
      assert.match(error.message, message, what);
      return true;
    });
  };

  it('a frame truncated at any byte', () => {
    for (const packet of VALID) {
      const whole = encodeSingleFrame(packet);
      for (let length = 0; length < whole.length; length++) refuses(whole.subarray(0, length), /./, `${length} of ${whole.length} bytes`);
    }
  });

  it('a wrong marker and an unknown packet type', () => {
    refuses(bytes(0x42, EVENT), /does not start with 0xF5/, 'marker');
    for (const type of [0, 1, 4, 5, 6, 0xff]) refuses(frame((w) => header(w, type, '/', 0, 1)), new RegExp(`unknown packet type ${type}`), `type ${type}`);
  });

  it('a namespace that is not one', () => {
    refuses(frame((w) => header(w, EVENT, 'quire', 0, 0)), /namespace does not start with "\/"/, 'no slash');
    refuses(frame((w) => header(w, EVENT, '', 0, 0)), /namespace does not start with "\/"/, 'empty');
    refuses(bytes(0xf5, EVENT, 2, 0x2f, 0xff, 0, 1, 0, 1, 0x65), /the namespace is not valid UTF-8/, 'bad UTF-8');
  });

  it('an unknown argument tag', () => {
    for (const tag of [3, 0x7f, 0xf5]) {
      refuses(frame((w) => { header(w, EVENT, '/', 0, 1); w.byte(tag); w.varString('e'); }), new RegExp(`argument 0 has unknown tag ${tag}`), `tag ${tag}`);
    }
  });

  it('bytes after the last argument', () => {
    const whole = encodeSingleFrame(VALID[0]!);
    refuses(Uint8Array.from([...whole, 0]), /1 bytes follow the last argument/, 'one extra byte');
  });

  it('an event without a name, or with a name that is not a string', () => {
    refuses(frame((w) => header(w, EVENT, '/', 0, 0)), /an event needs a name/, 'argc 0');
    refuses(frame((w) => { header(w, EVENT, '/', 0, 1); w.byte(2); w.varString('7'); }), /an event name must be a string/, 'numeric name');
    refuses(frame((w) => { header(w, EVENT, '/', 0, 1); w.byte(1); w.varBytes(bytes(101)); }), /an event name must be a string/, 'binary name');
  });

  it('an ack without an id', () => {
    refuses(frame((w) => { header(w, ACK, '/', 0, 1); w.byte(0); w.varString('x'); }), /an ack needs an id/, 'ack');
  });

  it('invalid JSON and invalid UTF-8 in arguments', () => {
    for (const json of ['', '{', 'undefined', "'x'", '[1,]', 'NaN']) {
      refuses(frame((w) => { header(w, EVENT, '/', 0, 2); w.byte(0); w.varString('e'); w.byte(2); w.varString(json); }), /argument 1 is not valid JSON/, JSON.stringify(json));
    }
    refuses(frame((w) => { header(w, EVENT, '/', 0, 1); w.byte(0); w.varBytes(bytes(0xc0, 0x80)); }), /argument 0 is not valid UTF-8/, 'overlong UTF-8');
  });

  it('an argument count that lies', () => {
    const tooMany = frame((w) => { header(w, EVENT, '/', 0, 3); w.byte(0); w.varString('e'); });
    refuses(tooMany, /3 arguments cannot fit in the 3 bytes left/, 'more than the bytes can hold');
    const huge = frame((w) => { header(w, EVENT, '/', 0, Number.MAX_SAFE_INTEGER); w.byte(0); w.varString('e'); });
    refuses(huge, /cannot fit/, 'a huge count');
    const fewer = frame((w) => { header(w, EVENT, '/', 0, 1); w.byte(0); w.varString('e'); w.byte(0); w.varString('f'); });
    refuses(fewer, /3 bytes follow the last argument/, 'fewer than there are');
    const plausible = frame((w) => { header(w, EVENT, '/', 0, 2); w.byte(0); w.varString('e'); w.byte(0); w.varUint(1); });
    refuses(plausible, /argument 1 claims 1 bytes but only 0 remain/, 'a count the bytes could hold but do not');
  });

  it('an argument length that lies', () => {
    refuses(frame((w) => { header(w, EVENT, '/', 0, 1); w.byte(0); w.varUint(2 ** 40); w.byte(0x65); }), /argument 0 claims 1099511627776 bytes but only 1 remain/, 'string');
    refuses(frame((w) => { header(w, EVENT, '/', 0, 2); w.byte(0); w.varString('e'); w.byte(1); w.varUint(5); }), /argument 1 claims 5 bytes/, 'bytes');
  });

  it('oversized varUints', () => {
    refuses(bytes(0xf5, EVENT, 1, 0x2f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), /the ack id is larger than 2\^53 - 1/, 'id');
    refuses(bytes(0xf5, EVENT, 1, 0x2f, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80), /the argument count is longer than 8 bytes/, 'argc');
  });
});

describe('decodeSingleFrame checkHeader', () => {
  it('sees the header before any argument is decoded, and can refuse the frame', () => {
    const seen: SingleFrameHeader[] = [];
    const packet = decodeSingleFrame(encodeSingleFrame({ type: ACK, nsp: '/quire', data: [bytes(1), 'x'], id: 3 }), { checkHeader: (h) => seen.push(h) });
    assert.deepEqual(seen, [{ type: ACK, nsp: '/quire', id: 3, argc: 2 }]);
    assert.equal(packet.id, 3);
    // The first argument is broken: a refusal from checkHeader wins, so nothing was decoded first.
    const broken = frame((w) => { header(w, EVENT, '/', 0, 1); w.byte(2); w.varString('{'); });
    assert.throws(() => decodeSingleFrame(broken, { checkHeader: () => { throw new Error('too many'); } }), { message: 'too many' });
  });
});
