/**
 * The room bus over Redis pub/sub (scale-out). One channel per document, `<prefix>doc:<docName>`,
 * subscribed only while this node holds the document, so a node receives no traffic for the
 * documents it does not hold. Two connections: a subscriber, and a publisher that never queues
 * (while Redis is away a publish fails at once and is dropped; the resync after the outage
 * carries what it would have carried).
 *
 * Frames are binary; their format is in bus-frame.ts.
 *
 * Catch-up is a two-way exchange, like the y-protocols handshake: a sync request carries the
 * requester's state vector; every other holder answers with a sync-reply addressed to the
 * requester, holding what the requester lacks plus the holder's own state vector; the requester
 * applies it and answers with what the holder lacks (a sync-reply with an empty state vector, which
 * ends the exchange). So after an outage of either connection, one round of requests brings every
 * holder up to date in both directions, deletions included.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { BUS_AWARENESS, BUS_SYNC_REPLY, BUS_SYNC_REQUEST, BUS_UPDATE, decodeBusFrame, encodeBusFrame, type BusFrame } from './bus-frame.js';
import type { Logger } from '../ops/logger.js';
import {
  connectionOptions,
  describeRedisUrl,
  errorMessage,
  quit,
  redactError,
  redactUrl,
  TimeoutError,
  withTimeout,
} from './redis-connection.js';
import type { RoomBus, RoomBusHandlers } from '../core/room-bus.js';

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export interface RedisRoomBusOptions {
  /** This node's id in frames; unique per process. Default: host name, pid and random bytes. */
  readonly nodeId?: string;
  /** Prefix of every channel name, to share one Redis between clusters (or test runs). Default `quire:`. */
  readonly channelPrefix?: string;
  /** Called on every change of `healthy`. */
  readonly onHealthChange?: (healthy: boolean) => void;
  readonly logger?: Logger;
  /** How long `open()` may take to reach Redis before it rejects. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
}

interface Subscription {
  readonly docName: string;
  readonly handlers: RoomBusHandlers;
}


/**
 * A {@link RoomBus} on Redis pub/sub (ioredis). Guarantees:
 * - a node receives only the traffic of documents it subscribed to, and never acts on its own frames;
 * - it never crashes on a Redis failure: publishes while Redis is away are dropped, `healthy` is
 *   false until both connections are back, and then every subscribed document is resubscribed and
 *   resynchronised (both ways) with the other holders;
 * - `receivedMessages` / `receivedBytes` count every frame that reached this node.
 */
export class RedisRoomBus implements RoomBus {
  readonly nodeId: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly prefix: string;
  private readonly options: RedisRoomBusOptions;
  private readonly subscriptions = new Map<string, Subscription>();
  /** Connections made for the Socket.IO adapter; closed with the bus. */
  private readonly adapterConnections: Redis[] = [];
  private readonly url: string;
  private publisherReady = false;
  /** True once the subscriber is connected and every channel of `subscriptions` is subscribed. */
  private subscriberReady = false;
  private wasHealthy = false;
  /** False until open() connected both; health changes are not reported before. */
  private opened = false;
  private outageLogged = false;
  /** The latest connection error, for open()'s message. */
  private lastError: Error | null = null;
  private closed = false;
  private received = 0;
  private receivedByteCount = 0;
  private dropped = 0;

  private constructor(url: string, publisher: Redis, subscriber: Redis, nodeId: string, options: RedisRoomBusOptions) {
    this.url = url;
    this.publisher = publisher;
    this.subscriber = subscriber;
    this.nodeId = nodeId;
    this.prefix = options.channelPrefix ?? 'quire:';
    this.options = options;
  }

  /**
   * Connects both connections. Rejects within about `connectTimeoutMs` when Redis cannot be
   * reached or the URL is malformed, with a message that names the server but never the password;
   * nothing stays open then.
   */
  static async open(url: string, options: RedisRoomBusOptions = {}): Promise<RedisRoomBus> {
    const where = describeRedisUrl(url);
    const nodeId = options.nodeId ?? `${hostname()}:${process.pid}:${randomBytes(6).toString('base64url')}`;
    if (Buffer.byteLength(nodeId) > 200) throw new RangeError('The room bus node id must be at most 200 bytes long.');
    const timeoutMs = options.connectTimeoutMs ?? 5000;
    const common = {
      ...connectionOptions(timeoutMs),
      // Fail fast while Redis is away; the bus resubscribes by itself once it is back.
      enableOfflineQueue: false,
      autoResubscribe: false,
    };
    const publisher = new Redis(url, { ...common, connectionName: `quire-bus-pub:${nodeId}` });
    const subscriber = new Redis(url, { ...common, connectionName: `quire-bus-sub:${nodeId}` });
    const bus = new RedisRoomBus(url, publisher, subscriber, nodeId, options);
    bus.listen();
    try {
      await withTimeout(
        Promise.all([publisher.connect(), subscriber.connect()]),
        timeoutMs,
        `no answer within ${timeoutMs} ms`,
      );
    } catch (error) {
      bus.closed = true;
      publisher.disconnect();
      subscriber.disconnect();
      // "Connection is closed." says less than the socket error that closed it.
      const cause = error instanceof TimeoutError ? error : (bus.lastError ?? error);
      throw new Error(`Cannot connect to Redis at ${where}: ${redactUrl(errorMessage(cause), url)}`, { cause });
    }
    // Nothing is subscribed yet, so a connected subscriber is a ready one.
    bus.publisherReady = publisher.status === 'ready';
    bus.subscriberReady = subscriber.status === 'ready';
    bus.wasHealthy = bus.healthy;
    bus.opened = true;
    return bus;
  }

  get healthy(): boolean {
    return !this.closed && this.publisherReady && this.subscriberReady;
  }

  /** Frames that reached this node (its own echoes included), since it opened. */
  get receivedMessages(): number {
    return this.received;
  }

  /** @internal Bytes of the frames that reached this node, since it opened. */
  get receivedBytes(): number {
    return this.receivedByteCount;
  }

  /** @internal Frames dropped: publishes that failed while Redis was away, and received frames that were malformed or whose handler threw. */
  get droppedMessages(): number {
    return this.dropped;
  }

  /** @internal Documents subscribed now. */
  get subscribedDocuments(): number {
    return this.subscriptions.size;
  }

  /**
   * Starts receiving a document's traffic. The subscription is kept even when this rejects
   * (Redis away): it is made, and the document resynchronised, as soon as Redis is back.
   */
  async subscribe(docName: string, handlers: RoomBusHandlers): Promise<void> {
    if (this.closed) throw new Error('The room bus is closed.');
    const channel = this.channelOf(docName);
    this.subscriptions.set(channel, { docName, handlers });
    if (!this.subscriberReady) {
      throw new Error('Redis is unavailable; the document will be subscribed when it is back.');
    }
    await withTimeout(this.subscriber.subscribe(channel), 5000, 'Redis did not confirm the subscription within 5000 ms.');
  }

  async unsubscribe(docName: string): Promise<void> {
    const channel = this.channelOf(docName);
    if (!this.subscriptions.delete(channel)) return;
    // Without a connection there is nothing to undo: the subscriptions died with it.
    if (this.closed || this.subscriber.status !== 'ready') return;
    await this.subscriber.unsubscribe(channel);
  }

  requestSync(docName: string): void {
    const subscription = this.subscriptions.get(this.channelOf(docName));
    if (subscription === undefined) return;
    let stateVector: Uint8Array;
    try {
      stateVector = subscription.handlers.stateVector();
    } catch (error) {
      this.options.logger?.error({ err: error, docName }, 'room bus: could not read the state vector');
      return;
    }
    this.publish(docName, { kind: BUS_SYNC_REQUEST, sender: this.nodeId, payload: stateVector });
  }

  publishUpdate(docName: string, update: Uint8Array): void {
    this.publish(docName, { kind: BUS_UPDATE, sender: this.nodeId, payload: update });
  }

  publishAwareness(docName: string, update: Uint8Array): void {
    this.publish(docName, { kind: BUS_AWARENESS, sender: this.nodeId, payload: update });
  }

  /**
   * Two more connections to the same Redis, for Socket.IO's Redis adapter
   * (`createAdapter(pubClient, subClient, { key })`), closed by this bus's `close()`. Unlike the
   * bus's own, they queue commands while Redis is away and never give up on them (the adapter does
   * not catch a failed publish), so a link revoked during an outage takes effect once Redis is back.
   */
  async openAdapterClients(): Promise<{ pubClient: Redis; subClient: Redis }> {
    if (this.closed) throw new Error('The room bus is closed.');
    const timeoutMs = this.options.connectTimeoutMs ?? 5000;
    const options = { ...connectionOptions(timeoutMs), maxRetriesPerRequest: null };
    const pubClient = new Redis(this.url, { ...options, connectionName: `quire-io-pub:${this.nodeId}` });
    const subClient = new Redis(this.url, { ...options, connectionName: `quire-io-sub:${this.nodeId}` });
    for (const connection of [pubClient, subClient]) {
      this.adapterConnections.push(connection);
      // The bus's own connections report the outage; these only must not crash the process.
      connection.on('error', (error: Error) => this.options.logger?.debug({ err: redactError(error) }, 'Socket.IO adapter: Redis connection error'));
    }
    try {
      await withTimeout(Promise.all([pubClient.connect(), subClient.connect()]), timeoutMs, `no answer within ${timeoutMs} ms`);
    } catch (error) {
      await Promise.all([quit(pubClient), quit(subClient)]);
      throw new Error(`Cannot connect to Redis at ${describeRedisUrl(this.url)}: ${redactUrl(errorMessage(error), this.url)}`, { cause: error });
    }
    return { pubClient, subClient };
  }

  /** Quits every connection; afterwards every call is a no-op or rejects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscriptions.clear();
    this.setHealth();
    await Promise.all([this.publisher, this.subscriber, ...this.adapterConnections].map((connection) => quit(connection)));
  }

  private channelOf(docName: string): string {
    return `${this.prefix}doc:${docName}`;
  }

  private publish(docName: string, frame: BusFrame): void {
    if (this.closed || !this.publisherReady) {
      this.dropped++;
      return;
    }
    this.publisher.publish(this.channelOf(docName), asBuffer(encodeBusFrame(frame))).catch((error: unknown) => {
      // Redis went away mid-publish: the resync when it is back covers this frame.
      this.dropped++;
      this.options.logger?.debug({ err: error, docName }, 'room bus: publish failed');
    });
  }

  private listen(): void {
    const log = this.options.logger;
    for (const [name, connection] of [['publisher', this.publisher], ['subscriber', this.subscriber]] as const) {
      connection.on('error', (error: Error) => {
        this.lastError = error;
        if (this.closed) return;
        // ioredis reports every failed reconnection attempt; warn once per outage.
        if (this.outageLogged) log?.debug({ err: redactError(error), connection: name }, 'room bus: Redis connection error');
        else log?.warn({ err: redactError(error), connection: name }, 'room bus: Redis connection error');
        this.outageLogged = true;
      });
      connection.on('close', () => {
        if (name === 'publisher') this.publisherReady = false;
        else this.subscriberReady = false;
        this.setHealth();
      });
    }
    this.publisher.on('ready', () => {
      if (this.closed) return;
      this.publisherReady = true;
      this.setHealth();
    });
    this.subscriber.on('ready', () => {
      if (this.closed) return;
      void this.resubscribe();
    });
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onMessage(channel.toString(), message));
  }

  /** After the subscriber (re)connected: subscribe every held document's channel again. */
  private async resubscribe(): Promise<void> {
    const channels = [...this.subscriptions.keys()];
    try {
      if (channels.length > 0) await this.subscriber.subscribe(...channels);
    } catch (error) {
      // The connection dropped again; its next 'ready' retries.
      this.options.logger?.debug({ err: error }, 'room bus: resubscribing failed');
      return;
    }
    if (this.closed || this.subscriber.status !== 'ready') return;
    this.subscriberReady = true;
    this.setHealth();
  }

  /** Tracks health; on every return to health, resynchronises every held document. */
  private setHealth(): void {
    if (!this.opened) return;
    const healthy = this.healthy;
    if (healthy === this.wasHealthy) return;
    this.wasHealthy = healthy;
    if (healthy) this.outageLogged = false;
    if (healthy) this.options.logger?.info({ documents: this.subscriptions.size }, 'room bus: Redis is back; resynchronising');
    else if (!this.closed) this.options.logger?.warn('room bus: Redis is unavailable; changes reach other nodes again once it is back');
    this.options.onHealthChange?.(healthy);
    if (healthy) for (const { docName } of this.subscriptions.values()) this.requestSync(docName);
  }

  private onMessage(channel: string, message: Buffer): void {
    this.received++;
    this.receivedByteCount += message.byteLength;
    const subscription = this.subscriptions.get(channel);
    if (subscription === undefined || this.closed) return;
    const frame = decodeBusFrame(message);
    if (frame === null) {
      this.dropped++;
      this.options.logger?.warn({ channel }, 'room bus: dropped a malformed frame');
      return;
    }
    if (frame.sender === this.nodeId) return;
    const { docName, handlers } = subscription;
    try {
      switch (frame.kind) {
        case BUS_UPDATE:
          handlers.update(frame.payload);
          break;
        case BUS_AWARENESS:
          handlers.awareness(frame.payload);
          break;
        case BUS_SYNC_REQUEST: {
          const lacking = handlers.syncRequest(frame.payload);
          this.publish(docName, {
            kind: BUS_SYNC_REPLY,
            sender: this.nodeId,
            target: frame.sender,
            stateVector: handlers.stateVector(),
            payload: lacking ?? new Uint8Array(0),
          });
          break;
        }
        case BUS_SYNC_REPLY: {
          if (frame.target !== this.nodeId) break;
          if (frame.payload.byteLength > 0) (handlers.catchUp ?? handlers.update)(frame.payload);
          if (frame.stateVector.byteLength === 0) break;
          const lacking = handlers.syncRequest(frame.stateVector);
          if (lacking !== null) {
            this.publish(docName, { kind: BUS_SYNC_REPLY, sender: this.nodeId, target: frame.sender, stateVector: new Uint8Array(0), payload: lacking });
          }
          break;
        }
      }
    } catch (error) {
      // A frame another node built badly must not take this node down.
      this.dropped++;
      this.options.logger?.error({ err: error, docName, kind: frame.kind, sender: frame.sender }, 'room bus: could not apply a frame');
    }
  }
}

