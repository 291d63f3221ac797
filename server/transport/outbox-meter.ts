/**
 * How many bytes the server holds for one Engine.IO connection that the client has not taken
 * yet: packets queued in the connection's write buffer (a long-polling client that does not poll,
 * a WebSocket whose previous batch is still being written) plus the batch handed to the transport
 * and not yet written out (a WebSocket client that does not read). A connection whose outbox grows
 * past its cap is a slow or hostile reader; the transport closes it.
 *
 * Engine.IO tells: `packetCreate` (a packet is queued), `flush` (the queue is handed to the
 * transport), and the transport's `drain` (what it was handed is written). It hands one batch at a
 * time, so a drain means everything handed so far is out.
 */
import type { EventEmitter } from 'node:events';

/** What of an Engine.IO socket the meter reads: its events and its current transport. */
export interface EngineSocket extends EventEmitter {
  readonly transport: EventEmitter;
}

interface EnginePacket {
  readonly data?: unknown;
}

function sizeOf(packet: EnginePacket): number {
  const data = packet.data;
  if (typeof data === 'string') return data.length;
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  return 1;
}

/**
 * The bytes several meters hold together (all connections of one address): kept up to date by
 * each meter as its own count changes, so reading it costs nothing however many share it.
 */
export class OutboxAccount {
  pending = 0;
}

export class OutboxMeter {
  /** Bytes queued and not yet handed to the transport. */
  private queued = 0;
  /** Bytes handed to the transport and not yet written. */
  private inFlight = 0;
  private transport: EventEmitter;

  constructor(
    private readonly socket: EngineSocket,
    /** Where this meter's bytes are added up with others'. */
    readonly account: OutboxAccount = new OutboxAccount(),
  ) {
    this.transport = socket.transport;
    socket.on('packetCreate', this.onPacket);
    socket.on('flush', this.onFlush);
    socket.on('upgrade', this.onUpgrade);
    this.transport.on('drain', this.onDrain);
  }

  /** Bytes the client has not taken yet. */
  get pending(): number {
    return this.queued + this.inFlight;
  }

  detach(): void {
    this.account.pending -= this.queued + this.inFlight;
    this.queued = 0;
    this.inFlight = 0;
    this.socket.off('packetCreate', this.onPacket);
    this.socket.off('flush', this.onFlush);
    this.socket.off('upgrade', this.onUpgrade);
    this.transport.off('drain', this.onDrain);
  }

  private readonly onPacket = (packet: EnginePacket): void => {
    const bytes = sizeOf(packet);
    this.queued += bytes;
    this.account.pending += bytes;
  };

  private readonly onFlush = (packets: readonly EnginePacket[]): void => {
    let bytes = 0;
    for (const packet of packets) bytes += sizeOf(packet);
    const handed = Math.min(this.queued, bytes);
    this.queued -= handed;
    this.inFlight += handed;
  };

  private readonly onDrain = (): void => {
    this.account.pending -= this.inFlight;
    this.inFlight = 0;
  };

  private readonly onUpgrade = (): void => {
    this.transport.off('drain', this.onDrain);
    this.transport = this.socket.transport;
    this.transport.on('drain', this.onDrain);
  };
}
