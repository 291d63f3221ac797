/**
 * The WebSocket channel: Quire's events in its own binary framing (shared/ws-frames.ts) on one
 * plain WebSocket, reconnecting with jittered exponential backoff. The browser's WebSocket, or in
 * Node any class with its interface (the `ws` package's).
 */
import type { JoinOptions, JoinReply, SaveReply, VerifyReply } from '../../shared/events.js';
import {
  FRAME_AWARENESS,
  FRAME_ERROR,
  FRAME_KICKED,
  FRAME_REPLY,
  FRAME_SYNC,
  QUIRE_WS_PATH,
  decodeServerFrame,
  encodeAwareness,
  encodeClientSync,
  encodeClientUpdate,
  encodeJoin,
  encodeLeave,
  encodeVerify,
} from '../../shared/ws-frames.js';
import { TypedEmitter } from '../typed-emitter.js';
import { backoffDelay, type Backoff, type Channel, type ChannelEvents } from './channel.js';

/** What the channel uses of a WebSocket: the standard browser interface. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** Node's ws also has this: each message as it came, without the event object made for onmessage. */
  on?(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown;
}

export type WebSocketClass = new (url: string) => WebSocketLike;

const OPEN = 1;

type Reply = JoinReply | SaveReply | VerifyReply;

export class WebSocketChannel extends TypedEmitter<ChannelEvents> implements Channel {
  readonly kind = 'websocket';
  private readonly url: string;
  private socket: WebSocketLike | null = null;
  private isOpen = false;
  private wanted = false;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly replies = new Map<number, (reply: Reply) => void>();
  private nextAck = 1;

  constructor(
    baseUrl: string,
    private readonly WebSocketImpl: WebSocketClass,
    private readonly backoff: Backoff,
  ) {
    super();
    this.url = baseUrl.replace(/^http/, 'ws') + QUIRE_WS_PATH;
  }

  get connected(): boolean {
    return this.isOpen;
  }

  get transportName(): string | null {
    return this.isOpen ? 'websocket' : null;
  }

  open(): void {
    this.wanted = true;
    if (this.socket === null && this.retryTimer === null) this.dial();
  }

  close(): void {
    this.wanted = false;
    this.cancelRetry();
    this.hangUp(1000);
  }

  restart(): void {
    if (!this.wanted) return;
    this.cancelRetry();
    this.hangUp(4000);
    this.attempts = 0;
    this.dial();
  }

  destroy(): void {
    this.close();
    this.removeAllListeners();
  }

  join(docName: string, token: string | null, options: JoinOptions, ack: (reply: JoinReply) => void): void {
    this.send(encodeJoin(this.expect(ack), docName, token, options));
  }

  leave(docName: string): void {
    this.send(encodeLeave(docName));
  }

  sync(docName: string, message: Uint8Array, ack?: (reply: SaveReply) => void): void {
    this.send(encodeClientSync(ack === undefined ? 0 : this.expect(ack), docName, message));
  }

  syncUpdate(docName: string, update: Uint8Array, ack: (reply: SaveReply) => void): void {
    this.send(encodeClientUpdate(this.expect(ack), docName, update));
  }

  awareness(docName: string, update: Uint8Array): void {
    this.send(encodeAwareness(docName, update));
  }

  verify(docName: string, snapshot: Uint8Array, ack: (reply: VerifyReply) => void): void {
    this.send(encodeVerify(this.expect(ack), docName, snapshot));
  }

  private send(frame: Uint8Array): void {
    if (this.isOpen && this.socket !== null && this.socket.readyState === OPEN) this.socket.send(frame);
  }

  /** Numbers a reply callback; the number travels with the message and comes back with the reply. */
  private expect<R extends Reply>(ack: (reply: R) => void): number {
    if (!this.isOpen) return 0;
    const id = this.nextAck++;
    this.replies.set(id, ack as (reply: Reply) => void);
    return id;
  }

  private dial(): void {
    let socket: WebSocketLike;
    try {
      socket = new this.WebSocketImpl(this.url);
    } catch {
      this.failed();
      return;
    }
    this.socket = socket;
    // Node's ws hands over each message as a Buffer by default (copied once, in receive). A
    // browser's WebSocket gives a Blob unless asked for an ArrayBuffer.
    if (socket.binaryType !== 'nodebuffer') socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      this.isOpen = true;
      this.attempts = 0;
      this.emit('connect');
    };
    if (typeof socket.on === 'function') {
      // Only binary messages are frames; a text one is ignored, as a string is by receive.
      socket.on('message', (data, isBinary) => {
        if (isBinary && this.socket === socket) this.receive(data);
      });
    } else {
      socket.onmessage = (event) => this.receive(event.data);
    }
    // A socket that could not connect fires `error`, then `close`; undici's (Node's global
    // WebSocket: 6.x, the one in Node 20 and 22) fires only `error` and stays CONNECTING for good,
    // so a socket that errs before it opened is given up on at once.
    socket.onerror = () => {
      if (this.socket === socket && !this.isOpen) this.ended(socket, true);
    };
    socket.onclose = () => this.ended(socket, false);
  }

  /** `socket` closed, or never opened (`abandon`: it is closed here too): says so, and dials again if wanted. */
  private ended(socket: WebSocketLike, abandon: boolean): void {
    const wasOpen = this.isOpen;
    this.forget(socket);
    if (abandon) {
      try {
        socket.close();
      } catch {
        // Already closing.
      }
    }
    if (wasOpen) this.emit('disconnect');
    else this.emit('connect-failed');
    if (this.wanted) this.scheduleRetry();
  }

  private receive(data: unknown): void {
    const bytes = messageBytes(data);
    const frame = bytes === null ? null : decodeServerFrame(bytes);
    if (frame === null) return;
    switch (frame.kind) {
      case FRAME_SYNC:
        this.emit('sync', frame.name, frame.message);
        return;
      case FRAME_AWARENESS:
        this.emit('awareness', frame.name, frame.update);
        return;
      case FRAME_REPLY: {
        const reply = this.replies.get(frame.ack);
        this.replies.delete(frame.ack);
        reply?.(frame.reply);
        return;
      }
      case FRAME_ERROR:
        this.emit('quire-error', frame.error);
        return;
      case FRAME_KICKED:
        this.emit('kicked', frame.name, frame.error);
        return;
    }
  }

  /** Closes the current socket without waiting for its close handshake, and says so if it was open. */
  private hangUp(code: number): void {
    const socket = this.socket;
    if (socket === null) return;
    const wasOpen = this.isOpen;
    this.forget(socket);
    try {
      socket.close(code);
    } catch {
      // Already closing.
    }
    if (wasOpen) this.emit('disconnect');
  }

  /** Detaches from `socket`; replies still awaited on it will never come. */
  private forget(socket: WebSocketLike): void {
    socket.onopen = socket.onmessage = socket.onclose = null;
    socket.onerror = () => undefined;
    if (this.socket !== socket) return;
    this.socket = null;
    this.isOpen = false;
    this.replies.clear();
  }

  private failed(): void {
    this.emit('connect-failed');
    if (this.wanted) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.cancelRetry();
    const delay = backoffDelay(this.backoff, this.attempts++);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.wanted) return;
      this.emit('reconnecting');
      this.dial();
    }, delay);
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}

/** A received message's bytes, or null when it is not binary. */
function messageBytes(data: unknown): Uint8Array | null {
  // ws's Buffer is a view into the socket's read, which may hold other messages: it is copied
  // (to a buffer of the message's own size, as ws would copy it to an ArrayBuffer) so that what
  // Yjs keeps of a message (a binary value is a view into it) does not keep the whole read alive.
  if (data instanceof Uint8Array) return Uint8Array.prototype.slice.call(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}
