import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Encoder as DefaultEncoder, PacketType, type Packet } from 'socket.io-parser';
import { Decoder, Encoder, SINGLE_FRAME_MARKER, createParser } from './parser.js';

const { CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR } = PacketType;
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

/** Binary values as plain arrays, so that Buffer, Uint8Array and friends compare by content. */
function plain(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return { bytes: Array.from(new Uint8Array(value)) };
  if (ArrayBuffer.isView(value)) return { bytes: Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** Feeds chunks to a decoder and returns what it emitted. */
function decodeAll(chunks: readonly unknown[], decoder: Decoder = new Decoder()): Packet[] {
  const out: Packet[] = [];
  decoder.on('decoded', (packet: Packet) => out.push(packet));
  for (const chunk of chunks) decoder.add(chunk);
  return out;
}

function nested(depth: number, inner: unknown): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { level: i, next: value };
  return value;
}

type Form = 'text' | 'single frame' | 'default binary';

function formOf(chunks: readonly unknown[]): Form {
  if (chunks.length === 1 && typeof chunks[0] === 'string') return 'text';
  if (chunks.length === 1 && chunks[0] instanceof Uint8Array && chunks[0][0] === SINGLE_FRAME_MARKER) return 'single frame';
  assert.equal(typeof chunks[0], 'string');
  assert.match(chunks[0] as string, /^[56]\d+-/);
  return 'default binary';
}

interface Case {
  readonly what: string;
  /** A function, since the default encoder rewrites the packets it encodes. */
  readonly packet: () => Packet;
  readonly form: Form;
  /** What the peer decodes, when it differs from the packet. */
  readonly expected?: unknown;
}

const CASES: Case[] = [
  { what: 'CONNECT with auth', packet: () => ({ type: CONNECT, nsp: '/quire', data: { token: 't' } }), form: 'text' },
  { what: 'CONNECT without data on /', packet: () => ({ type: CONNECT, nsp: '/' }), form: 'text' },
  { what: 'CONNECT reply', packet: () => ({ type: CONNECT, nsp: '/quire', data: { sid: 'abc', pid: 'def' } }), form: 'text' },
  { what: 'DISCONNECT', packet: () => ({ type: DISCONNECT, nsp: '/quire' }), form: 'text' },
  { what: 'CONNECT_ERROR object', packet: () => ({ type: CONNECT_ERROR, nsp: '/quire', data: { message: 'no', data: { code: 1 } } }), form: 'text' },
  { what: 'CONNECT_ERROR string', packet: () => ({ type: CONNECT_ERROR, nsp: '/', data: 'no' }), form: 'text' },
  { what: 'EVENT text without id', packet: () => ({ type: EVENT, nsp: '/quire', data: ['join', 'doc', null] }), form: 'text' },
  { what: 'EVENT text with id on /', packet: () => ({ type: EVENT, nsp: '/', data: ['x', { a: [1, 'b'] }, 2.5, true], id: 12 }), form: 'text' },
  { what: 'EVENT numeric name', packet: () => ({ type: EVENT, nsp: '/quire', data: [7, 'x'] }), form: 'text' },
  { what: 'ACK text', packet: () => ({ type: ACK, nsp: '/quire', data: [{ ok: true, role: 'edit' }], id: 0 }), form: 'text' },
  { what: 'ACK without arguments', packet: () => ({ type: ACK, nsp: '/', data: [], id: 5 }), form: 'text' },
  { what: 'EVENT Uint8Array with id', packet: () => ({ type: EVENT, nsp: '/quire', data: ['sync', 'doc', bytes(0, 1, 2)], id: 3 }), form: 'single frame' },
  { what: 'EVENT Buffer without id on /', packet: () => ({ type: EVENT, nsp: '/', data: ['awareness', 'doc', Buffer.from([4, 5])] }), form: 'single frame' },
  { what: 'EVENT ArrayBuffer', packet: () => ({ type: EVENT, nsp: '/quire', data: ['sync', 'doc', bytes(6, 7).buffer] }), form: 'single frame' },
  {
    what: 'EVENT typed arrays and views',
    packet: () => ({ type: EVENT, nsp: '/quire', data: ['e', new Float32Array([1.5]), new DataView(bytes(1, 2, 3).buffer, 1, 2), new Uint16Array([513])] }),
    form: 'single frame',
  },
  { what: 'EVENT empty binary', packet: () => ({ type: EVENT, nsp: '/quire', data: ['sync', 'doc', new Uint8Array(0), Buffer.alloc(0)] }), form: 'single frame' },
  {
    what: 'EVENT strings, JSON and binary mixed',
    packet: () => ({ type: EVENT, nsp: '/quire', data: ['kicked', 'doc', { code: 'doc-deleted', message: 'gone' }, [1, null], 'é😀', bytes(0xf5)], id: 99 }),
    form: 'single frame',
  },
  { what: 'ACK binary', packet: () => ({ type: ACK, nsp: '/quire', data: [{ ok: true }, bytes(1)], id: 4 }), form: 'single frame' },
  { what: 'EVENT undefined argument', packet: () => ({ type: EVENT, nsp: '/', data: ['e', undefined, bytes()] }), form: 'single frame', expected: ['e', null, bytes()] },
  { what: 'BINARY_EVENT: binary nested in an argument', packet: () => ({ type: EVENT, nsp: '/quire', data: ['e', { inner: bytes(1, 2) }] }), form: 'default binary' },
  { what: 'BINARY_EVENT with id and top-level binary beside nested', packet: () => ({ type: EVENT, nsp: '/', data: ['e', [bytes(3)], bytes(4)], id: 8 }), form: 'default binary' },
  { what: 'BINARY_ACK', packet: () => ({ type: ACK, nsp: '/quire', data: [{ bytes: bytes(5) }], id: 1 }), form: 'default binary' },
  { what: 'BINARY_EVENT numeric name', packet: () => ({ type: EVENT, nsp: '/quire', data: [7, bytes(5)] }), form: 'default binary' },
];

describe('Encoder → Decoder', () => {
  for (const c of CASES) {
    it(`round-trips ${c.what} as ${c.form}`, () => {
      const original = c.packet();
      const chunks = new Encoder().encode(c.packet());
      assert.equal(formOf(chunks), c.form);
      const decoded = decodeAll(chunks);
      assert.equal(decoded.length, 1);
      const expected = c.expected === undefined ? original : { ...original, data: c.expected };
      assert.deepEqual(plain(decoded[0]), plain(expected));
    });
  }

  it('round-trips binary nested deeper than 8 levels intact, at any depth', () => {
    for (const depth of [8, 9, 10, 20, 31, 32, 33, 100, 500]) {
      const packet = (): Packet => ({ type: EVENT, nsp: '/quire', data: ['e', nested(depth, bytes(depth % 256, 1)), bytes(2)], id: 1 });
      const chunks = new Encoder().encode(packet());
      assert.equal(formOf(chunks), 'default binary', `depth ${depth}`);
      assert.deepEqual(plain(decodeAll(chunks)[0]), plain(packet()), `depth ${depth}`);
    }
  });

  it('keeps deep JSON without binary in the single frame when it is shallow enough to be sure', () => {
    const chunks = new Encoder().encode({ type: EVENT, nsp: '/', data: ['e', nested(20, 'leaf'), bytes(1)] });
    assert.equal(formOf(chunks), 'single frame');
  });

  it('decodes single frames delivered as ArrayBuffers, as browsers receive them', () => {
    const [frame] = new Encoder().encode({ type: EVENT, nsp: '/quire', data: ['sync', 'doc', bytes(1, 2)] });
    const asArrayBuffer = Uint8Array.from(frame as Uint8Array).buffer;
    assert.deepEqual(plain(decodeAll([asArrayBuffer])), plain([{ type: EVENT, nsp: '/quire', data: ['sync', 'doc', bytes(1, 2)] }]));
  });

  it('decodes a stream of packets of every form on one decoder, in order', () => {
    const encoder = new Encoder();
    const chunks = CASES.flatMap((c) => encoder.encode(c.packet()));
    const decoded = decodeAll(chunks);
    assert.deepEqual(plain(decoded), plain(CASES.map((c) => (c.expected === undefined ? c.packet() : { ...c.packet(), data: c.expected }))));
  });
});

describe('Decoder and Socket.IO\'s default binary encoding', () => {
  const defaultChunks = (packet: Packet): unknown[] => new DefaultEncoder().encode(packet);

  it('accepts a header followed by its attachments, as any Socket.IO client sends them', () => {
    const chunks = defaultChunks({ type: EVENT, nsp: '/quire', data: ['sync', 'doc', bytes(0, 1, 2)], id: 3 });
    assert.equal(chunks.length, 2);
    assert.deepEqual(plain(decodeAll(chunks)), plain([{ type: EVENT, nsp: '/quire', data: ['sync', 'doc', bytes(0, 1, 2)], id: 3 }]));
  });

  it('hands an attachment starting with 0xF5 to the reconstruction, not to the single-frame decoder', () => {
    const attachment = bytes(SINGLE_FRAME_MARKER, EVENT, 1, 0x2f, 0, 1, 0, 1, 0x65);
    const chunks = defaultChunks({ type: EVENT, nsp: '/quire', data: ['sync', 'doc', attachment, Buffer.from([0xf5])] });
    assert.deepEqual(plain(decodeAll(chunks)), plain([{ type: EVENT, nsp: '/quire', data: ['sync', 'doc', attachment, bytes(0xf5)] }]));
  });

  it('accepts empty attachments', () => {
    const chunks = defaultChunks({ type: ACK, nsp: '/quire', data: [new Uint8Array(0), { b: new ArrayBuffer(0) }], id: 2 });
    assert.deepEqual(plain(decodeAll(chunks)), plain([{ type: ACK, nsp: '/quire', data: [bytes(), { b: bytes() }], id: 2 }]));
  });

  it('accepts attachments as ArrayBuffers (as browsers receive them)', () => {
    const [header, attachment] = defaultChunks({ type: EVENT, nsp: '/', data: ['e', bytes(0xf5, 9)] });
    const asArrayBuffer = Uint8Array.from(attachment as Uint8Array).buffer;
    assert.deepEqual(plain(decodeAll([header, asArrayBuffer])), plain([{ type: EVENT, nsp: '/', data: ['e', bytes(0xf5, 9)] }]));
  });

  it('decodes single frames again once a default binary packet is complete', () => {
    const encoder = new Encoder();
    const chunks = [
      ...defaultChunks({ type: EVENT, nsp: '/', data: ['a', bytes(0xf5)] }),
      ...encoder.encode({ type: EVENT, nsp: '/', data: ['b', bytes(0xf5)] }),
      ...defaultChunks({ type: EVENT, nsp: '/', data: ['c', bytes(), bytes(0xf5, 2)] }),
    ];
    assert.deepEqual(decodeAll(chunks).map((p) => (p.data as unknown[])[0]), ['a', 'b', 'c']);
  });

  it('refuses text while attachments are due, and binary nobody expects', () => {
    const [header] = defaultChunks({ type: EVENT, nsp: '/', data: ['e', bytes(1)] });
    assert.throws(() => decodeAll([header, '2["e"]']), /^Error: Malformed Socket.IO packet: text arrived while 1 binary attachments were due\.$/);
    assert.throws(() => decodeAll([bytes(1, 2)]), /binary data that is neither a single frame nor an expected attachment/);
    assert.throws(() => decodeAll([new Uint8Array(0)]), /binary data that is neither a single frame nor an expected attachment/);
  });

  it('refuses attachment counts the default decoder would read loosely', () => {
    for (const header of ['5 1-["e",{"_placeholder":true,"num":0}]', '50x1-["e"]', '51e0-["e"]', '5-["e"]', '6']) {
      assert.throws(() => decodeAll([header]), { message: 'Malformed Socket.IO packet: a binary packet must start with its attachment count in digits and "-".' }, header);
    }
  });

  it('refuses placeholders that point at no attachment', () => {
    assert.throws(() => decodeAll(['51-["e",{"_placeholder":true,"num":1}]', bytes(1)]), /^Error: Malformed Socket.IO packet: illegal attachments\.$/);
  });

  it('refuses more attachments than allowed, before holding any', () => {
    assert.throws(() => decodeAll(['511-["e"]']), /too many attachments/);
    assert.throws(() => decodeAll(['52-["e"]'], new (createParser({ maxAttachments: 1 }).Decoder)()), /too many attachments/);
    assert.throws(() => decodeAll(['59007199254740993-["e"]']), /too many attachments/);
  });
});

describe('Decoder robustness', () => {
  it('refuses chunks that are neither text nor binary', () => {
    for (const chunk of [null, undefined, 42, {}, { base64: true }, [1]]) {
      assert.throws(() => decodeAll([chunk]), (e: unknown) => e instanceof Error && /neither text nor binary/.test(e.message), String(chunk));
    }
  });

  it('wraps the default decoder\'s errors in a sentence saying what failed', () => {
    for (const [text, problem] of [['9', 'unknown packet type 9'], ['2/quire,not json', 'invalid payload'], ['2/quire,["disconnect"]', 'invalid payload'], ['50-["e"]', 'Illegal attachments']]) {
      assert.throws(() => decodeAll([text]), { message: `Malformed Socket.IO packet: ${problem}.` }, text);
    }
  });

  it('starts afresh after a refusal', () => {
    const decoder = new Decoder();
    const [header] = new DefaultEncoder().encode({ type: EVENT, nsp: '/', data: ['e', bytes(1)] });
    const out = decodeAll([], decoder);
    decoder.add(header);
    assert.throws(() => decoder.add('2["oops"'));
    decoder.add('2["fine"]');
    assert.deepEqual(out.map((p) => p.data), [['fine']]);
  });

  it('drops a half-received packet on destroy', () => {
    const decoder = new Decoder();
    const out = decodeAll([], decoder);
    decoder.add('51-["e",{"_placeholder":true,"num":0}]');
    decoder.destroy();
    decoder.add('2["after"]');
    assert.deepEqual(out.map((p) => p.data), [['after']]);
  });

  it('does not let a listener\'s exception reset or wrap anything', () => {
    const decoder = new Decoder();
    decoder.on('decoded', () => {
      throw new TypeError('listener bug');
    });
    assert.throws(() => decoder.add('2["e"]'), TypeError);
  });
});
