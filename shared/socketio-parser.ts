/**
 * Quire's Socket.IO parser: Socket.IO's own, except that an event or ack whose arguments are
 * strings, JSON values and top-level binary arrays travels as ONE binary WebSocket frame instead
 * of a JSON header frame plus one frame per attachment. Both ends must use it (server option and
 * client option `parser`). Packets it does not handle go through Socket.IO's default encoding, so
 * the string packets (connect, disconnect, non-binary events) are unchanged.
 *
 *   frame   = 0xF5 type varString(nsp) varUint(id + 1, 0 = none) varUint(argc) arg*
 *   type    = 2 (event) | 3 (ack)
 *   arg     = 0 varString(text) | 1 varUint8Array(bytes) | 2 varString(json)
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { Decoder as DefaultDecoder, Encoder as DefaultEncoder, PacketType, type Packet } from 'socket.io-parser';

export const SINGLE_FRAME_MARKER = 0xf5;
const ARG_STRING = 0;
const ARG_BYTES = 1;
const ARG_JSON = 2;

function isBinary(value: unknown): value is Uint8Array | ArrayBuffer {
  return value instanceof Uint8Array || value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function hasNestedBinary(value: unknown, depth = 0): boolean {
  if (isBinary(value)) return true;
  if (depth > 8 || typeof value !== 'object' || value === null) return false;
  for (const inner of Array.isArray(value) ? value : Object.values(value)) if (hasNestedBinary(inner, depth + 1)) return true;
  return false;
}

/** Whether the single-frame format can carry this packet. */
function fits(packet: Packet): packet is Packet & { data: unknown[] } {
  if (packet.type !== PacketType.EVENT && packet.type !== PacketType.ACK) return false;
  if (!Array.isArray(packet.data)) return false;
  let binary = false;
  for (const arg of packet.data) {
    if (isBinary(arg)) binary = true;
    else if (hasNestedBinary(arg)) return false;
  }
  return binary;
}

function bytesOf(value: Uint8Array | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

export class Encoder extends DefaultEncoder {
  override encode(packet: Packet): unknown[] {
    if (!fits(packet)) return super.encode(packet);
    const encoder = encoding.createEncoder();
    encoding.writeUint8(encoder, SINGLE_FRAME_MARKER);
    encoding.writeUint8(encoder, packet.type);
    encoding.writeVarString(encoder, packet.nsp);
    encoding.writeVarUint(encoder, packet.id === undefined ? 0 : packet.id + 1);
    encoding.writeVarUint(encoder, packet.data.length);
    for (const arg of packet.data) {
      if (typeof arg === 'string') {
        encoding.writeUint8(encoder, ARG_STRING);
        encoding.writeVarString(encoder, arg);
      } else if (isBinary(arg)) {
        encoding.writeUint8(encoder, ARG_BYTES);
        encoding.writeVarUint8Array(encoder, bytesOf(arg));
      } else {
        encoding.writeUint8(encoder, ARG_JSON);
        encoding.writeVarString(encoder, JSON.stringify(arg === undefined ? null : arg));
      }
    }
    return [encoding.toUint8Array(encoder)];
  }
}

/** Reads a single-frame packet; throws an Error for anything malformed. */
export function decodeSingleFrame(bytes: Uint8Array): Packet {
  const decoder = decoding.createDecoder(bytes);
  decoding.readUint8(decoder); // the marker
  const type = decoding.readUint8(decoder);
  if (type !== PacketType.EVENT && type !== PacketType.ACK) throw new Error('Malformed single-frame packet: unknown type.');
  const nsp = decoding.readVarString(decoder);
  if (!nsp.startsWith('/')) throw new Error('Malformed single-frame packet: bad namespace.');
  const idPlusOne = decoding.readVarUint(decoder);
  const argc = decoding.readVarUint(decoder);
  if (argc > bytes.length) throw new Error('Malformed single-frame packet: argument count.');
  const data: unknown[] = [];
  for (let i = 0; i < argc; i++) {
    const tag = decoding.readUint8(decoder);
    if (tag === ARG_STRING) data.push(decoding.readVarString(decoder));
    else if (tag === ARG_BYTES) data.push(decoding.readVarUint8Array(decoder));
    else if (tag === ARG_JSON) data.push(JSON.parse(decoding.readVarString(decoder)));
    else throw new Error('Malformed single-frame packet: unknown argument tag.');
  }
  if (decoding.hasContent(decoder)) throw new Error('Malformed single-frame packet: trailing bytes.');
  if (type === PacketType.EVENT && typeof data[0] !== 'string') throw new Error('Malformed single-frame packet: an event needs a name.');
  if (type === PacketType.ACK && idPlusOne === 0) throw new Error('Malformed single-frame packet: an ack needs an id.');
  return idPlusOne === 0 ? { type, nsp, data } : { type, nsp, data, id: idPlusOne - 1 };
}

export class Decoder extends DefaultDecoder {
  override add(chunk: unknown): void {
    if (isBinary(chunk)) {
      const bytes = bytesOf(chunk);
      if (bytes[0] === SINGLE_FRAME_MARKER) {
        this.emitReserved('decoded', decodeSingleFrame(bytes));
        return;
      }
    }
    super.add(chunk);
  }
}
