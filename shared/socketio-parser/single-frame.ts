/**
 * The single-frame format: one Socket.IO event or ack, arguments and binary included, in ONE
 * binary WebSocket frame (Socket.IO's default encoding needs a JSON header frame plus one frame
 * per binary attachment). A pure codec: no state, no I/O; `parser.ts` decides when to use it.
 *
 *   frame  = 0xF5 type varString(nsp) varUint(id + 1) varUint(argc) arg{argc}
 *   type   = 2 (event) | 3 (ack)
 *   nsp    = "/" …                       ; the namespace, UTF-8
 *   id + 1 = 0 when the packet has no ack id; an ack always has one
 *   argc   = how many values follow; for an event the first is its name (a string)
 *   arg    = 0 varString(text)           ; a string
 *          | 1 varUint8Array(bytes)      ; a binary value (decoded as a Uint8Array)
 *          | 2 varString(json)           ; any other value, as JSON text
 *
 * varUint is an unsigned LEB128 integer (at most 8 bytes, value at most 2^53 - 1), varUint8Array
 * is varUint(length) then the bytes, varString is a varUint8Array of valid UTF-8 — lib0's
 * encoding. Nothing may follow the last argument.
 *
 * The pair is symmetric: `decodeSingleFrame(encodeSingleFrame(p))` equals `p` for every packet
 * `canEncodeSingleFrame` accepts, except that binary arguments come back as Uint8Array views of
 * the same bytes and `undefined` arguments as `null` (as JSON and Socket.IO's encoding do).
 */
import { PacketType } from 'socket.io-parser';
import { scanForBinary } from './binary-scan.js';
import { ByteReader, ByteWriter, bytesOf, isBinary, isWellFormed } from './bytes.js';

export const SINGLE_FRAME_MARKER = 0xf5;

const ARG_STRING = 0;
const ARG_BYTES = 1;
const ARG_JSON = 2;
/** The smallest argument: a tag byte and a one-byte length. */
const MIN_ARG_BYTES = 2;

export type SingleFrameType = PacketType.EVENT | PacketType.ACK;

/** A packet the single-frame format carries: what Socket.IO's Packet is for events and acks. */
export interface SingleFramePacket {
  type: SingleFrameType;
  nsp: string;
  data: unknown[];
  id?: number;
}

/** What precedes the arguments; handed to `checkHeader` before any argument is decoded. */
export interface SingleFrameHeader {
  readonly type: SingleFrameType;
  readonly nsp: string;
  readonly id: number | undefined;
  /** How many values follow (for an event: its name and its arguments). */
  readonly argc: number;
}

export interface DecodeOptions {
  /**
   * Called once the header is read, before anything is allocated for the arguments; it refuses
   * the frame by throwing. This is where limits on the argument count belong.
   */
  readonly checkHeader?: (header: SingleFrameHeader) => void;
}

function isAckId(id: unknown): id is number {
  // id + 1 is what travels, so id itself must stay below the largest safe integer.
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 && id < Number.MAX_SAFE_INTEGER;
}

/**
 * Whether the format can carry this packet without changing it: an event (whose name is a
 * string) or an ack (with an id), a namespace starting with "/", a safe ack id, and arguments
 * that are each binary, a string, or a JSON value certainly holding no binary inside.
 */
export function canEncodeSingleFrame(packet: { type: unknown; nsp?: unknown; id?: unknown; data?: unknown }): packet is SingleFramePacket {
  const { type, nsp, id, data } = packet;
  if (type !== PacketType.EVENT && type !== PacketType.ACK) return false;
  if (typeof nsp !== 'string' || !nsp.startsWith('/') || !isWellFormed(nsp)) return false;
  if (id === undefined ? type === PacketType.ACK : !isAckId(id)) return false;
  if (!Array.isArray(data)) return false;
  if (type === PacketType.EVENT && typeof data[0] !== 'string') return false;
  return data.every((arg) => isBinary(arg) || typeof arg === 'string' || scanForBinary(arg) === 'none');
}

/**
 * The frame of a packet. Throws a TypeError when `canEncodeSingleFrame(packet)` is false.
 * Strings that are not well-formed UTF-16 (lone surrogates) travel as JSON, which keeps them.
 */
export function encodeSingleFrame(packet: SingleFramePacket): Uint8Array {
  if (!canEncodeSingleFrame(packet)) throw new TypeError('This packet cannot travel as a single frame (see canEncodeSingleFrame).');
  const writer = new ByteWriter();
  writer.byte(SINGLE_FRAME_MARKER);
  writer.byte(packet.type);
  writer.varString(packet.nsp);
  writer.varUint(packet.id === undefined ? 0 : packet.id + 1);
  writer.varUint(packet.data.length);
  for (const arg of packet.data) {
    if (typeof arg === 'string' && isWellFormed(arg)) {
      writer.byte(ARG_STRING);
      writer.varString(arg);
    } else if (isBinary(arg)) {
      writer.byte(ARG_BYTES);
      writer.varBytes(bytesOf(arg));
    } else {
      writer.byte(ARG_JSON);
      // Top-level undefined, functions and symbols have no JSON; Socket.IO sends them as null too.
      writer.varString(JSON.stringify(arg) ?? 'null');
    }
  }
  return writer.finish();
}

const malformed = (problem: string): string => `Malformed single-frame packet: ${problem}.`;

/**
 * The packet in a frame. Throws an Error with a sentence saying what is wrong for anything that is
 * not exactly one well-formed frame: wrong marker, unknown type, namespace not starting with "/",
 * argument count larger than the bytes can hold, unknown tag, invalid UTF-8 or JSON, bytes after
 * the last argument, an event without a string name, an ack without an id. Reads nothing outside
 * `bytes`; binary arguments are views on `bytes`, not copies.
 */
export function decodeSingleFrame(bytes: Uint8Array, options: DecodeOptions = {}): SingleFramePacket {
  const reader = new ByteReader(bytes, malformed);
  if (reader.byte('the marker') !== SINGLE_FRAME_MARKER) throw reader.fail('it does not start with 0xF5');
  const type = reader.byte('the packet type');
  if (type !== PacketType.EVENT && type !== PacketType.ACK) throw reader.fail(`unknown packet type ${type}`);
  const nsp = reader.varString('the namespace');
  if (!nsp.startsWith('/')) throw reader.fail('the namespace does not start with "/"');
  const idPlusOne = reader.varUint('the ack id');
  const id = idPlusOne === 0 ? undefined : idPlusOne - 1;
  if (type === PacketType.ACK && id === undefined) throw reader.fail('an ack needs an id');
  const argc = reader.varUint('the argument count');
  // Checked before allocating anything per argument, so a lying count costs nothing.
  if (argc * MIN_ARG_BYTES > reader.remaining) throw reader.fail(`${argc} arguments cannot fit in the ${reader.remaining} bytes left`);
  if (type === PacketType.EVENT && argc === 0) throw reader.fail('an event needs a name');
  options.checkHeader?.({ type, nsp, id, argc });

  const data: unknown[] = [];
  for (let i = 0; i < argc; i++) data.push(readArg(reader, i));
  if (reader.remaining > 0) throw reader.fail(`${reader.remaining} bytes follow the last argument`);
  if (type === PacketType.EVENT && typeof data[0] !== 'string') throw reader.fail('an event name must be a string');
  return id === undefined ? { type, nsp, data } : { type, nsp, data, id };
}

function readArg(reader: ByteReader, index: number): unknown {
  const what = `argument ${index}`;
  const tag = reader.byte(`the tag of ${what}`);
  if (tag === ARG_STRING) return reader.varString(what);
  if (tag === ARG_BYTES) return reader.varBytes(what);
  if (tag !== ARG_JSON) throw reader.fail(`${what} has unknown tag ${tag}`);
  const json = reader.varString(what);
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw reader.fail(`${what} is not valid JSON`);
  }
}
