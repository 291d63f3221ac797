/**
 * Quire's own WebSocket framing: the collaboration events of events.ts, one binary WebSocket
 * message each, on the path QUIRE_WS_PATH. It carries the same events as the Socket.IO namespace
 * (same names, same payloads, same replies) without Socket.IO's packet and Engine.IO layers, which
 * cost more than the rest of a relay (see the README's Performance section). Socket.IO stays as
 * the fallback for networks that refuse WebSockets.
 *
 *   frame        = u8(kind) body
 *   client→server
 *     join       = varUint(ack) varString(name) varString(json { token, options })
 *     leave      = varString(name)
 *     sync       = varUint(ack) varString(name) varUint8Array(message)     ack 0: no reply wanted
 *     awareness  = varString(name) varUint8Array(update)
 *     verify     = varUint(ack) varString(name) varUint8Array(snapshot)
 *   server→client
 *     sync       = varString(name) varUint8Array(message)
 *     awareness  = varString(name) varUint8Array(update)
 *     reply      = varUint(ack) varString(json reply) varUint8Array(stateVector)   empty unless a verify reply lacks coverage
 *     error      = varString(json error)
 *     kicked     = varString(name) varString(json error)
 *
 * A frame that does not decode to exactly one of these, with nothing left over, is refused.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { isQuireErrorPayload, type QuireErrorPayload } from './errors.js';
import type { JoinReply, SaveReply, VerifyReply } from './events.js';
import { SYNC_UPDATE } from './protocol.js';

/** Where the server accepts Quire's WebSocket connections. */
export const QUIRE_WS_PATH = '/quire-ws';

export const FRAME_JOIN = 1;
export const FRAME_LEAVE = 2;
export const FRAME_SYNC = 3;
export const FRAME_AWARENESS = 4;
export const FRAME_VERIFY = 5;
export const FRAME_REPLY = 6;
export const FRAME_ERROR = 7;
export const FRAME_KICKED = 8;

/** Longest JSON a join may carry (token and options); a JWT or a link token fits many times. */
export const MAX_JOIN_JSON_CHARS = 16 * 1024;

export type ClientFrame =
  | { readonly kind: typeof FRAME_JOIN; readonly ack: number; readonly name: string; readonly token: unknown; readonly options: unknown }
  | { readonly kind: typeof FRAME_LEAVE; readonly name: string }
  | { readonly kind: typeof FRAME_SYNC; readonly ack: number; readonly name: string; readonly message: Uint8Array }
  | { readonly kind: typeof FRAME_AWARENESS; readonly name: string; readonly update: Uint8Array }
  | { readonly kind: typeof FRAME_VERIFY; readonly ack: number; readonly name: string; readonly snapshot: Uint8Array };

export type ServerFrame =
  | { readonly kind: typeof FRAME_SYNC; readonly name: string; readonly message: Uint8Array }
  | { readonly kind: typeof FRAME_AWARENESS; readonly name: string; readonly update: Uint8Array }
  | { readonly kind: typeof FRAME_REPLY; readonly ack: number; readonly reply: JoinReply | SaveReply | VerifyReply }
  | { readonly kind: typeof FRAME_ERROR; readonly error: QuireErrorPayload }
  | { readonly kind: typeof FRAME_KICKED; readonly name: string; readonly error: QuireErrorPayload };

function finish(encoder: encoding.Encoder): Uint8Array {
  return encoding.toUint8Array(encoder);
}

function start(kind: number): encoding.Encoder {
  const encoder = encoding.createEncoder();
  encoding.writeUint8(encoder, kind);
  return encoder;
}

export function encodeJoin(ack: number, name: string, token: string | null, options: unknown): Uint8Array {
  const encoder = start(FRAME_JOIN);
  encoding.writeVarUint(encoder, ack);
  encoding.writeVarString(encoder, name);
  encoding.writeVarString(encoder, JSON.stringify({ token, options }));
  return finish(encoder);
}

export function encodeLeave(name: string): Uint8Array {
  const encoder = start(FRAME_LEAVE);
  encoding.writeVarString(encoder, name);
  return finish(encoder);
}

/** A client request the server answers under `ack`: a frame kind, then the ack, the name and the bytes. */
function encodeAnswered(kind: number, ack: number, name: string, bytes: Uint8Array): Uint8Array {
  const encoder = start(kind);
  encoding.writeVarUint(encoder, ack);
  encoding.writeVarString(encoder, name);
  encoding.writeVarUint8Array(encoder, bytes);
  return finish(encoder);
}

/** A client's sync message; `ack` 0 asks for no reply. */
export function encodeClientSync(ack: number, name: string, message: Uint8Array): Uint8Array {
  return encodeAnswered(FRAME_SYNC, ack, name, message);
}

/**
 * A client's sync frame carrying one change: the bytes of
 * `encodeClientSync(ack, name, encodeUpdateMessage(update))`, written in one pass into a buffer of
 * the exact size. A keystroke is sent this way, so it is made once rather than encoded twice and
 * copied three times (about 15 µs less from a keystroke to its socket write, measured cold).
 */
export function encodeClientUpdate(ack: number, name: string, update: Uint8Array): Uint8Array {
  const nameBytes = utf8Of(name);
  const messageLength = varUintLength(SYNC_UPDATE) + varUintLength(update.length) + update.length;
  const length = 1 + varUintLength(ack) + varUintLength(nameBytes.length) + nameBytes.length + varUintLength(messageLength) + messageLength;
  const frame = new Uint8Array(length);
  frame[0] = FRAME_SYNC;
  let at = writeVarUintAt(frame, 1, ack);
  at = writeVarUintAt(frame, at, nameBytes.length);
  frame.set(nameBytes, at);
  at = writeVarUintAt(frame, at + nameBytes.length, messageLength);
  at = writeVarUintAt(frame, at, SYNC_UPDATE);
  at = writeVarUintAt(frame, at, update.length);
  frame.set(update, at);
  return frame;
}

/** The last name encoded: a provider sends every change under the same one. */
let lastEncodedName = '';
let lastEncodedNameBytes = new Uint8Array(0);
const utf8 = new TextEncoder();

function utf8Of(name: string): Uint8Array {
  if (name !== lastEncodedName) {
    lastEncodedNameBytes = utf8.encode(name);
    lastEncodedName = name;
  }
  return lastEncodedNameBytes;
}

/** Bytes a varuint (lib0's: seven bits a byte, lowest first) of `value` takes. */
function varUintLength(value: number): number {
  let bytes = 1;
  while (value > 0x7f) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

/** Writes `value` as a varuint at `at`; returns where the next byte goes. */
function writeVarUintAt(buffer: Uint8Array, at: number, value: number): number {
  while (value > 0x7f) {
    buffer[at++] = 0x80 | (value & 0x7f);
    value = Math.floor(value / 128);
  }
  buffer[at++] = value;
  return at;
}

export function encodeVerify(ack: number, name: string, snapshot: Uint8Array): Uint8Array {
  return encodeAnswered(FRAME_VERIFY, ack, name, snapshot);
}

/** An awareness update: the same frame both ways. */
export function encodeAwareness(name: string, update: Uint8Array): Uint8Array {
  const encoder = start(FRAME_AWARENESS);
  encoding.writeVarString(encoder, name);
  encoding.writeVarUint8Array(encoder, update);
  return finish(encoder);
}

export function encodeServerSync(name: string, message: Uint8Array): Uint8Array {
  const encoder = start(FRAME_SYNC);
  encoding.writeVarString(encoder, name);
  encoding.writeVarUint8Array(encoder, message);
  return finish(encoder);
}

export function encodeReply(ack: number, reply: JoinReply | SaveReply | VerifyReply): Uint8Array {
  if (isPlainOk(reply)) return encodeOkReply(ack);
  const encoder = start(FRAME_REPLY);
  encoding.writeVarUint(encoder, ack);
  const stateVector = 'stateVector' in reply ? reply.stateVector : new Uint8Array(0);
  const plain = 'stateVector' in reply ? { ...reply, stateVector: undefined } : reply;
  encoding.writeVarString(encoder, JSON.stringify(plain));
  encoding.writeVarUint8Array(encoder, stateVector);
  return finish(encoder);
}

/** `{"ok":true}`, the reply to every change saved: its JSON is encoded once. */
const OK_JSON = new TextEncoder().encode(JSON.stringify({ ok: true }));

function isPlainOk(reply: JoinReply | SaveReply | VerifyReply): boolean {
  if (reply.ok !== true) return false;
  for (const key in reply) if (key !== 'ok') return false;
  return true;
}

/** The reply frame of `{"ok":true}` (and an empty state vector), written straight into its bytes. */
function encodeOkReply(ack: number): Uint8Array {
  const frame = new Uint8Array(1 + varUintLength(ack) + 1 + OK_JSON.length + 1);
  frame[0] = FRAME_REPLY;
  const at = writeVarUintAt(frame, 1, ack);
  frame[at] = OK_JSON.length;
  frame.set(OK_JSON, at + 1);
  // The last byte, the state vector's length, is already 0.
  return frame;
}

export function encodeError(error: QuireErrorPayload): Uint8Array {
  const encoder = start(FRAME_ERROR);
  encoding.writeVarString(encoder, JSON.stringify(error));
  return finish(encoder);
}

export function encodeKicked(name: string, error: QuireErrorPayload): Uint8Array {
  const encoder = start(FRAME_KICKED);
  encoding.writeVarString(encoder, name);
  encoding.writeVarString(encoder, JSON.stringify(error));
  return finish(encoder);
}

/** Reads what a client sent; null when the bytes are not exactly one well-formed client frame. */
export function decodeClientFrame(bytes: Uint8Array): ClientFrame | null {
  return readExactly(bytes, readClientFrame);
}

function readClientFrame(decoder: decoding.Decoder): ClientFrame | null {
  const kind = decoding.readUint8(decoder);
  switch (kind) {
    case FRAME_JOIN: {
      const ack = decoding.readVarUint(decoder);
      const name = readName(decoder);
      const json = decoding.readVarString(decoder);
      if (json.length > MAX_JOIN_JSON_CHARS) return null;
      const body: unknown = JSON.parse(json);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
      const { token, options } = body as { token?: unknown; options?: unknown };
      return { kind, ack, name, token: token ?? null, options };
    }
    case FRAME_LEAVE:
      return { kind, name: readName(decoder) };
    case FRAME_SYNC: {
      const ack = decoding.readVarUint(decoder);
      const name = readName(decoder);
      return { kind, ack, name, message: decoding.readVarUint8Array(decoder) };
    }
    case FRAME_AWARENESS: {
      const name = readName(decoder);
      return { kind, name, update: decoding.readVarUint8Array(decoder) };
    }
    case FRAME_VERIFY: {
      const ack = decoding.readVarUint(decoder);
      const name = readName(decoder);
      return { kind, ack, name, snapshot: decoding.readVarUint8Array(decoder) };
    }
    default:
      return null;
  }
}

/** Reads what the server sent; null when the bytes are not exactly one well-formed server frame. */
export function decodeServerFrame(bytes: Uint8Array): ServerFrame | null {
  return readExactly(bytes, readServerFrame);
}

function readServerFrame(decoder: decoding.Decoder): ServerFrame | null {
  const kind = decoding.readUint8(decoder);
  switch (kind) {
    case FRAME_SYNC: {
      const name = readName(decoder);
      return { kind, name, message: decoding.readVarUint8Array(decoder) };
    }
    case FRAME_AWARENESS: {
      const name = readName(decoder);
      return { kind, name, update: decoding.readVarUint8Array(decoder) };
    }
    case FRAME_REPLY: {
      const ack = decoding.readVarUint(decoder);
      const reply = JSON.parse(decoding.readVarString(decoder)) as { ok?: unknown; covered?: unknown };
      const stateVector = decoding.readVarUint8Array(decoder);
      if (typeof reply !== 'object' || reply === null || typeof reply.ok !== 'boolean') return null;
      if (!reply.ok && !isQuireErrorPayload((reply as { error?: unknown }).error)) return null;
      const full = reply.ok && reply.covered === false ? { ...reply, stateVector } : reply;
      return { kind, ack, reply: full as JoinReply | SaveReply | VerifyReply };
    }
    case FRAME_ERROR: {
      const error: unknown = JSON.parse(decoding.readVarString(decoder));
      return isQuireErrorPayload(error) ? { kind, error } : null;
    }
    case FRAME_KICKED: {
      const name = readName(decoder);
      const error: unknown = JSON.parse(decoding.readVarString(decoder));
      return isQuireErrorPayload(error) ? { kind, name, error } : null;
    }
    default:
      return null;
  }
}

/** Longest name read without the TextDecoder (document ids are 21 characters). */
const MAX_PLAIN_NAME = 64;

/** The last name read without the TextDecoder: a connection's frames mostly name one document. */
let lastName = '';

/**
 * Reads a document name, a length-prefixed UTF-8 string. Names are short ASCII ids, turned into a
 * string here directly: the TextDecoder is a call out of JavaScript for every frame, a good part of
 * decoding one. When the bytes spell the name read last, that string is returned again instead of
 * a new one being built (one string allocation per character spared, per frame). Any other string
 * is read by lib0 as before, so the result is the same for all.
 */
function readName(decoder: decoding.Decoder): string {
  const start = decoder.pos;
  const length = decoding.readVarUint(decoder);
  const bytes = decoder.arr;
  const from = decoder.pos;
  const end = from + length;
  if (length > MAX_PLAIN_NAME || end > bytes.length) {
    decoder.pos = start;
    return decoding.readVarString(decoder);
  }
  if (length === lastName.length) {
    let i = from;
    while (i < end && bytes[i] === lastName.charCodeAt(i - from)) i++;
    if (i === end) {
      decoder.pos = end;
      return lastName;
    }
  }
  let name = '';
  for (let i = from; i < end; i++) {
    const byte = bytes[i]!;
    if (byte >= 0x80) {
      decoder.pos = start;
      return decoding.readVarString(decoder);
    }
    name += String.fromCharCode(byte);
  }
  decoder.pos = end;
  lastName = name;
  return name;
}

/** Runs `read` over the bytes; null when it fails, throws (truncated, bad JSON) or leaves bytes over. */
function readExactly<T>(bytes: Uint8Array, read: (decoder: decoding.Decoder) => T | null): T | null {
  try {
    const decoder = decoding.createDecoder(bytes);
    const frame = read(decoder);
    if (frame === null || decoding.hasContent(decoder)) return null;
    return frame;
  } catch {
    return null;
  }
}
