/**
 * The Socket.IO transport: the only code that imports socket.io. It checks the shape of every
 * event's arguments, hands plain values to Collaboration, and delivers replies. Collaboration
 * traffic lives on its own namespace, so Quire can share a Socket.IO server with an application.
 *
 * What one address and one connection may hold of the server is bounded here: connections per
 * address, and bytes queued for clients that do not read (per connection and per address); a
 * connection past either outbox cap is closed.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type Socket } from 'socket.io';
import { PacketType } from 'socket.io-parser';
import { QuireError, type QuireErrorPayload } from '../../shared/errors.js';
import { closeIfSlowReader } from './slow-reader.js';
import { QUIRE_NAMESPACE, type ClientToServerEvents, type JoinReply, type SaveReply, type ServerToClientEvents, type VerifyReply } from '../../shared/events.js';
import { toBytes } from '../../shared/protocol.js';
import { createParser } from '../../shared/socketio-parser/parser.js';
import { recipientCount, soleRecipient, type Connection, type Transport } from '../core/connection.js';
import { clientAddress } from './client-address.js';
import { OutboxMeter, type EngineSocket, type OutboxAccount } from './outbox-meter.js';
import type { LocalKicker, TransportOptions } from './transport-options.js';
import { binaryFrame } from './websocket-frame.js';

/** Events between the nodes of a cluster (Socket.IO's serverSideEmit, carried by the adapter). */
interface NodeToNodeEvents {
  /** Kick the connections of this node carrying `tag` (see Transport.kickTagged). */
  'kick-tagged': (tag: string, error: QuireErrorPayload & { readonly docName: string }) => void;
}

/** What the transport keeps on each socket: the name it joined with under each tag that needs one. */
interface SocketData {
  kickNames?: Record<string, string>;
}

/**
 * A packet encoded once for many connections, as Socket.IO's broadcast hands it to each: the
 * encoded parts, and for WebSocket connections the whole frame (see websocket-frame.ts).
 */
interface EncodedPacket {
  readonly parts: readonly unknown[];
  readonly options: { readonly preEncoded: true; readonly wsPreEncodedFrame?: readonly Buffer[] };
}

/** Socket.IO's client under a socket: where an encoded packet is written to Engine.IO. */
interface SocketIoClient {
  writeToEngine(parts: readonly unknown[], options: EncodedPacket['options']): void;
}

type QuireSocket = Socket<ClientToServerEvents, ServerToClientEvents, NodeToNodeEvents, SocketData>;
type QuireNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, NodeToNodeEvents, SocketData>;

/** The events a client may send; the parser closes a connection that sends any other. */
const CLIENT_EVENTS = ['join', 'leave', 'sync', 'awareness', 'verify'] as const;

/** Where Socket.IO is served (its default); its WebSocket upgrades come to `${SOCKET_IO_PATH}/`. */
export const SOCKET_IO_PATH = '/socket.io';

export interface SocketIoTransportOptions extends TransportOptions {
  /** A cluster adapter (Redis) for cluster-wide socket operations. */
  readonly adapter?: SocketIoAdapter;
  /**
   * Other transports of this node: a kick (see kickTagged), made here or sent by another node,
   * reaches their connections too. Socket.IO carries kicks between the nodes of a cluster.
   */
  readonly siblings?: readonly LocalKicker[];
}

/** What Socket.IO's `adapter()` takes: a cluster adapter constructor (Redis). */
export type SocketIoAdapter = Parameters<Server['adapter']>[0];

class SocketConnection implements Connection {
  readonly transport: SocketIoTransport;
  readonly remoteAddress: string;
  readonly outbox: OutboxMeter;
  private readonly socket: QuireSocket;

  constructor(transport: SocketIoTransport, socket: QuireSocket, address: string, addressOutbox: OutboxAccount) {
    this.transport = transport;
    this.socket = socket;
    this.remoteAddress = address;
    // Engine.IO's socket under this Socket.IO socket: what the meter listens to.
    this.outbox = new OutboxMeter(socket.conn as unknown as EngineSocket, addressOutbox);
  }
  get id(): string {
    return this.socket.id;
  }
  get headers(): Readonly<Record<string, string | string[] | undefined>> {
    return this.socket.handshake.headers;
  }
  sendSync(docName: string, message: Uint8Array): void {
    this.socket.emit('sync', docName, message);
    this.transport.checkOutbox(this);
  }
  sendAwareness(docName: string, update: Uint8Array): void {
    this.socket.emit('awareness', docName, update);
    this.transport.checkOutbox(this);
  }
  /** Writes a packet encoded for many (see SocketIoTransport.encodeOnce), in order with everything else sent. */
  sendEncoded(packet: EncodedPacket): void {
    if (!this.socket.connected) return;
    (this.socket.client as unknown as SocketIoClient).writeToEngine(packet.parts, packet.options);
  }
  sendError(error: QuireErrorPayload): void {
    this.socket.emit('quire-error', error);
  }
  sendKicked(docName: string, error: QuireErrorPayload): void {
    this.socket.emit('kicked', docName, error);
  }
  addTag(tag: string, docName?: string): void {
    if (docName !== undefined) (this.socket.data.kickNames ??= {})[tag] = docName;
    void this.socket.join(tag);
  }
  removeTag(tag: string): void {
    if (this.socket.data.kickNames !== undefined) delete this.socket.data.kickNames[tag];
    void this.socket.leave(tag);
  }
  close(): void {
    this.socket.disconnect(true);
  }
  /**
   * Closes the connection at once, dropping whatever it has not read. A plain close waits until
   * the client has taken what is queued, which a client that never reads never does.
   */
  drop(): void {
    const engine = this.socket.conn as unknown as { close(discard?: boolean): void; transport?: { name?: string; socket?: { terminate?: () => void } } };
    this.socket.disconnect(true);
    engine.close(true);
    // A WebSocket would still wait for the client's answer to its close frame: cut it.
    if (engine.transport?.name === 'websocket') engine.transport.socket?.terminate?.();
    this.outbox.detach();
  }
}

export class SocketIoTransport implements Transport, LocalKicker {
  readonly io: Server;
  private readonly namespace: QuireNamespace;
  private readonly options: SocketIoTransportOptions;
  private readonly encoder: { encode(packet: unknown): unknown[] };

  constructor(httpServer: HttpServer, options: SocketIoTransportOptions) {
    this.options = options;
    // One WebSocket frame per binary event instead of two, and packets outside what Quire's
    // events can be closed before Socket.IO sees them (see shared/socketio-parser/).
    const parser = createParser({
      namespace: QUIRE_NAMESPACE,
      allowedEvents: CLIENT_EVENTS,
      maxArguments: 3,
      maxAttachments: 3,
      maxAttachmentBytes: options.maxMessageBytes,
    });
    this.encoder = new parser.Encoder();
    this.io = new Server(httpServer, {
      path: SOCKET_IO_PATH,
      // Upgrades to other paths are the WebSocket transport's to answer (upgradesServedElsewhere).
      destroyUpgrade: false,
      serveClient: false,
      parser,
      maxHttpBufferSize: options.maxMessageBytes,
      pingInterval: 10_000,
      pingTimeout: 10_000,
      connectTimeout: 10_000,
      allowRequest: (request, callback) => {
        const refusal = options.allowRequest?.(request) ?? null;
        if (refusal === null) callback(null, true);
        else callback(refusal.message, false);
      },
    });
    if (options.adapter) this.io.adapter(options.adapter);
    this.namespace = this.io.of(QUIRE_NAMESPACE);
    this.namespace.use((socket, next) => {
      const address = clientAddress(socket.request, options.trustProxy);
      if (options.addresses.count(address) >= options.maxConnectionsPerAddress) {
        next(connectError(new QuireError('too-many-connections', `At most ${options.maxConnectionsPerAddress} connections per address are allowed; close some and try again.`)));
        return;
      }
      next();
    });
    this.namespace.on('connection', (socket) => this.accept(socket));
    this.namespace.on('kick-tagged', (tag, error) => this.kickEverywhereOnNode(tag, error));
  }

  sendSyncToMany(connections: readonly Connection[], docName: string, message: Uint8Array, except?: Connection): void {
    const sole = soleRecipient(connections, except);
    if (sole !== null) return sole.sendSync(docName, message);
    if (recipientCount(connections, except) > 1) this.sendToMany(connections, this.encodeOnce('sync', docName, message), except);
  }

  sendAwarenessToMany(connections: readonly Connection[], docName: string, update: Uint8Array, except?: Connection): void {
    const sole = soleRecipient(connections, except);
    if (sole !== null) return sole.sendAwareness(docName, update);
    if (recipientCount(connections, except) > 1) this.sendToMany(connections, this.encodeOnce('awareness', docName, update), except);
  }

  /**
   * Encodes an event once for many connections, framed once for their WebSockets too: what
   * Socket.IO's broadcast does for text packets, done here for Quire's binary ones.
   */
  private encodeOnce(event: 'sync' | 'awareness', docName: string, payload: Uint8Array): EncodedPacket {
    const parts = this.encoder.encode({ type: PacketType.EVENT, nsp: QUIRE_NAMESPACE, data: [event, docName, payload] });
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only instanceof Uint8Array) return { parts, options: { preEncoded: true, wsPreEncodedFrame: [binaryFrame(only)] } };
    return { parts, options: { preEncoded: true } };
  }

  private sendToMany(connections: readonly Connection[], packet: EncodedPacket, except: Connection | undefined): void {
    for (const connection of connections) {
      if (connection === except) continue;
      (connection as SocketConnection).sendEncoded(packet);
      this.checkOutbox(connection as SocketConnection);
    }
  }

  kickTagged(tag: string, error: QuireErrorPayload & { readonly docName: string }): void {
    this.kickEverywhereOnNode(tag, error);
    // The other nodes kick theirs; without a cluster adapter there are none.
    if (this.options.adapter !== undefined) this.namespace.serverSideEmit('kick-tagged', tag, error);
  }

  private kickEverywhereOnNode(tag: string, error: QuireErrorPayload & { readonly docName: string }): void {
    this.kickLocal(tag, error);
    for (const sibling of this.options.siblings ?? []) sibling.kickLocal(tag, error);
  }

  /**
   * Kicks this transport's connections carrying `tag`. The sockets know the document by the name they
   * joined with, which only the node holding them knows (a link token is stored only hashed):
   * each is told with its own name when it left one with the tag, else with `error.docName`.
   */
  kickLocal(tag: string, error: QuireErrorPayload & { readonly docName: string }): void {
    for (const id of [...(this.namespace.adapter.rooms.get(tag) ?? [])]) {
      const socket = this.namespace.sockets.get(id);
      if (socket === undefined) continue;
      const docName = socket.data.kickNames?.[tag] ?? error.docName;
      socket.emit('kicked', docName, { ...error, docName });
      socket.disconnect(true);
    }
  }

  /** Closes a connection that holds more unread bytes than it, or its address, may. */
  checkOutbox(connection: SocketConnection): void {
    const pending = connection.outbox.pending;
    const { maxQueuedBytesPerConnection, maxQueuedBytesPerAddress } = this.options;
    // The address's account as events last left it: counting it afresh is for when it may be over.
    if (pending <= maxQueuedBytesPerConnection && connection.outbox.account.pending <= maxQueuedBytesPerAddress) return;
    closeIfSlowReader(connection, pending, this.options);
  }

  /** Stops accepting connections and closes the ones open. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.io.close(() => resolve());
    });
  }

  private accept(socket: QuireSocket): void {
    const collaboration = this.options.collaboration;
    const address = clientAddress(socket.request, this.options.trustProxy);
    const entry = this.options.addresses.entryFor(address);
    const connection = new SocketConnection(this, socket, address, entry.outbox);
    entry.connections.add(connection);
    collaboration.open(connection);
    this.options.observer.connectionOpened({ connectionId: connection.id, address });

    // join(name, token, [options], ack): clients before join options send no options.
    socket.on('join', (name: unknown, token: unknown, ...rest: unknown[]) => {
      const ack = rest.find((arg): arg is (reply: JoinReply) => void => typeof arg === 'function');
      const options = typeof rest[0] === 'function' ? undefined : rest[0];
      const respond = ack !== undefined ? (reply: JoinReply) => ack(reply) : (reply: JoinReply) => {
        if (!reply.ok) connection.sendError(reply.error);
      };
      void collaboration.join(connection, name, token, options, respond);
    });
    socket.on('leave', (name) => collaboration.leave(connection, name));
    socket.on('sync', (name, message, ack) => {
      void collaboration.sync(connection, name, toBytes(message)).then((reply: SaveReply) => {
        if (typeof ack === 'function') ack(reply);
        else if (!reply.ok) connection.sendError(reply.error);
      });
    });
    socket.on('awareness', (name, update) => collaboration.awareness(connection, name, toBytes(update)));
    socket.on('verify', (name, snapshot, ack) => {
      void collaboration.verify(connection, name, toBytes(snapshot)).then((reply: VerifyReply) => {
        if (typeof ack === 'function') ack(reply);
        else if (!reply.ok) connection.sendError(reply.error);
      });
    });
    socket.on('disconnect', (reason) => {
      connection.outbox.detach();
      this.options.addresses.remove(address, connection);
      collaboration.close(connection);
      this.options.observer.connectionClosed({ connectionId: connection.id, reason });
    });
  }
}

/**
 * A refusal of the namespace handshake: Socket.IO sends `message` and `data` to the client as its
 * `connect_error`, so the client gets the typed payload.
 */
function connectError(error: QuireError): Error & { data: QuireErrorPayload } {
  return Object.assign(new Error(error.message), { data: error.toPayload() });
}
