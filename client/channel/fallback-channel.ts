/**
 * Tries Quire's WebSocket channel first and falls back to Socket.IO (which can long-poll) when
 * WebSockets never get through: after a few attempts in a row that failed before any of them
 * opened. Once the WebSocket channel has connected it is kept (later drops are the network's, and
 * it reconnects by itself); a fallback is kept for the channel's life.
 */
import type { JoinOptions, JoinReply, SaveReply, VerifyReply } from '../../shared/events.js';
import { TypedEmitter } from '../typed-emitter.js';
import type { Channel, ChannelEvents, ChannelKind } from './channel.js';

/** Failed WebSocket attempts, none ever opened, after which Socket.IO takes over. */
export const FAILURES_BEFORE_FALLBACK = 2;

const FORWARDED: readonly (keyof ChannelEvents)[] = ['connect', 'disconnect', 'connect-failed', 'reconnecting', 'sync', 'awareness', 'quire-error', 'kicked'];

export class FallbackChannel extends TypedEmitter<ChannelEvents> implements Channel {
  private current: Channel;
  private everConnected = false;
  private failures = 0;
  private wanted = false;
  private readonly forwarders = new Map<keyof ChannelEvents, (...args: unknown[]) => void>();

  constructor(
    first: Channel,
    private readonly makeFallback: () => Channel,
  ) {
    super();
    this.current = first;
    for (const event of FORWARDED) this.forwarders.set(event, (...args: unknown[]) => this.forward(event, args));
    this.attach(first);
    first.on('connect', this.onFirstConnect);
    first.on('connect-failed', this.onFirstFailed);
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

  awareness(docName: string, update: Uint8Array): void {
    this.current.awareness(docName, update);
  }

  verify(docName: string, snapshot: Uint8Array, ack: (reply: VerifyReply) => void): void {
    this.current.verify(docName, snapshot, ack);
  }

  private forward(event: keyof ChannelEvents, args: unknown[]): void {
    (this.emit as (event: keyof ChannelEvents, ...args: unknown[]) => void)(event, ...args);
  }

  private attach(channel: Channel): void {
    for (const [event, forwarder] of this.forwarders) channel.on(event, forwarder as never);
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
