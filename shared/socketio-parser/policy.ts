/**
 * What a decoded packet may contain before Socket.IO sees it. Socket.IO hands an event's
 * arguments to its listeners with `Function.prototype.apply`, so a packet with tens of thousands
 * of arguments overflows the stack inside a `process.nextTick` callback, where nothing catches it
 * and the process dies; and an event named like one of Socket.IO's own (`disconnect`…) runs that
 * machinery. The decoder refuses such packets by throwing, which makes Socket.IO close the
 * offending connection instead.
 */
import { PacketType } from 'socket.io-parser';

/** Names Socket.IO and Node's EventEmitter use themselves; never accepted from the wire. */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

/** Arguments per event or ack when nothing else is configured: far above any real use, far below a stack overflow. */
export const DEFAULT_MAX_ARGUMENTS = 64;
/** Binary attachments per default-encoded packet when nothing else is configured (Socket.IO's own default). */
export const DEFAULT_MAX_ATTACHMENTS = 10;

export interface ParserOptions {
  /**
   * Event names a peer may send; any other name (and any numeric name) is refused. Reserved
   * names (RESERVED_EVENTS) stay refused even when listed. Omitted: every other string name and
   * numeric names are accepted, as Socket.IO does.
   */
  readonly allowedEvents?: readonly string[];
  /**
   * Most arguments of one event (not counting its name, nor the ack callback Socket.IO adds) or
   * of one ack. Default DEFAULT_MAX_ARGUMENTS.
   */
  readonly maxArguments?: number;
  /**
   * When set, `allowedEvents` and `maxArguments` govern only the packets of this namespace; the
   * packets of any other namespace are held to the defaults (reserved names refused,
   * DEFAULT_MAX_ARGUMENTS). Lets an application share the Socket.IO server on another namespace.
   */
  readonly namespace?: string;
  /**
   * Most binary attachments of one packet in Socket.IO's default binary encoding, for every
   * namespace (the namespace is not known yet when the decoder must decide to hold them). The
   * decoder holds at most this many binary messages per connection while it waits for the rest
   * of a packet. Default DEFAULT_MAX_ATTACHMENTS.
   */
  readonly maxAttachments?: number;
  /**
   * Most bytes the binary attachments of one default-encoded packet may add up to; the packet is
   * refused as soon as an attachment takes the sum past it, so the decoder never holds more.
   * Default: no limit beyond maxAttachments times the transport's largest message.
   */
  readonly maxAttachmentBytes?: number;
}

/** A decoded packet, as socket.io-parser describes it. */
export interface PacketLike {
  type: PacketType;
  nsp: string;
  data?: unknown;
  id?: number;
}

/** The checks of one set of ParserOptions. Every method refuses by throwing an Error. */
export interface PacketPolicy {
  readonly maxAttachments: number;
  readonly maxAttachmentBytes: number;
  /** Refuses an event or ack with more values than allowed, before its values are decoded. */
  checkValueCount(type: PacketType, nsp: string, values: number): void;
  /** Refuses a decoded packet Socket.IO must not see. */
  checkPacket(packet: PacketLike): void;
}

function count(name: string, value: number | undefined, fallback: number, least: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < least) throw new RangeError(`${name} must be an integer of at least ${least}, not ${value}.`);
  return value;
}

function isPlainObject(value: unknown): boolean {
  return Object.prototype.toString.call(value) === '[object Object]';
}

function describeName(name: unknown): string {
  return typeof name === 'string' ? JSON.stringify(name.slice(0, 64)) : String(name);
}

/**
 * The checks for `options`. Throws a RangeError or TypeError for options that make no sense (a
 * negative limit, a non-string event name) so that a misconfiguration shows at startup.
 */
export function createPacketPolicy(options: ParserOptions = {}): PacketPolicy {
  const maxArguments = count('maxArguments', options.maxArguments, DEFAULT_MAX_ARGUMENTS, 0);
  const maxAttachments = count('maxAttachments', options.maxAttachments, DEFAULT_MAX_ATTACHMENTS, 1);
  const maxAttachmentBytes = count('maxAttachmentBytes', options.maxAttachmentBytes, Number.MAX_SAFE_INTEGER, 0);
  if (options.allowedEvents !== undefined && !options.allowedEvents.every((name) => typeof name === 'string')) {
    throw new TypeError('allowedEvents must be a list of strings.');
  }
  if (options.namespace !== undefined && (typeof options.namespace !== 'string' || !options.namespace.startsWith('/'))) {
    throw new TypeError('namespace must be a string starting with "/".');
  }
  const allowed = options.allowedEvents === undefined ? null : new Set(options.allowedEvents.filter((name) => !RESERVED_EVENTS.has(name)));
  const governs = (nsp: string): boolean => options.namespace === undefined || options.namespace === nsp;
  const argumentLimit = (nsp: string): number => (governs(nsp) ? maxArguments : DEFAULT_MAX_ARGUMENTS);
  const refuse = (nsp: string, problem: string): Error => new Error(`Refused Socket.IO packet on namespace ${JSON.stringify(nsp.slice(0, 64))}: ${problem}.`);

  function checkValueCount(type: PacketType, nsp: string, values: number): void {
    const isEvent = type === PacketType.EVENT || type === PacketType.BINARY_EVENT;
    if (!isEvent && type !== PacketType.ACK && type !== PacketType.BINARY_ACK) return;
    // An event's first value is its name, not an argument.
    const args = isEvent ? values - 1 : values;
    const limit = argumentLimit(nsp);
    if (args > limit) throw refuse(nsp, `${isEvent ? 'an event' : 'an ack'} with ${args} arguments, at most ${limit} allowed`);
  }

  function checkPacket(packet: PacketLike): void {
    const { type, nsp, data, id } = packet;
    if (typeof nsp !== 'string' || !nsp.startsWith('/')) throw refuse(String(nsp), 'a namespace must start with "/"');
    if (id !== undefined && !(Number.isSafeInteger(id) && id >= 0)) throw refuse(nsp, `ack id ${id} is not a safe non-negative integer`);
    // The default decoder only validates the data it finds: "4/quire" decodes to a CONNECT_ERROR
    // without data, on which socket.io-client throws outside any try. Hold every type to its shape.
    if (type === PacketType.CONNECT) {
      if (data !== undefined && !isPlainObject(data)) throw refuse(nsp, 'connect data must be an object');
      return;
    }
    if (type === PacketType.DISCONNECT) {
      if (data !== undefined) throw refuse(nsp, 'a disconnect carries no data');
      return;
    }
    if (type === PacketType.CONNECT_ERROR) {
      if (typeof data !== 'string' && !isPlainObject(data)) throw refuse(nsp, 'connect_error data must be a string or an object');
      return;
    }
    if (type !== PacketType.EVENT && type !== PacketType.ACK) throw refuse(nsp, `unexpected packet type ${String(type)}`);
    if (!Array.isArray(data)) throw refuse(nsp, 'an event or ack without a list of arguments');
    if (type === PacketType.ACK && id === undefined) throw refuse(nsp, 'an ack without an id');
    checkValueCount(type, nsp, data.length);
    if (type === PacketType.ACK) return;
    const name: unknown = data[0];
    if (typeof name === 'string' && RESERVED_EVENTS.has(name)) throw refuse(nsp, `the event name ${describeName(name)} is reserved`);
    const allowlist = governs(nsp) ? allowed : null;
    if (allowlist === null) {
      if (typeof name !== 'string' && typeof name !== 'number') throw refuse(nsp, 'an event name must be a string or a number');
    } else if (typeof name !== 'string' || !allowlist.has(name)) {
      throw refuse(nsp, `the event name ${describeName(name)} is not among the allowed events`);
    }
  }

  return { maxAttachments, maxAttachmentBytes, checkValueCount, checkPacket };
}
