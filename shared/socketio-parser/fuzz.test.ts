/**
 * Seeded fuzzing of the Decoder: random valid packets in every wire form, then random mutations of
 * their bytes and chunks. Whatever arrives, the Decoder may only emit well-formed packets or throw
 * an Error with a sentence; anything else (another throwable, a malformed packet, a read outside
 * the frame, a hang) fails. Reproduce a failure with the printed seed: SEED=n node --import tsx
 * --test shared/socketio-parser/fuzz.test.ts. FUZZ_CASES=n changes how many cases run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Encoder as DefaultEncoder, PacketType, type Packet } from 'socket.io-parser';
import { prng, testSeed } from '../../test/support/seeded.js';
import { Decoder, Encoder, RESERVED_EVENTS, SINGLE_FRAME_MARKER, canEncodeSingleFrame, createParser, decodeSingleFrame, encodeSingleFrame, type ParserOptions } from './parser.js';

const SEED = testSeed();
const CASES = Number(process.env.FUZZ_CASES ?? 20_000);
const QUIRE: ParserOptions = { allowedEvents: ['join', 'leave', 'sync', 'awareness'], maxArguments: 3, maxAttachments: 3, maxAttachmentBytes: 16 };

class Gen {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const STRINGS = ['', 'doc', '0QmrOSNvJYjbYI5GxKVhSw', 'é漢😀', '\uD800', 'a"b\\c', '_placeholder', '\u0000', '/quire,', '42'];
const NAMES = ['join', 'leave', 'sync', 'awareness', 'quire-error', 'kicked', 'x'];

function binary(g: Gen): ArrayBuffer | ArrayBufferView {
  const bytes = Uint8Array.from({ length: g.int(10) }, () => g.int(256));
  if (bytes.length > 0 && g.chance(0.3)) bytes[0] = SINGLE_FRAME_MARKER;
  return g.pick([bytes, Buffer.from(bytes), bytes.buffer as ArrayBuffer, new Uint16Array(bytes.buffer, 0, bytes.length >> 1)]);
}

function json(g: Gen, depth: number): unknown {
  const kind = g.int(depth > 3 ? 4 : 6);
  if (kind === 0) return g.pick(STRINGS);
  if (kind === 1) return g.pick([0, -1, 1.5, 2 ** 53, 1e-7]);
  if (kind === 2) return g.pick([true, false, null]);
  if (kind === 3) return g.chance(0.1) ? binary(g) : g.pick(STRINGS);
  if (kind === 4) return Array.from({ length: g.int(4) }, () => json(g, depth + 1));
  return Object.fromEntries(Array.from({ length: g.int(4) }, (_, i) => [`${g.pick(['k', '_placeholder', 'num'])}${i}`, json(g, depth + 1)]));
}

function packet(g: Gen): Packet {
  const nsp = g.pick(['/', '/quire', '/app']);
  const args = (): unknown[] => Array.from({ length: g.int(5) }, () => (g.chance(0.4) ? binary(g) : json(g, 0)));
  switch (g.int(6)) {
    case 0:
      return g.chance(0.5) ? { type: PacketType.CONNECT, nsp } : { type: PacketType.CONNECT, nsp, data: { token: g.pick(STRINGS) } };
    case 1:
      return { type: PacketType.DISCONNECT, nsp };
    case 2:
      // Socket.IO carries binary only in events and acks, so none here.
      return { type: PacketType.CONNECT_ERROR, nsp, data: g.chance(0.5) ? 'refused' : { message: 'refused', data: g.pick(STRINGS) } };
    case 3:
      return { type: PacketType.ACK, nsp, data: args(), id: g.int(1000) };
    default: {
      const name = g.chance(0.05) ? g.int(10) : g.pick(NAMES);
      const event: Packet = { type: PacketType.EVENT, nsp, data: [name, ...args()] };
      if (g.chance(0.5)) event.id = g.int(2 ** 20);
      return event;
    }
  }
}

/** The packet's chunks, through Quire's Encoder or, for a third-party client, the default one. */
function encode(g: Gen, p: Packet): unknown[] {
  return g.chance(0.7) ? new Encoder().encode(p) : new DefaultEncoder().encode(p);
}

const INTERESTING = [0, 1, 2, 3, 0x7f, 0x80, 0xff, SINGLE_FRAME_MARKER];
const TEXT_PIECES = ['[', ']', '{', '}', '"', ',', '-', '/', '0', '5', '9', ':', '\\', 'x', '_placeholder', 'num', 'disconnect', '1e9', ' '];

function mutateBytes(g: Gen, input: Uint8Array): Uint8Array {
  const bytes = Array.from(input);
  const at = g.int(bytes.length + 1);
  switch (g.int(7)) {
    case 0:
      if (at < bytes.length) bytes[at] = bytes[at]! ^ (1 << g.int(8));
      break;
    case 1:
      if (at < bytes.length) bytes[at] = g.pick(INTERESTING);
      break;
    case 2:
      bytes.splice(at, 0, g.chance(0.5) ? g.int(256) : g.pick(INTERESTING));
      break;
    case 3:
      bytes.splice(at, 1 + g.int(3));
      break;
    case 4:
      bytes.length = at;
      break;
    case 5:
      bytes.push(...Array.from({ length: 1 + g.int(4) }, () => g.int(256)));
      break;
    default: {
      const from = g.int(bytes.length + 1);
      bytes.splice(at, 0, ...bytes.slice(from, from + 1 + g.int(6)));
    }
  }
  // Mutated frames arrive as views into a larger buffer, as Node's pooled Buffers do, so that a
  // read past the view's end would find bytes instead of failing.
  const backing = new Uint8Array(bytes.length + 16).fill(0x41);
  backing.set(bytes, 8);
  return backing.subarray(8, 8 + bytes.length);
}

function mutateText(g: Gen, text: string): string {
  const at = g.int(text.length + 1);
  switch (g.int(5)) {
    case 0:
      return text.slice(0, at) + g.pick(TEXT_PIECES) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + g.pick(TEXT_PIECES) + text.slice(at);
    case 2:
      return text.slice(0, at) + text.slice(at + 1 + g.int(3));
    case 3:
      return text.slice(0, at);
    default:
      return text.slice(0, at) + String(g.pick([0, 1, 11, 99999, 2 ** 60])) + text.slice(at);
  }
}

function mutate(g: Gen, chunks: unknown[]): unknown[] {
  const out = [...chunks];
  for (let n = 1 + g.int(3); n > 0; n--) {
    const i = g.int(out.length);
    const chunk = out[i];
    switch (g.int(8)) {
      case 0:
        out.splice(i, 1);
        break;
      case 1:
        out.splice(i, 0, chunk);
        break;
      case 2:
        out.splice(i, 0, encodeSingleFrame({ type: PacketType.EVENT, nsp: '/quire', data: ['sync', 'doc', Uint8Array.of(0xf5)] }));
        break;
      default:
        if (typeof chunk === 'string') out[i] = mutateText(g, chunk);
        else if (chunk instanceof Uint8Array || chunk instanceof ArrayBuffer || ArrayBuffer.isView(chunk)) {
          const view = chunk instanceof ArrayBuffer ? new Uint8Array(chunk) : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          out[i] = mutateBytes(g, view);
        }
    }
  }
  return out.filter((chunk) => chunk !== undefined);
}

/** Why a packet the Decoder emitted is not well-formed, or null when it is. */
function problemOf(p: Packet, options: ParserOptions | undefined): string | null {
  const isObject = (v: unknown): boolean => Object.prototype.toString.call(v) === '[object Object]';
  if (typeof p.nsp !== 'string' || !p.nsp.startsWith('/')) return 'namespace';
  if (p.id !== undefined && !(Number.isSafeInteger(p.id) && p.id >= 0)) return 'id';
  const limit = options?.maxArguments ?? 64;
  switch (p.type) {
    case PacketType.CONNECT:
      return p.data === undefined || isObject(p.data) ? null : 'connect data';
    case PacketType.DISCONNECT:
      return p.data === undefined ? null : 'disconnect data';
    case PacketType.CONNECT_ERROR:
      return typeof p.data === 'string' || isObject(p.data) ? null : 'connect_error data';
    case PacketType.ACK:
      if (!Array.isArray(p.data)) return 'ack data';
      if (p.id === undefined) return 'ack without id';
      return p.data.length <= limit ? null : 'ack argument count';
    case PacketType.EVENT: {
      if (!Array.isArray(p.data) || p.data.length === 0) return 'event data';
      const name: unknown = p.data[0];
      if (typeof name === 'string' && RESERVED_EVENTS.has(name)) return 'reserved name';
      if (options?.allowedEvents !== undefined ? !(typeof name === 'string' && options.allowedEvents.includes(name)) : typeof name !== 'string' && typeof name !== 'number') return 'event name';
      return p.data.length - 1 <= limit ? null : 'event argument count';
    }
    default:
      return `packet type ${String(p.type)}`;
  }
}

/** A canonical text of a packet (fields in one order, binary values as byte lists), for comparisons. */
function canonical(p: Packet): string {
  const plain = (v: unknown): unknown => {
    if (v instanceof ArrayBuffer) return { bytes: Array.from(new Uint8Array(v)) };
    if (ArrayBuffer.isView(v)) return { bytes: Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
    if (Array.isArray(v)) return v.map(plain);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, plain(inner)]));
    return v;
  };
  return JSON.stringify(plain([p.type, p.nsp, p.id ?? null, p.data ?? null]));
}

/**
 * How long one chunk may take to decode. The chunks here are small frames that decode in well
 * under a millisecond; this only has to catch a hang or a pathological blow-up, which would be far
 * slower, so it leaves room for a machine stalled by other work.
 */
const CHUNK_LIMIT_MS = 5000;
/** The slowest chunk fed so far in the current test, for its diagnostic. */
let slowestChunkMs = 0;

/** Feeds the chunks one by one; every outcome must be a well-formed packet or an Error. */
function feed(chunks: readonly unknown[], options: ParserOptions | undefined): { packets: Packet[]; errors: Error[] } {
  const decoder = options === undefined ? new Decoder() : new (createParser(options).Decoder)();
  const packets: Packet[] = [];
  const errors: Error[] = [];
  let current: unknown;
  const fed = new Set<unknown>();
  decoder.on('decoded', (p: Packet) => {
    const problem = problemOf(p, options);
    if (problem !== null) assert.fail(`emitted a malformed packet (${problem}): ${canonical(p).slice(0, 300)}`);
    if (current instanceof Uint8Array && current[0] === SINGLE_FRAME_MARKER && Array.isArray(p.data)) {
      // Binary arguments of a single frame must lie inside that frame. (Attachments of the default
      // encoding are passed on as the chunks themselves, and may share a pooled buffer with it.)
      for (const arg of p.data) {
        if (!(arg instanceof Uint8Array) || arg.buffer !== current.buffer || fed.has(arg)) continue;
        const inside = arg.byteOffset >= current.byteOffset && arg.byteOffset + arg.length <= current.byteOffset + current.length;
        if (!inside) assert.fail(`a binary argument lies outside its frame: ${arg.byteOffset}+${arg.length} vs ${current.byteOffset}+${current.length} ${canonical(p)}`);
      }
      if (canEncodeSingleFrame(p)) {
        assert.equal(canonical(decodeSingleFrame(encodeSingleFrame(p))), canonical(p), 'a decoded frame re-encodes to the same packet');
      }
    }
    packets.push(p);
  });
  for (const chunk of chunks) {
    current = chunk;
    fed.add(chunk);
    const started = performance.now();
    try {
      decoder.add(chunk);
    } catch (error) {
      if (error instanceof assert.AssertionError) throw error;
      if (!(error instanceof Error)) assert.fail(`threw a non-Error: ${String(error)}`);
      if (!/^(Malformed|Refused) (single-frame|Socket\.IO) packet.*: .+\.$/s.test(error.message)) assert.fail(`threw an Error without a clear sentence: ${error.message}`);
      errors.push(error);
    }
    const took = performance.now() - started;
    slowestChunkMs = Math.max(slowestChunkMs, took);
    if (took > CHUNK_LIMIT_MS) assert.fail(`one chunk took ${took.toFixed(0)} ms`);
  }
  return { packets, errors };
}

describe(`Decoder fuzz (SEED=${SEED})`, { timeout: 300_000 }, () => {
  const withSeed = (run: () => void): void => {
    try {
      run();
    } catch (error) {
      console.error(`SEED=${SEED}`);
      if (error instanceof Error) error.message = `SEED=${SEED}: ${error.message}`;
      throw error;
    }
  };

  it('decodes random valid packets of every form to themselves', (t) => {
    slowestChunkMs = 0;
    withSeed(() => {
      const g = new Gen(SEED);
      for (let i = 0; i < CASES / 4; i++) {
        const p = packet(g);
        const expected = canonical(p); // Before encoding: the default encoder rewrites the packet it encodes.
        const chunks = encode(g, p);
        const { packets, errors } = feed(chunks, undefined);
        assert.deepEqual(errors, [], `case ${i}: ${expected.slice(0, 200)}`);
        assert.equal(packets.length, 1, `case ${i}`);
        assert.equal(canonical(packets[0]!), expected, `case ${i}`);
      }
    });
    t.diagnostic(`slowest chunk: ${slowestChunkMs.toFixed(1)} ms`);
  });

  it('only emits well-formed packets or throws an Error for mutated input', (t) => {
    slowestChunkMs = 0;
    withSeed(() => {
      const g = new Gen(SEED ^ 0x5eed);
      let refused = 0;
      let emitted = 0;
      for (let i = 0; i < CASES; i++) {
        const stream = Array.from({ length: 1 + g.int(3) }, () => encode(g, packet(g))).flat();
        const options = g.chance(0.5) ? undefined : QUIRE;
        const { packets, errors } = feed(mutate(g, stream), options);
        refused += errors.length;
        emitted += packets.length;
      }
      // Both outcomes must actually happen, or the fuzzer is not testing anything.
      assert.ok(refused > CASES / 10, `only ${refused} refusals`);
      assert.ok(emitted > CASES / 10, `only ${emitted} packets`);
    });
    t.diagnostic(`slowest chunk: ${slowestChunkMs.toFixed(1)} ms`);
  });
});
