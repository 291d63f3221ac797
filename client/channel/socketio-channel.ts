/**
 * The Socket.IO channel: Quire's events on the `/quire` namespace, with the single-frame parser.
 * It works over long-polling where a network refuses WebSockets, and upgrades when it can.
 */
import { io, type Socket } from 'socket.io-client';
import type { JoinOptions, JoinReply, SaveReply, VerifyReply } from '../../shared/events.js';
import { QUIRE_NAMESPACE, type ClientToServerEvents, type ServerToClientEvents } from '../../shared/events.js';
import { encodeUpdateMessage, toBytes } from '../../shared/protocol.js';
import * as singleFrameParser from '../../shared/socketio-parser/parser.js';
import { TypedEmitter } from '../typed-emitter.js';
import type { Backoff, Channel, ChannelEvents } from './channel.js';

export interface SocketIoChannelOptions extends Backoff {
  /** Socket.IO path on the server. Default /socket.io. */
  readonly path?: string;
  /** Socket.IO transports. Default: polling first, then upgrade to WebSocket. */
  readonly transports?: ('polling' | 'websocket')[];
}

export class SocketIoChannel extends TypedEmitter<ChannelEvents> implements Channel {
  readonly kind = 'socket.io';
  /** The socket itself, for tests that speak Socket.IO around the channel. */
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;

  constructor(baseUrl: string, options: SocketIoChannelOptions) {
    super();
    this.socket = io(baseUrl + QUIRE_NAMESPACE, {
      forceNew: true,
      parser: singleFrameParser,
      autoConnect: false,
      path: options.path ?? '/socket.io',
      transports: options.transports ?? ['polling', 'websocket'],
      reconnectionDelay: options.delayMs,
      reconnectionDelayMax: options.delayMaxMs,
      randomizationFactor: 0.5,
    });
    this.socket.on('connect', () => this.emit('connect'));
    this.socket.on('disconnect', () => this.emit('disconnect'));
    this.socket.on('connect_error', () => this.emit('connect-failed'));
    this.socket.on('sync', (docName, message) => {
      const bytes = toBytes(message);
      if (bytes !== null) this.emit('sync', docName, bytes);
    });
    this.socket.on('awareness', (docName, update) => {
      const bytes = toBytes(update);
      if (bytes !== null) this.emit('awareness', docName, bytes);
    });
    this.socket.on('quire-error', (error) => this.emit('quire-error', error));
    this.socket.on('kicked', (docName, error) => this.emit('kicked', docName, error));
    this.socket.io.on('reconnect_attempt', this.onReconnectAttempt);
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  get transportName(): string | null {
    return this.socket.io.engine?.transport?.name ?? null;
  }

  open(): void {
    if (!this.socket.connected) this.socket.connect();
  }

  close(): void {
    this.socket.disconnect();
  }

  restart(): void {
    this.socket.io.engine?.close();
    if (!this.socket.active) this.socket.connect();
  }

  destroy(): void {
    this.socket.disconnect();
    this.socket.off();
    this.socket.io.off('reconnect_attempt', this.onReconnectAttempt);
    this.removeAllListeners();
  }

  join(docName: string, token: string | null, options: JoinOptions, ack: (reply: JoinReply) => void): void {
    this.socket.emit('join', docName, token, options, ack);
  }

  leave(docName: string): void {
    this.socket.emit('leave', docName);
  }

  sync(docName: string, message: Uint8Array, ack?: (reply: SaveReply) => void): void {
    if (ack === undefined) this.socket.emit('sync', docName, message);
    else this.socket.emit('sync', docName, message, ack);
  }

  syncUpdate(docName: string, update: Uint8Array, ack: (reply: SaveReply) => void): void {
    this.sync(docName, encodeUpdateMessage(update), ack);
  }

  awareness(docName: string, update: Uint8Array): void {
    this.socket.emit('awareness', docName, update);
  }

  verify(docName: string, snapshot: Uint8Array, ack: (reply: VerifyReply) => void): void {
    this.socket.emit('verify', docName, snapshot, ack);
  }

  private readonly onReconnectAttempt = (): void => {
    this.emit('reconnecting');
  };
}
