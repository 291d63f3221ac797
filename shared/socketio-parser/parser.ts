/**
 * Quire's Socket.IO parser: Socket.IO's own, except that an event or ack whose arguments are
 * strings, JSON values and top-level binary values travels as ONE binary WebSocket frame (the
 * single-frame format, see single-frame.ts) instead of a JSON header frame plus one frame per
 * attachment. Every other packet (connect, disconnect, events without binary, events with binary
 * nested inside an argument) goes through Socket.IO's default encoding, which the Decoder also
 * still accepts in full, binary attachments included.
 *
 * Both ends use it: the server as `new Server(http, { parser })`, the client as the `parser`
 * option of socket.io-client. The plain `Encoder`/`Decoder` exports are the permissive parser
 * (reserved event names refused, DEFAULT_MAX_ARGUMENTS); `createParser` makes a stricter one.
 *
 * The Decoder refuses a packet by throwing an Error from `add`; a refused packet never reaches a
 * listener. Socket.IO's server (4.8) catches it in `Client.ondata` and calls `Client.onerror`,
 * which emits it as an `error` event on every socket of that connection (each has a no-op
 * listener, so this never throws) and closes the Engine.IO connection: later packets on it are
 * ignored, buffered writes are flushed, then the sockets disconnect with reason "forced close".
 * Only that connection is affected. socket.io-client closes with reason "parse error".
 */
import { Decoder as DefaultDecoder, Encoder as DefaultEncoder, type Packet } from 'socket.io-parser';
import { bytesOf, isBinary } from './bytes.js';
import { createPacketPolicy, type PacketPolicy, type ParserOptions } from './policy.js';
import { SINGLE_FRAME_MARKER, canEncodeSingleFrame, decodeSingleFrame, encodeSingleFrame } from './single-frame.js';

export { SINGLE_FRAME_MARKER, decodeSingleFrame, encodeSingleFrame, canEncodeSingleFrame } from './single-frame.js';
export type { SingleFrameHeader, SingleFramePacket } from './single-frame.js';
export { DEFAULT_MAX_ARGUMENTS, DEFAULT_MAX_ATTACHMENTS, RESERVED_EVENTS, type ParserOptions } from './policy.js';

/**
 * Encodes packets for the wire. An event or ack with at least one top-level binary argument
 * becomes one single frame when `canEncodeSingleFrame` allows (binary nested inside an argument,
 * at any depth, falls back to the default encoding, which carries it intact); everything else is
 * Socket.IO's default encoding, unchanged.
 */
export class Encoder extends DefaultEncoder {
  override encode(packet: Packet): unknown[] {
    const single = Array.isArray(packet.data) && packet.data.some(isBinary) && canEncodeSingleFrame(packet);
    return single ? [encodeSingleFrame(packet)] : super.encode(packet);
  }
}

/** A binary header of Socket.IO's default encoding: "5" or "6", then the attachment count, then "-". */
const BINARY_HEADER = /^[56](\d+)-/;

/**
 * Decodes what arrives from the wire, chunk by chunk, and emits `decoded` with each complete
 * packet that passes its checks (see ParserOptions). Guarantees for every chunk given to `add`:
 * either it throws an Error whose message says what is wrong, or every packet it emits is
 * well-formed (a known type, a namespace starting with "/", an event with a non-reserved name and
 * at most the allowed arguments, an ack with an id). After a throw the decoder starts afresh;
 * Socket.IO closes the connection anyway.
 *
 * Extends socket.io-parser's Decoder for its emitter and its type only: decoding is delegated to a
 * private default decoder so that every packet can be checked before anyone sees it.
 */
export class Decoder extends DefaultDecoder {
  private readonly policy: PacketPolicy;
  private fallback: DefaultDecoder;
  /** Binary chunks still owed to the default decoder's reconstruction of a packet. */
  private attachmentsDue = 0;
  /** Bytes of the attachments of that packet received so far. */
  private attachmentBytes = 0;
  private lastDecoded: Packet | undefined;

  /** Socket.IO constructs it without arguments: the permissive parser. */
  constructor(options: ParserOptions = {}) {
    super();
    this.policy = createPacketPolicy(options);
    this.fallback = this.createFallback();
  }

  override add(chunk: unknown): void {
    let packet: Packet | undefined;
    try {
      packet = this.decode(chunk);
    } catch (error) {
      this.reset();
      throw error instanceof Error ? error : new Error(`Malformed Socket.IO packet: ${String(error)}.`);
    }
    if (packet !== undefined) this.emitReserved('decoded', packet);
  }

  override destroy(): void {
    this.fallback.destroy();
    this.attachmentsDue = 0;
    this.attachmentBytes = 0;
  }

  private decode(chunk: unknown): Packet | undefined {
    if (typeof chunk === 'string') return this.decodeText(chunk);
    if (!isBinary(chunk)) throw new Error(`Malformed Socket.IO packet: a chunk of type ${typeof chunk} is neither text nor binary.`);
    if (this.attachmentsDue > 0) return this.decodeAttachment(chunk);
    const bytes = bytesOf(chunk);
    if (bytes[0] !== SINGLE_FRAME_MARKER) throw new Error('Malformed Socket.IO packet: binary data that is neither a single frame nor an expected attachment.');
    const packet = decodeSingleFrame(bytes, {
      checkHeader: (header) => this.policy.checkValueCount(header.type, header.nsp, header.argc),
    });
    return this.checked(packet);
  }

  /** A packet in Socket.IO's string encoding, or the header of a default-encoded binary packet. */
  private decodeText(text: string): Packet | undefined {
    if (this.attachmentsDue > 0) throw new Error(`Malformed Socket.IO packet: text arrived while ${this.attachmentsDue} binary attachments were due.`);
    const isBinaryHeader = text.startsWith('5') || text.startsWith('6');
    // The default decoder also takes counts like " 1", "0x1" or "1e0"; only digits are counted here.
    const header = isBinaryHeader ? BINARY_HEADER.exec(text) : null;
    if (isBinaryHeader && header === null) throw new Error('Malformed Socket.IO packet: a binary packet must start with its attachment count in digits and "-".');
    const packet = this.feedFallback(text);
    if (packet !== undefined) return this.checked(packet);
    // The default decoder accepted the header of a binary packet and now waits for its attachments.
    this.attachmentsDue = Number(header?.[1]);
    if (!(this.attachmentsDue > 0)) throw new Error('Malformed Socket.IO packet: a text packet decoded to nothing.');
    return undefined;
  }

  /** An attachment, whatever its first byte (0xF5 included): it belongs to the packet being reconstructed. */
  private decodeAttachment(chunk: ArrayBuffer | ArrayBufferView): Packet | undefined {
    this.attachmentsDue -= 1;
    this.attachmentBytes += bytesOf(chunk).length;
    if (this.attachmentBytes > this.policy.maxAttachmentBytes) {
      throw new Error(`Refused Socket.IO packet: its attachments pass ${this.policy.maxAttachmentBytes} bytes.`);
    }
    if (this.attachmentsDue === 0) this.attachmentBytes = 0;
    const packet = this.feedFallback(chunk);
    if ((packet === undefined) !== (this.attachmentsDue > 0)) throw new Error('Malformed Socket.IO packet: the attachments do not match the header.');
    return packet === undefined ? undefined : this.checked(packet);
  }

  private checked(packet: Packet): Packet {
    this.policy.checkPacket(packet);
    return packet;
  }

  /** Runs the default decoder on one chunk; returns the packet it completed, if any. */
  private feedFallback(chunk: string | ArrayBuffer | ArrayBufferView): Packet | undefined {
    this.lastDecoded = undefined;
    try {
      this.fallback.add(chunk);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      throw new Error(`Malformed Socket.IO packet: ${problem}.`, { cause: error });
    }
    const packet = this.lastDecoded;
    this.lastDecoded = undefined;
    return packet;
  }

  private createFallback(): DefaultDecoder {
    const fallback = new DefaultDecoder({ maxAttachments: this.policy.maxAttachments });
    fallback.on('decoded', (packet: Packet) => {
      this.lastDecoded = packet;
    });
    return fallback;
  }

  private reset(): void {
    this.fallback.destroy();
    this.fallback = this.createFallback();
    this.attachmentsDue = 0;
    this.attachmentBytes = 0;
    this.lastDecoded = undefined;
  }
}

/** What socket.io's and socket.io-client's `parser` option takes. */
export interface SocketIoParser {
  readonly Encoder: new () => Encoder;
  readonly Decoder: new () => Decoder;
}

/**
 * A parser whose Decoder applies `options` (an event allowlist, an argument limit, attachment
 * limits, optionally for one namespace only). Throws a RangeError or TypeError right away for
 * options that make no sense. The Encoder is the plain one: limits apply to what arrives.
 */
export function createParser(options: ParserOptions = {}): SocketIoParser {
  createPacketPolicy(options); // Refuse a misconfiguration now rather than at the first connection.
  const frozen: ParserOptions = Object.freeze({ ...options, allowedEvents: options.allowedEvents && Object.freeze([...options.allowedEvents]) });
  class ConfiguredDecoder extends Decoder {
    constructor() {
      super(frozen);
    }
  }
  return Object.freeze({ Encoder, Decoder: ConfiguredDecoder });
}
