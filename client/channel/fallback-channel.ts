/**
 * Tries Quire's WebSocket channel first and falls back to Socket.IO (which can long-poll) when
 * WebSockets never get through: after a few attempts in a row that failed before any of them
 * opened. Once the WebSocket channel has connected it is kept (later drops are the network's, and
 * it reconnects by itself); a fallback is kept for the channel's life.
 */
import type { JoinOptions, JoinReply, SaveReply, VerifyReply } from '../../shared/events.js';
import { TypedEmitter, type Listener } from '../typed-emitter.js';
import type { Channel, ChannelEvents, ChannelKind } from './channel.js';

/** Failed WebSocket attempts, none ever opened, after which Socket.IO takes over. */
export const FAILURES_BEFORE_FALLBACK = 2;

/**
 * The listeners given to this channel are kept here and also listen on the channel in use
 * directly (a message received is not emitted a second time on its way to the provider); they
 * move to the fallback with it. This channel never emits.
 */
export class FallbackChannel extends TypedEmitter<ChannelEvents> implements Channel {
  private current: Channel;
  private everConnected = false;
  private failures = 0;
  private wanted = false;

  constructor(
    first: Channel,
    private readonly makeFallback: () => Channel,
  ) {
    super();
    this.current = first;
    // These run before the listeners given to this channel: on the failure that makes it fall
    // back, the switch is made before they hear of the failure (none of them reads `kind`).
    first.on('connect', this.onFirstConnect);
    first.on('connect-failed', this.onFirstFailed);
  }

  override on<K extends keyof ChannelEvents>(event: K, listener: Listener<ChannelEvents[K]>): this {
    super.on(event, listener);
    this.current.on(event, listener);
    return this;
  }

  override off<K extends keyof ChannelEvents>(event: K, listener: Listener<ChannelEvents[K]>): this {
    super.off(event, listener);
    this.current.off(event, listener);
    return this;
  }

  get kind(): ChannelKind {
    return this.current.kind;
  }

  get connected(): boolean {
    return this.current.connected;
  }

  get transportName(): string | null {
    return this.current.transportName;
  }

  /** The channel in use now (for tests and diagnostics). */
  get active(): Channel {
    return this.current;
  }

  open(): void {
    this.wanted = true;
    this.current.open();
  }

  close(): void {
    this.wanted = false;
    this.current.close();
  }

  restart(): void {
    this.current.restart();
  }

  destroy(): void {
    this.wanted = false;
    this.current.destroy();
    this.removeAllListeners();
  }

  join(docName: string, token: string | null, options: JoinOptions, ack: (reply: JoinReply) => void): void {
    this.current.join(docName, token, options, ack);
  }

  leave(docName: string): void {
    this.current.leave(docName);
  }

  sync(docName: string, message: Uint8Array, ack?: (reply: SaveReply) => void): void {
    this.current.sync(docName, message, ack);
  }

  syncUpdate(docName: string, update: Uint8Array, ack: (reply: SaveReply) => void): void {
    this.current.syncUpdate(docName, update, ack);
  }

  awareness(docName: string, update: Uint8Array): void {
    this.current.awareness(docName, update);
  }

  verify(docName: string, snapshot: Uint8Array, ack: (reply: VerifyReply) => void): void {
    this.current.verify(docName, snapshot, ack);
  }

  private attach(channel: Channel): void {
    this.forEachListener((event, listener) => channel.on(event, listener));
  }

  private readonly onFirstConnect = (): void => {
    this.everConnected = true;
  };

  private readonly onFirstFailed = (): void => {
    if (this.everConnected || ++this.failures < FAILURES_BEFORE_FALLBACK) return;
    const first = this.current;
    first.destroy();
    this.current = this.makeFallback();
    this.attach(this.current);
    if (this.wanted) this.current.open();
  };
}
