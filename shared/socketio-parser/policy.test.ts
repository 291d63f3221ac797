import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Encoder as DefaultEncoder, PacketType, type Packet } from 'socket.io-parser';
import { DEFAULT_MAX_ARGUMENTS, Decoder, RESERVED_EVENTS, createParser, encodeSingleFrame, type ParserOptions } from './parser.js';

const { EVENT, ACK } = PacketType;
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const QUIRE_EVENTS = ['join', 'leave', 'sync', 'awareness'];
const QUIRE: ParserOptions = { allowedEvents: QUIRE_EVENTS, maxArguments: 3 };

type Form = 'text' | 'default binary' | 'single frame';
const FORMS: Form[] = ['text', 'default binary', 'single frame'];

/** The chunks of a packet in one wire form; binary forms get one binary argument appended. */
function chunksOf(form: Form, type: PacketType.EVENT | PacketType.ACK, nsp: string, values: unknown[], id?: number): unknown[] {
  const packet = (data: unknown[]): Packet => (id === undefined ? { type, nsp, data } : { type, nsp, data, id });
  if (form === 'text') return new DefaultEncoder().encode(packet(values));
  const withBinary = [...values, bytes(1)];
  if (form === 'default binary') return new DefaultEncoder().encode(packet(withBinary));
  // Built by the codec directly so that numeric names and other oddities can be sent.
  return [encodeSingleFrame(packet(withBinary) as Parameters<typeof encodeSingleFrame>[0])];
}

function decode(options: ParserOptions | undefined, chunks: unknown[]): Packet[] {
  const decoder = options === undefined ? new Decoder() : new (createParser(options).Decoder)();
  const out: Packet[] = [];
  decoder.on('decoded', (packet: Packet) => out.push(packet));
  for (const chunk of chunks) decoder.add(chunk);
  return out;
}

function accepts(options: ParserOptions | undefined, chunks: unknown[], what: string): void {
  assert.equal(decode(options, chunks).length, 1, what);
}

function refuses(options: ParserOptions | undefined, chunks: unknown[], message: RegExp, what: string): void {
  assert.throws(() => decode(options, chunks), (error: unknown) => {
    assert.ok(error instanceof Error, `${what}: threw a non-Error`);
    assert.match(error.message, message, what);
    return true;
  }, what);
}

const filler = (n: number): number[] => new Array<number>(n).fill(0);

describe('argument limit', () => {
  for (const form of FORMS) {
    it(`refuses events and acks over the limit in the ${form} form`, () => {
      // The binary forms carry one binary argument more; count it in.
      const extra = form === 'text' ? 0 : 1;
      accepts(QUIRE, chunksOf(form, EVENT, '/quire', ['sync', ...filler(3 - extra)]), 'an event at the limit');
      refuses(QUIRE, chunksOf(form, EVENT, '/quire', ['sync', ...filler(4 - extra)]), /^Refused Socket\.IO packet on namespace "\/quire": an event with 4 arguments, at most 3 allowed\.$/, 'an event over it');
      accepts(QUIRE, chunksOf(form, ACK, '/quire', filler(3 - extra), 9), 'an ack at the limit');
      refuses(QUIRE, chunksOf(form, ACK, '/quire', filler(4 - extra), 9), /an ack with 4 arguments, at most 3 allowed/, 'an ack over it');
    });
  }

  it('counts neither the event name nor the ack callback', () => {
    accepts({ maxArguments: 0 }, chunksOf('text', EVENT, '/', ['ping'], 5), 'a bare event with an ack id');
    refuses({ maxArguments: 0 }, chunksOf('text', EVENT, '/', ['ping', 1], 5), /an event with 1 arguments, at most 0 allowed/, 'one argument');
  });

  it(`is ${DEFAULT_MAX_ARGUMENTS} arguments on the plain Decoder`, () => {
    for (const form of FORMS) {
      const extra = form === 'text' ? 0 : 1;
      accepts(undefined, chunksOf(form, EVENT, '/quire', ['e', ...filler(DEFAULT_MAX_ARGUMENTS - extra)]), `${form} at the default limit`);
      refuses(undefined, chunksOf(form, EVENT, '/quire', ['e', ...filler(DEFAULT_MAX_ARGUMENTS + 1 - extra)]), /at most 64 allowed/, `${form} over it`);
    }
  });

  for (const form of FORMS) {
    it(`refuses the 60,000-argument attack in the ${form} form, in milliseconds`, (t) => {
      const chunks = chunksOf(form, EVENT, '/quire', ['join', ...filler(60_000)]);
      for (const options of [undefined, QUIRE]) {
        const started = performance.now();
        refuses(options, chunks, /an event with 600\d\d arguments/, `${form}, ${options === undefined ? 'plain' : 'Quire'} decoder`);
        const size = chunks.reduce<number>((sum, c) => sum + (typeof c === 'string' ? c.length : (c as Uint8Array).length), 0);
        t.diagnostic(`${form}, ${options === undefined ? 'plain' : 'Quire'} decoder: ${size} bytes refused in ${(performance.now() - started).toFixed(2)} ms`);
      }
    });
  }
});

describe('event allowlist', () => {
  for (const form of FORMS) {
    it(`accepts the listed names and refuses others in the ${form} form`, () => {
      for (const name of QUIRE_EVENTS) accepts(QUIRE, chunksOf(form, EVENT, '/quire', [name, 'doc']), name);
      for (const name of ['nope', 'Join', 'join ', 'error', '__proto__', 'constructor', 'toString', 'quire-error']) {
        refuses(QUIRE, chunksOf(form, EVENT, '/quire', [name, 'doc']), new RegExp(`the event name ${JSON.stringify(name).replace(/[[\]\\^$.*+?()|{}]/g, '\\$&')} is not among the allowed events`), name);
      }
    });

    it(`refuses numeric event names under an allowlist in the ${form} form`, () => {
      if (form === 'single frame') return; // The single-frame format has no numeric names at all (tested in single-frame.test.ts).
      refuses(QUIRE, chunksOf(form, EVENT, '/quire', [7, 'doc']), /the event name 7 is not among the allowed events/, 'numeric');
      accepts(undefined, chunksOf(form, EVENT, '/quire', [7, 'doc']), 'numeric without an allowlist');
    });

    it(`refuses reserved names even when listed, in the ${form} form`, () => {
      const options: ParserOptions = { allowedEvents: [...QUIRE_EVENTS, ...RESERVED_EVENTS] };
      for (const name of RESERVED_EVENTS) {
        for (const opts of [undefined, options, QUIRE]) {
          // The default decoder refuses reserved names itself in the text forms ("invalid payload").
          refuses(opts, chunksOf(form, EVENT, '/quire', [name, 'doc']), form === 'single frame' ? new RegExp(`the event name "${name}" is reserved`) : /^(Malformed|Refused) Socket\.IO packet/, `${name}`);
        }
      }
    });
  }

  it('does not apply to acks, which carry no name', () => {
    for (const form of FORMS) accepts(QUIRE, chunksOf(form, ACK, '/quire', [{ ok: true }], 0), form);
  });

  it('refuses acks without an id in every form', () => {
    refuses(QUIRE, ['3/quire,[1]'], /an ack without an id/, 'text');
    refuses(QUIRE, ['61-/quire,[{"_placeholder":true,"num":0}]', bytes(1)], /an ack without an id/, 'default binary');
  });
});

describe('namespace scope', () => {
  const scoped: ParserOptions = { ...QUIRE, namespace: '/quire' };

  it('applies the allowlist and limit to its namespace only', () => {
    refuses(scoped, chunksOf('text', EVENT, '/quire', ['chat', 'hi']), /not among the allowed events/, 'its namespace');
    refuses(scoped, chunksOf('single frame', EVENT, '/quire', ['sync', 1, 2, 3]), /at most 3 allowed/, 'its namespace');
    accepts(scoped, chunksOf('text', EVENT, '/app', ['chat', 1, 2, 3, 4, 5]), 'another namespace');
    accepts(scoped, chunksOf('single frame', EVENT, '/', ['chat', 1, 2, 3, 4, 5]), 'the main namespace');
  });

  it('still holds other namespaces to the defaults', () => {
    refuses(scoped, chunksOf('text', EVENT, '/app', ['e', ...filler(DEFAULT_MAX_ARGUMENTS + 1)]), /at most 64 allowed/, 'argument count');
    refuses(scoped, chunksOf('single frame', EVENT, '/app', ['disconnect']), /is reserved/, 'reserved name');
  });
});

describe('attachment limits', () => {
  const attachments = (...sizes: number[]): unknown[] =>
    new DefaultEncoder().encode({ type: EVENT, nsp: '/quire', data: ['sync', ...sizes.map((n) => new Uint8Array(n))] });

  it('refuse more attachments than allowed at the header, before holding any', () => {
    refuses({ maxAttachments: 2 }, attachments(1, 1, 1).slice(0, 1), /too many attachments/, 'three of two');
    accepts({ maxAttachments: 2 }, attachments(1, 1), 'two of two');
  });

  it('refuse attachments adding up to more bytes than allowed, as soon as they do', () => {
    accepts({ maxAttachmentBytes: 10 }, attachments(4, 6), 'exactly the limit');
    const chunks = attachments(4, 7, 1);
    refuses({ maxAttachmentBytes: 10 }, chunks.slice(0, 3), /^Refused Socket\.IO packet: its attachments pass 10 bytes\.$/, 'past it at the second');
    accepts({ maxAttachmentBytes: 0 }, attachments(0, 0), 'empty attachments');
  });

  it('count each packet on its own', () => {
    const decoded = decode({ maxAttachmentBytes: 6 }, [...attachments(6), ...attachments(3, 3)]);
    assert.equal(decoded.length, 2);
  });
});

describe('options', () => {
  it('refuse nonsense at once', () => {
    assert.throws(() => createParser({ maxArguments: -1 }), RangeError);
    assert.throws(() => createParser({ maxArguments: 1.5 }), RangeError);
    assert.throws(() => createParser({ maxArguments: Number.NaN }), RangeError);
    assert.throws(() => createParser({ maxAttachments: 0 }), RangeError);
    assert.throws(() => createParser({ maxAttachmentBytes: -1 }), RangeError);
    assert.throws(() => createParser({ allowedEvents: [3 as unknown as string] }), TypeError);
    assert.throws(() => createParser({ namespace: 'quire' }), TypeError);
  });

  it('are copied, so changing the list afterwards changes nothing', () => {
    const allowedEvents = ['join'];
    const parser = createParser({ allowedEvents });
    allowedEvents.push('sneaky');
    const decoder = new parser.Decoder();
    assert.throws(() => decoder.add('2["sneaky"]'), /not among the allowed events/);
  });

  it('make a parser socket.io can use: Encoder and Decoder constructed without arguments', () => {
    const parser = createParser(QUIRE);
    assert.ok(Object.isFrozen(parser));
    const encoded = new parser.Encoder().encode({ type: EVENT, nsp: '/quire', data: ['sync', 'd', bytes(1)] });
    const decoder = new parser.Decoder();
    const out: Packet[] = [];
    decoder.on('decoded', (p: Packet) => out.push(p));
    for (const chunk of encoded) decoder.add(chunk);
    assert.equal(out.length, 1);
    assert.ok(decoder instanceof Decoder);
  });
});
