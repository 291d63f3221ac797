/**
 * The Socket.IO transport: the only file that imports socket.io. It checks the shape of every
 * event's arguments, hands plain values to Collaboration, and delivers replies. Collaboration
 * traffic lives on its own namespace, so Quire can share a Socket.IO server with an application.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type Socket } from 'socket.io';
import { QuireError, type QuireErrorPayload } from '../shared/errors.js';
import { QUIRE_NAMESPACE, type ClientToServerEvents, type JoinReply, type SaveReply, type ServerToClientEvents } from '../shared/events.js';
import { toBytes } from '../shared/protocol.js';
import * as singleFrameParser from '../shared/socketio-parser.js';
import type { Collaboration } from './collaboration.js';
import type { Connection, Transport } from './connection.js';

type QuireSocket = Socket<ClientToServerEvents, ServerToClientEvents>;
type QuireNamespace = Namespace<ClientToServerEvents, ServerToClientEvents>;

const KNOWN_EVENTS: ReadonlySet<string> = new Set(['join', 'leave', 'sync', 'awareness']);

export interface SocketIoTransportOptions {
  readonly collaboration: Collaboration;
  /** Largest Socket.IO message accepted at all; larger ones close the connection. */
  readonly maxMessageBytes: number;
  /** Decides whether a handshake may connect (origin and address checks). */
  readonly allowRequest?: (request: import('node:http').IncomingMessage) => QuireError | null;
  readonly onConnectionOpened?: (connection: Connection) => void;
  readonly onConnectionClosed?: (connection: Connection, reason: string) => void;
  /** Most connections open at once from one client address. */
  readonly maxConnectionsPerAddress: number;
  /** A cluster adapter (Redis) for cluster-wide socket operations. */
  readonly adapter?: SocketIoAdapter;
}

/** What Socket.IO's `adapter()` takes: a cluster adapter constructor (Redis). */
export type SocketIoAdapter = Parameters<Server['adapter']>[0];

class SocketConnection implements Connection {
  readonly transport: SocketIoTransport;
  private readonly socket: QuireSocket;
  constructor(transport: SocketIoTransport, socket: QuireSocket) {
    this.transport = transport;
    this.socket = socket;
  }
  get id(): string {
    return this.socket.id;
  }
  get remoteAddress(): string {
    return this.socket.handshake.address;
  }
  sendSync(doc: string, message: Uint8Array): void {
    this.socket.emit('sync', doc, message);
  }
  sendAwareness(doc: string, update: Uint8Array): void {
    this.socket.emit('awareness', doc, update);
  }
  sendError(error: QuireErrorPayload): void {
    this.socket.emit('quire-error', error);
  }
  sendKicked(doc: string, error: QuireErrorPayload): void {
    this.socket.emit('kicked', doc, error);
  }
  addTag(tag: string): void {
    void this.socket.join(tag);
  }
  removeTag(tag: string): void {
    void this.socket.leave(tag);
  }
  close(): void {
    this.socket.disconnect(true);
  }
}

export class SocketIoTransport implements Transport {
  readonly io: Server;
  private readonly namespace: QuireNamespace;
  private readonly options: SocketIoTransportOptions;
  private readonly perAddress = new Map<string, number>();

  constructor(httpServer: HttpServer, options: SocketIoTransportOptions) {
    this.options = options;
    this.io = new Server(httpServer, {
      serveClient: false,
      // One WebSocket frame per binary event instead of two (see shared/socketio-parser.ts).
      parser: singleFrameParser,
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
      const address = socket.handshake.address;
      const open = this.perAddress.get(address) ?? 0;
      if (open >= options.maxConnectionsPerAddress) {
        next(new Error(`too-many-connections: at most ${options.maxConnectionsPerAddress} connections per address`));
        return;
      }
      this.perAddress.set(address, open + 1);
      socket.once('disconnect', () => {
        const left = (this.perAddress.get(address) ?? 1) - 1;
        if (left <= 0) this.perAddress.delete(address);
        else this.perAddress.set(address, left);
      });
      next();
    });
    this.namespace.on('connection', (socket) => this.accept(socket));
  }

  sendSyncToMany(connections: readonly Connection[], doc: string, message: Uint8Array): void {
    if (connections.length === 1) connections[0]!.sendSync(doc, message);
    else this.namespace.local.to(connections.map((c) => c.id)).emit('sync', doc, message);
  }

  sendAwarenessToMany(connections: readonly Connection[], doc: string, update: Uint8Array): void {
    if (connections.length === 1) connections[0]!.sendAwareness(doc, update);
    else this.namespace.local.to(connections.map((c) => c.id)).emit('awareness', doc, update);
  }

  kickTagged(tag: string, error: QuireErrorPayload & { readonly doc: string }): void {
    // The sockets know the document by the name they joined with, which only the server holding
    // them knows; they match the kick to their documents by error.doc or, failing that, by tag.
    this.namespace.in(tag).emit('kicked', error.doc, error);
    this.namespace.in(tag).disconnectSockets(true);
  }

  /** Stops accepting connections and closes the ones open. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.io.close(() => resolve());
    });
  }

  private accept(socket: QuireSocket): void {
    const collaboration = this.options.collaboration;
    const connection = new SocketConnection(this, socket);
    collaboration.open(connection);
    this.options.onConnectionOpened?.(connection);

    socket.on('join', (name, token, ack) => {
      const respond = typeof ack === 'function' ? (reply: JoinReply) => ack(reply) : (reply: JoinReply) => {
        if (!reply.ok) connection.sendError(reply.error);
      };
      void collaboration.join(connection, name, token, respond);
    });
    socket.on('leave', (name) => collaboration.leave(connection, name));
    socket.on('sync', (name, message, ack) => {
      void collaboration.sync(connection, name, toBytes(message)).then((reply: SaveReply) => {
        if (typeof ack === 'function') ack(reply);
        else if (!reply.ok) connection.sendError(reply.error);
      });
    });
    socket.on('awareness', (name, update) => collaboration.awareness(connection, name, toBytes(update)));
    socket.onAny((event: unknown) => {
      if (typeof event !== 'string' || !KNOWN_EVENTS.has(event)) {
        collaboration.reportError(connection, new QuireError('unknown-event', `Unknown event ${JSON.stringify(String(event)).slice(0, 80)}.`));
      }
    });
    socket.on('disconnect', (reason) => {
      collaboration.close(connection);
      this.options.onConnectionClosed?.(connection, reason);
    });
  }
}
