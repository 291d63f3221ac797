/**
 * `createQuireServer(options)`: the whole server, composed, for `npm start`, for tests, and for
 * applications that embed Quire. Nothing is opened until `listen()`.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { QuireError, type QuireErrorPayload } from '../shared/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../shared/limits.js';
import { viewKeyOf } from '../shared/doc-id.js';
import type { DocStore } from '../storage/doc-store.js';
import { LevelDocStore } from '../storage/level-doc-store.js';
import { Collaboration, type TokenVerifier } from './collaboration.js';
import { viewTokenTag } from './connection.js';
import { createHttpApp, defaultPublicDir } from './http-app.js';
import { createLogger, type Logger } from './logger.js';
import { RoomRegistry } from './room-registry.js';
import { LocalRoomBus, type RoomBus } from './room-bus.js';
import { SocketIoTransport } from './socketio-transport.js';
import { UpdateWriter } from './update-writer.js';
import { ViewLinks } from './view-links.js';

export interface QuireServerOptions {
  /** Port to listen on; 0 picks a free one. Default 3000. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** LevelDB directory, used when no `store` is given. Default ./data. */
  readonly dataDir?: string;
  /** A storage backend to use instead of LevelDB in `dataDir`. The server closes it on close(). */
  readonly store?: DocStore;
  /** fsync each LevelDB batch. Default true. */
  readonly fsync?: boolean;
  readonly limits?: Partial<Limits>;
  readonly compactAfterEntries?: number;
  readonly verifyToken?: TokenVerifier;
  readonly logger?: Logger;
  /** Used when no logger is given. Default 'info'. */
  readonly logLevel?: string;
  /** Directory of the built browser files. Default: dist/public of this package. */
  readonly publicDir?: string;
  /** The cluster's room bus. Default: none (a single process). The server closes it on close(). */
  readonly bus?: RoomBus;
}

export interface QuireServer {
  /** Opens storage and starts listening. */
  listen(): Promise<{ url: string; port: number }>;
  /** Stops accepting, flushes every room's writes, closes storage. */
  close(): Promise<void>;
  readonly app: Express;
  readonly httpServer: HttpServer;
  /** Rooms loaded or loading now. */
  readonly roomsLoaded: number;
  /** Open collaboration connections now. */
  readonly connectionCount: number;
  /** Whether a document is loaded (or loading) in memory now. */
  isLoaded(docId: string): boolean;
  /** The storage backend (available after listen()). */
  readonly store: DocStore;
}

export function createQuireServer(options: QuireServerOptions = {}): QuireServer {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const logger = options.logger ?? createLogger(options.logLevel ?? 'info');
  const compactAfterEntries = options.compactAfterEntries ?? 500;
  let store: DocStore | null = options.store ?? null;
  const storeOrThrow = (): DocStore => {
    if (store === null) throw new Error('The server is not listening yet; call listen() first.');
    return store;
  };
  // The store is opened in listen(); everything below reaches it through this forwarding object.
  const lazyStore: DocStore = {
    load: (id) => storeOrThrow().load(id),
    append: (entries) => storeOrThrow().append(entries),
    compact: (id) => storeOrThrow().compact(id),
    delete: (id) => storeOrThrow().delete(id),
    list: () => storeOrThrow().list(),
    stat: (id) => storeOrThrow().stat(id),
    getViewToken: (id) => storeOrThrow().getViewToken(id),
    setViewToken: (id, token) => storeOrThrow().setViewToken(id, token),
    resolveViewToken: (token) => storeOrThrow().resolveViewToken(token),
    ping: () => storeOrThrow().ping(),
    close: () => storeOrThrow().close(),
  };

  const writer = new UpdateWriter(lazyStore, {
    onWriteError: (error, attempt) => logger.error({ err: error, attempt }, 'storage write failed; retrying'),
  });
  const bus: RoomBus = options.bus ?? new LocalRoomBus();
  const registry = new RoomRegistry({
    store: lazyStore,
    bus,
    writer,
    limits,
    compactAfterEntries,
    onBackgroundError: (what, docId, error) => logger.error({ err: error, what, docId }, `background ${what} failed`),
  });
  const collaboration = new Collaboration({
    registry,
    store: lazyStore,
    limits,
    compactAfterEntries,
    verifyToken: options.verifyToken,
    onClientError: (connection, error) => logger.debug({ connection: connection.id, code: error.code }, 'refused client message'),
    onInternalError: (what, error) => logger.error({ err: error, what }, 'internal error'),
  });

  const httpServer = createServer();
  const transport = new SocketIoTransport(httpServer, {
    collaboration,
    maxMessageBytes: limits.maxUpdateBytes * 2 + 64 * 1024,
    onConnectionOpened: (connection) => logger.info({ connection: connection.id, address: connection.remoteAddress }, 'connection opened'),
    onConnectionClosed: (connection, reason) => logger.info({ connection: connection.id, reason }, 'connection closed'),
  });

  const viewLinks = new ViewLinks(lazyStore, (docId, oldToken) => {
    const error: QuireErrorPayload & { doc: string } = {
      ...new QuireError('link-revoked', 'This view link was regenerated and no longer works.').toPayload(),
      doc: viewKeyOf(oldToken),
    };
    transport.kickTagged(viewTokenTag(oldToken), error);
    logger.info({ docId }, 'view link regenerated');
  });

  const app = createHttpApp({
    publicDir: options.publicDir ?? defaultPublicDir(),
    checkReady: async () => {
      let storage = false;
      try {
        await storeOrThrow().ping();
        storage = !writer.isFailing;
      } catch {
        storage = false;
      }
      const cluster = bus.healthy;
      return { ready: storage && cluster, checks: { storage, cluster } };
    },
    viewTokenFor: (docId) => viewLinks.tokenFor(docId),
    regenerateViewToken: (docId) => viewLinks.regenerate(docId),
  });
  httpServer.on('request', app);

  let listening = false;
  let closing: Promise<void> | null = null;

  return {
    app,
    httpServer,
    get roomsLoaded() {
      return registry.size;
    },
    get connectionCount() {
      return collaboration.connectionCount;
    },
    isLoaded(docId) {
      return registry.peek(docId) !== undefined;
    },
    get store() {
      return storeOrThrow();
    },
    async listen() {
      if (listening) throw new Error('The server is already listening.');
      if (store === null) store = await LevelDocStore.open(options.dataDir ?? './data', { sync: options.fsync ?? true });
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      listening = true;
      const address = httpServer.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const url = `http://${host}:${address.port}`;
      logger.info({ url }, `Quire listening on ${url}`);
      return { url, port: address.port };
    },
    close() {
      closing ??= (async () => {
        // Stop accepting and drop every connection; rooms then unload with their writes flushed.
        await transport.close();
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        });
        try {
          await writer.close();
        } catch (error) {
          logger.error({ err: error }, 'pending updates could not be written before shutdown');
        }
        await registry.closeAll();
        await bus.close();
        if (store !== null) await store.close();
        listening = false;
      })();
      return closing;
    },
  };
}
