/**
 * The plain WebSocket transport: Quire's collaboration events as one binary WebSocket message
 * each (shared/ws-frames.ts) on QUIRE_WS_PATH, beside the Socket.IO namespace on the same HTTP
 * server. It does what the Socket.IO transport does for its connections, with the same limits
 * (shared with it per address, see address-book.ts): checks the origin, caps connections and
 * unread bytes per connection and per address, closes connections that stop answering pings, and
 * refuses any frame that is not exactly one of Quire's messages with a typed error before closing.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { QuireError, type QuireErrorPayload } from '../../shared/errors.js';
import { closeIfSlowReader } from './slow-reader.js';
import type { JoinReply, SaveReply, VerifyReply } from '../../shared/events.js';
import {
  FRAME_AWARENESS,
  FRAME_JOIN,
  FRAME_LEAVE,
  FRAME_SYNC,
  FRAME_VERIFY,
  QUIRE_WS_PATH,
  decodeClientFrame,
  encodeAwareness,
  encodeError,
  encodeKicked,
  encodeReply,
  encodeServerSync,
} from '../../shared/ws-frames.js';
import { recipientCount, soleRecipient, type Connection, type Transport } from '../core/connection.js';
import type { AddressMember } from './address-book.js';
import { clientAddress } from './client-address.js';
import type { OutboxAccount } from './outbox-meter.js';
import type { LocalKicker, TransportOptions } from './transport-options.js';
import { binaryFrame } from './websocket-frame.js';

export interface WebSocketTransportOptions extends TransportOptions {
  /**
   * Kicks a tag's connections on every transport of every node (the Socket.IO transport carries
   * kicks between nodes). Without it, kicks reach this transport's connections only.
   */
  readonly kickEverywhere?: (tag: string, error: QuireErrorPayload & { readonly docName: string }) => void;
  /** Every connection is pinged this often; one that did not answer the previous ping is closed. Default 10 s. */
  readonly pingIntervalMs?: number;
  /**
   * Paths (prefixes) whose upgrades another part of the server answers (Socket.IO's). An upgrade
   * to any other path but QUIRE_WS_PATH is refused at once, 404.
   */
  readonly upgradesServedElsewhere?: readonly string[];
}

/**
 * The part of ws's sender that writes frames already made: how a message fanned out to many
 * connections is framed once and written to each in one write (Engine.IO does the same for
 * Socket.IO's broadcasts). Not part of ws's documented API: when it is missing, `send` is used.
 * Writing around ws's send queue is safe here because that queue only fills while a message is
 * being compressed or read from a Blob, and this server compresses nothing and sends no Blobs.
 */
interface FrameWriter {
  sendFrame(list: readonly Buffer[], cb?: (error?: Error) => void): void;
}

/**
 * Sync messages from this size up are framed once per document and the frame is shared: the
 * room answers every new page with the same encoding of the whole document (Room.answerStep1),
 * and ws writes a Buffer it is given without copying it, so a hundred readers queued behind a
 * 3 MB document hold one 3 MB buffer between them, not a hundred copies. The cache holds the
 * frame weakly: the writes still queued keep it (ws queues that very Buffer), and once they are
 * out it is freed rather than kept beside the room's own encoding for as long as the room lives.
 */
const SHARED_FRAME_BYTES = 64 * 1024;
const sharedSyncFrames = new WeakMap<Uint8Array, { readonly docName: string; readonly frame: WeakRef<Buffer> }>();

function syncFrame(docName: string, message: Uint8Array): Uint8Array {
  if (message.byteLength < SHARED_FRAME_BYTES) return encodeServerSync(docName, message);
  const known = sharedSyncFrames.get(message);
  const kept = known !== undefined && known.docName === docName ? known.frame.deref() : undefined;
  if (kept !== undefined) return kept;
  const encoded = encodeServerSync(docName, message);
  const frame = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  sharedSyncFrames.set(message, { docName, frame: new WeakRef(frame) });
  return frame;
}

/**
 * Answers an upgrade refused before it starts and closes the connection once the answer is out.
 * Ending it is not enough: the HTTP server's sockets are half-open by default and no HTTP timeout
 * watches an upgrade's, so one whose client kept its side open would stay for good, uncounted by
 * the per-address caps, and hold the HTTP server's close open. Its errors are no longer the HTTP
 * server's to handle (it let go of the socket for the upgrade): a reset is expected and ignored.
 */
function refuseUpgrade(socket: Duplex, status: string, text = ''): void {
  const type = text === '' ? '' : 'Content-Type: text/plain\r\n';
  socket.on('error', () => undefined);
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${type}Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`, () => socket.destroy());
}

/** Close codes: 1008 for a broken rule, 1001 for a server going away. */
const CLOSE_POLICY = 1008;
const CLOSE_GOING_AWAY = 1001;

/**
 * Connection ids: random per process, counted within it (unique among live connections, and
 * across restarts and nodes in logs); a random id per connection cost a system call per join.
 */
const CONNECTION_ID_PREFIX = `ws-${randomBytes(6).toString('base64url')}-`;
let connectionsOpened = 0;

class WebSocketConnection implements Connection, AddressMember {
  readonly id = CONNECTION_ID_PREFIX + (++connectionsOpened).toString(36);
  readonly transport: WebSocketTransport;
  readonly remoteAddress: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Answered the last ping. */
  alive = true;
  /** The tags it carries, with the name it joined under for each that needs one. */
  readonly tags = new Map<string, string | undefined>();
  /** What of `socket.bufferedAmount` the address's account holds (sampled, see refreshOutbox). */
  private counted = 0;
  /** Frames written to it in this event-loop turn (see holdWrites). */
  private writesThisTurn = 0;
  /** Its writes are held back until the end of this turn. */
  private holding = false;
  /** Its held writes were let go at the end of this turn and are still to be checked. */
  private released = false;

  constructor(
    transport: WebSocketTransport,
    readonly socket: WebSocket,
    request: IncomingMessage,
    address: string,
    private readonly account: OutboxAccount,
  ) {
    this.transport = transport;
    this.remoteAddress = address;
    this.headers = request.headers;
  }

  sendFrame(frame: Uint8Array): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.holdWrites();
    this.socket.send(frame);
    this.afterWrite();
  }
  /**
   * Writes a frame that more will follow in this turn: it is held back with them (see holdWrites)
   * rather than leaving alone. A join's reply is followed by the server's step 1 and the answer to
   * the client's step 1, sent right behind the join: the three leave in one write.
   */
  sendFrameWithMore(frame: Uint8Array): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.writesThisTurn++ === 0) this.transport.releaseLater(this);
    this.hold();
    this.socket.send(frame);
    this.afterWrite();
  }
  /** Writes a frame made by `binaryFrame` (see FrameWriter), in order with everything else sent. */
  sendFramed(framed: Buffer, frame: Uint8Array): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.holdWrites();
    const writer = (this.socket as unknown as { _sender?: Partial<FrameWriter> })._sender;
    if (typeof writer?.sendFrame === 'function') writer.sendFrame([framed]);
    else this.socket.send(frame);
    this.afterWrite();
  }

  /**
   * The first frame of an event-loop turn leaves at once; later ones of the same turn are held
   * back (the TCP socket is corked) and leave together when the turn ends
   * (WebSocketTransport.releaseLater). A busy server that reads many changes in one turn then
   * writes each reader two batches, in two system calls, instead of one call per change, and an
   * idle one sends every frame as soon as it is made.
   */
  private holdWrites(): void {
    if (this.writesThisTurn++ === 0) {
      this.transport.releaseLater(this);
      return;
    }
    this.hold();
  }

  /** Corks the TCP socket until the end of this turn (WebSocketTransport.releaseLater). */
  private hold(): void {
    if (this.holding) return;
    const tcp = this.tcp;
    if (tcp === null) return;
    tcp.cork();
    this.holding = true;
  }

  /** ws's TCP socket (not part of its documented API), or null when it is not there to cork. */
  private get tcp(): { cork(): void; uncork(): void } | null {
    const tcp = (this.socket as unknown as { _socket?: Partial<{ cork(): void; uncork(): void }> })._socket;
    return typeof tcp?.cork === 'function' && typeof tcp.uncork === 'function' ? (tcp as { cork(): void; uncork(): void }) : null;
  }

  /** Lets held writes go to the kernel; whether any were held. */
  private letGo(): boolean {
    if (!this.holding) return false;
    this.holding = false;
    this.tcp?.uncork();
    return true;
  }

  /** At the end of a turn: lets the writes held go (checkReleased checks them after). */
  releaseWrites(): void {
    this.writesThisTurn = 0;
    if (this.letGo()) this.released = true;
  }

  /** After releaseWrites: checks what the client left unread, if writes were held. */
  checkReleased(): void {
    if (!this.released) return;
    this.released = false;
    this.afterWrite();
  }

  /**
   * Written through to the kernel at once unless the client is slow to read, or writes are held.
   * While they are held, only the connection's own limit is checked at each write (cheap, and it
   * bounds what one turn can queue for it); its address's total is checked when they are released.
   */
  private afterWrite(): void {
    const pending = this.socket.bufferedAmount;
    if (pending === 0) return;
    if (!this.holding || pending > this.transport.maxQueuedBytesPerConnection) this.transport.checkOutbox(this);
  }
  sendSync(docName: string, message: Uint8Array): void {
    this.sendFrame(syncFrame(docName, message));
  }
  sendAwareness(docName: string, update: Uint8Array): void {
    this.sendFrame(encodeAwareness(docName, update));
  }
  sendError(error: QuireErrorPayload): void {
    this.sendFrame(encodeError(error));
  }
  sendKicked(docName: string, error: QuireErrorPayload): void {
    this.sendFrame(encodeKicked(docName, error));
  }
  addTag(tag: string, docName?: string): void {
    this.tags.set(tag, docName);
    this.transport.tagged(tag).add(this);
  }
  removeTag(tag: string): void {
    this.tags.delete(tag);
    this.transport.untag(tag, this);
  }
  close(): void {
    this.socket.close(1000);
  }
  /** Closes at once, dropping what the client has not read (a plain close would wait for it). */
  drop(): void {
    // What this turn held back goes to the kernel first, as it would have without holding.
    this.letGo();
    this.socket.terminate();
  }
  /** Bytes written to the connection that the client has not taken yet. */
  get pending(): number {
    return this.socket.bufferedAmount;
  }
  refreshOutbox(): void {
    const now = this.socket.readyState === this.socket.OPEN ? this.socket.bufferedAmount : 0;
    this.account.pending += now - this.counted;
    this.counted = now;
  }
}

export class WebSocketTransport implements Transport, LocalKicker {
  private readonly options: WebSocketTransportOptions;
  private readonly server: WebSocketServer;
  private readonly connections = new Set<WebSocketConnection>();
  private readonly byTag = new Map<string, Set<WebSocketConnection>>();
  private readonly pinger: ReturnType<typeof setInterval>;
  /** Connections whose writes are held until the end of this turn (see holdWrites). */
  private held: WebSocketConnection[] = [];
  /** Closing: upgrades are refused (see close). */
  private closing = false;

  constructor(httpServer: HttpServer, options: WebSocketTransportOptions) {
    this.options = options;
    // Compression costs more CPU per message than Yjs updates save in bytes; Socket.IO's side has it off too.
    this.server = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes, perMessageDeflate: false, clientTracking: false });
    httpServer.on('upgrade', this.onUpgrade);
    this.pinger = setInterval(() => this.pingAll(), options.pingIntervalMs ?? 10_000);
    this.pinger.unref();
  }

  sendSyncToMany(connections: readonly Connection[], docName: string, message: Uint8Array, except?: Connection): void {
    if (recipientCount(connections, except) > 0) this.sendToMany(connections, encodeServerSync(docName, message), except);
  }

  sendAwarenessToMany(connections: readonly Connection[], docName: string, update: Uint8Array, except?: Connection): void {
    if (recipientCount(connections, except) > 0) this.sendToMany(connections, encodeAwareness(docName, update), except);
  }

  get maxQueuedBytesPerConnection(): number {
    return this.options.maxQueuedBytesPerConnection;
  }

  /** Releases `connection`'s held writes, and counts its writes afresh, at the end of this event-loop turn. */
  releaseLater(connection: WebSocketConnection): void {
    if (this.held.push(connection) === 1) setImmediate(this.releaseHeld);
  }

  private readonly releaseHeld = (): void => {
    const held = this.held;
    this.held = [];
    // Everything goes to the kernel before any connection is checked: an address's total counts
    // its connections' unread bytes, and bytes still held are not unread.
    for (const connection of held) connection.releaseWrites();
    for (const connection of held) connection.checkReleased();
  };

  /** One message to many connections (all but `except`): framed once, then the same bytes written to each. */
  private sendToMany(connections: readonly Connection[], frame: Uint8Array, except: Connection | undefined): void {
    const sole = soleRecipient(connections, except);
    if (sole !== null) return (sole as WebSocketConnection).sendFrame(frame);
    const framed = binaryFrame(frame);
    for (const connection of connections) if (connection !== except) (connection as WebSocketConnection).sendFramed(framed, frame);
  }

  kickTagged(tag: string, error: QuireErrorPayload & { readonly docName: string }): void {
    if (this.options.kickEverywhere !== undefined) this.options.kickEverywhere(tag, error);
    else this.kickLocal(tag, error);
  }

  /** Kicks this transport's connections carrying `tag`, each told with the name it joined under. */
  kickLocal(tag: string, error: QuireErrorPayload & { readonly docName: string }): void {
    for (const connection of [...(this.byTag.get(tag) ?? [])]) {
      const docName = connection.tags.get(tag) ?? error.docName;
      connection.sendKicked(docName, { ...error, docName });
      connection.close();
    }
  }

  /** The set of connections carrying `tag`, made when there is none. */
  tagged(tag: string): Set<WebSocketConnection> {
    let set = this.byTag.get(tag);
    if (set === undefined) this.byTag.set(tag, (set = new Set()));
    return set;
  }

  untag(tag: string, connection: WebSocketConnection): void {
    const set = this.byTag.get(tag);
    if (set === undefined) return;
    set.delete(connection);
    if (set.size === 0) this.byTag.delete(tag);
  }

  /** Closes a connection that holds more unread bytes than it, or its address, may. */
  checkOutbox(connection: WebSocketConnection): void {
    closeIfSlowReader(connection, connection.pending, this.options);
  }

  /**
   * Stops accepting connections and closes the ones open. Upgrades that still arrive while the
   * HTTP server closes are answered 503: one nobody answered would hold the HTTP server's close
   * open for good (an upgraded socket is not among the connections it closes itself).
   */
  async close(): Promise<void> {
    clearInterval(this.pinger);
    this.closing = true;
    for (const connection of [...this.connections]) {
      connection.sendError(new QuireError('server-shutdown', 'The server is shutting down; reconnecting.').toPayload());
      connection.socket.close(CLOSE_GOING_AWAY);
      connection.drop();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = request.url ?? '';
    const path = url.split('?', 1)[0];
    const quire = path === QUIRE_WS_PATH;
    // Socket.IO answers its own path and leaves the others to this transport (it would close
    // them itself a second later, at the cost of a timer per upgrade, Quire's own included).
    if (!quire && (this.options.upgradesServedElsewhere ?? []).some((prefix) => url.startsWith(prefix))) return;
    if (this.closing) return refuseUpgrade(socket, '503 Service Unavailable');
    if (!quire) return refuseUpgrade(socket, '404 Not Found');
    const refusal = this.options.allowRequest?.(request) ?? null;
    if (refusal !== null) {
      this.options.observer.clientRefused({ connectionId: 'ws-handshake', code: refusal.code, message: refusal.message });
      refuseUpgrade(socket, '403 Forbidden', refusal.message);
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request));
  };

  private accept(socket: WebSocket, request: IncomingMessage): void {
    const { addresses, collaboration, observer, maxConnectionsPerAddress } = this.options;
    // A client that breaks the framing (an oversized message, bad masking) is closed by ws with an
    // 'error' first; the close that follows cleans up.
    socket.on('error', () => undefined);
    const address = clientAddress(request, this.options.trustProxy);
    if (addresses.count(address) >= maxConnectionsPerAddress) {
      const error = new QuireError('too-many-connections', `At most ${maxConnectionsPerAddress} connections per address are allowed; close some and try again.`);
      observer.clientRefused({ connectionId: 'ws-handshake', code: error.code, message: error.message });
      socket.send(encodeError(error.toPayload()));
      socket.close(CLOSE_POLICY);
      return;
    }
    const entry = addresses.entryFor(address);
    const connection = new WebSocketConnection(this, socket, request, address, entry.outbox);
    entry.connections.add(connection);
    this.connections.add(connection);
    collaboration.open(connection);
    observer.connectionOpened({ connectionId: connection.id, address });

    socket.on('message', (data, isBinary) => this.receive(connection, data as Buffer, isBinary));
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('close', (code) => {
      this.connections.delete(connection);
      for (const tag of connection.tags.keys()) this.untag(tag, connection);
      connection.refreshOutbox();
      addresses.remove(address, connection);
      collaboration.close(connection);
      observer.connectionClosed({ connectionId: connection.id, reason: `websocket closed (${code})` });
    });
  }

  private receive(connection: WebSocketConnection, data: Buffer, isBinary: boolean): void {
    // A connection this side is closing (refused, kicked, throttled) is not heard any more.
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    const frame = isBinary ? decodeClientFrame(data) : null;
    if (frame === null) {
      const error = new QuireError('bad-request', isBinary ? 'That frame is not one of Quire\'s messages; closing the connection.' : 'Quire\'s WebSocket carries binary frames only; closing the connection.');
      this.options.observer.clientRefused({ connectionId: connection.id, code: error.code, message: error.message });
      connection.sendError(error.toPayload());
      connection.socket.close(CLOSE_POLICY);
      return;
    }
    const collaboration = this.options.collaboration;
    switch (frame.kind) {
      case FRAME_JOIN:
        void collaboration.join(connection, frame.name, frame.token, frame.options, (reply: JoinReply) => this.answerJoin(connection, frame.ack, reply));
        return;
      case FRAME_LEAVE:
        collaboration.leave(connection, frame.name);
        return;
      case FRAME_SYNC:
        void collaboration.sync(connection, frame.name, frame.message).then((reply: SaveReply) => this.answer(connection, frame.ack, reply));
        return;
      case FRAME_AWARENESS:
        collaboration.awareness(connection, frame.name, frame.update);
        return;
      case FRAME_VERIFY:
        void collaboration.verify(connection, frame.name, frame.snapshot).then((reply: VerifyReply) => this.answer(connection, frame.ack, reply));
        return;
    }
  }

  /** Sends a reply to the message numbered `ack`; with no number, only a refusal goes out, as an error. */
  private answer(connection: WebSocketConnection, ack: number, reply: JoinReply | SaveReply | VerifyReply): void {
    if (ack !== 0) connection.sendFrame(encodeReply(ack, reply));
    else if (!reply.ok) connection.sendError(reply.error);
  }

  /** A join's reply: the handshake that follows it in this turn leaves in the same write. */
  private answerJoin(connection: WebSocketConnection, ack: number, reply: JoinReply): void {
    if (ack !== 0 && reply.ok) connection.sendFrameWithMore(encodeReply(ack, reply));
    else this.answer(connection, ack, reply);
  }

  private pingAll(): void {
    for (const connection of this.connections) {
      if (!connection.alive) {
        connection.drop();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }
}
