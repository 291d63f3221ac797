/**
 * `createQuireServer(options)`: the whole server, composed, for `npm start`, for tests, and for
 * applications that embed Quire. Storage is opened and the transport created in `listen()`.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import * as Y from 'yjs';
import { QuireError } from '../shared/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../shared/limits.js';
import { viewKeyOf } from '../shared/doc-id.js';
import type { DocStore } from '../storage/doc-store.js';
import { ForwardingDocStore } from '../storage/forwarding-doc-store.js';
import { LevelDocStore } from '../storage/level-doc-store.js';
import { Collaboration, type RateLimitOptions, type TokenVerifier } from './collaboration.js';
import { docTag, viewTokenTag } from './connection.js';
import { createDocApi } from './doc-api.js';
import { createHttpApp, defaultPublicDir } from './http-app.js';
import { createLogger, type Logger } from './logger.js';
import { QuireMetrics } from './metrics.js';
import { isOriginAllowed } from './origin-check.js';
import { LocalRoomBus, type RoomBus } from './room-bus.js';
import { RoomRegistry } from './room-registry.js';
import { SocketIoTransport, type SocketIoAdapter } from './socketio-transport.js';
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
  /** Socket.IO cluster adapter (Redis), for cluster-wide disconnects. */
  readonly adapter?: SocketIoAdapter;
  /** Bearer token of the admin API; the admin API is off without one. */
  readonly adminToken?: string | null;
  /** Browser origins allowed to connect besides the server's own; `*` allows any. */
  readonly allowedOrigins?: readonly string[] | null;
  /** Default 64. */
  readonly maxConnectionsPerAddress?: number;
  readonly rateLimit?: RateLimitOptions;
  /** Close connections that join nothing within this time. Default 10 s; 0 = never. */
  readonly joinTimeoutMs?: number;
}

export interface QuireServer {
  /** Opens storage and starts listening. */
  listen(): Promise<{ url: string; port: number }>;
  /** Stops accepting, flushes every room's writes, closes storage. */
  close(): Promise<void>;
  readonly app: Express;
  readonly httpServer: HttpServer;
  readonly metrics: QuireMetrics;
  /** Rooms loaded or loading now. */
  readonly roomsLoaded: number;
  /** Open collaboration connections now. */
  readonly connectionCount: number;
  /** Whether a document is loaded in memory now. */
  isLoaded(docId: string): boolean;
  /** The in-memory document of a loaded room (for tests and diagnostics). */
  loadedDoc(docId: string): Y.Doc | undefined;
  /** The storage backend (available after listen()). */
  readonly store: DocStore;
}

export function createQuireServer(options: QuireServerOptions = {}): QuireServer {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const logger = options.logger ?? createLogger(options.logLevel ?? 'info');
  const compactAfterEntries = options.compactAfterEntries ?? 500;
  const metrics = new QuireMetrics();
  const bus: RoomBus = options.bus ?? new LocalRoomBus();
  let store: DocStore | null = options.store ?? null;
  const storeOrThrow = (): DocStore => {
    if (store === null) throw new Error('The server is not listening yet; call listen() first.');
    return store;
  };
  // The store is opened in listen(); everything below reaches it through this forwarder.
  const lazyStore: DocStore = new ForwardingDocStore(storeOrThrow);

  const writer = new UpdateWriter(lazyStore, {
    onWriteError: (error, attempt) => {
      metrics.storeWriteFailures.inc();
      metrics.errors.inc({ code: 'storage-unavailable' });
      logger.error({ err: error, attempt }, 'storage write failed; retrying');
    },
    onBatchWritten: (_entries, _bytes, seconds) => metrics.storeWriteSeconds.observe(seconds),
  });
  const registry = new RoomRegistry({
    store: lazyStore,
    bus,
    writer,
    limits,
    compactAfterEntries,
    hooks: {
      onRelayed: (recipients, bytes) => {
        metrics.updatesRelayed.inc(recipients);
        metrics.bytesRelayed.inc(recipients * bytes);
      },
    },
    onRoomLoaded: (_room, seconds) => {
      metrics.roomLoadSeconds.observe(seconds);
      metrics.roomsLoaded.inc();
    },
    onRoomUnloaded: () => metrics.roomsLoaded.dec(),
    onCompacted: (docId, result) => {
      metrics.compactions.inc();
      logger.debug({ docId, ...result }, 'compacted');
    },
    onBackgroundError: (what, docId, error) => {
      metrics.errors.inc({ code: 'internal' });
      logger.error({ err: error, what, docId }, `background ${what} failed`);
    },
  });
  const collaboration = new Collaboration({
    registry,
    store: lazyStore,
    limits,
    compactAfterEntries,
    verifyToken: options.verifyToken,
    rateLimit: options.rateLimit,
    joinTimeoutMs: options.joinTimeoutMs,
    onClientError: (connection, error) => {
      metrics.errors.inc({ code: error.code });
      logger.warn({ connection: connection.id, code: error.code }, 'refused a client message');
    },
    onInternalError: (what, error) => {
      metrics.errors.inc({ code: 'internal' });
      logger.error({ err: error, what }, 'internal error');
    },
    onUpdateReceived: (bytes) => {
      metrics.updatesReceived.inc();
      metrics.updateBytesReceived.inc(bytes);
    },
  });

  const httpServer = createServer();
  let transport: SocketIoTransport | null = null;
  const kickTagged = (tag: string, error: QuireError, doc: string) => transport?.kickTagged(tag, { ...error.toPayload(), doc });

  const viewLinks = new ViewLinks(lazyStore, (docId, oldToken) => {
    kickTagged(viewTokenTag(oldToken), new QuireError('link-revoked', 'This view link was regenerated and no longer works.'), viewKeyOf(oldToken));
    logger.info({ docId }, 'view link regenerated');
  });

  const deleteDoc = async (docId: string): Promise<void> => {
    collaboration.deleting.add(docId);
    try {
      const deleted = new QuireError('doc-deleted', 'This document was deleted.');
      // View pages know the document by their view key, not by its id.
      const viewToken = await storeOrThrow().getViewToken(docId);
      if (viewToken !== null) kickTagged(viewTokenTag(viewToken), deleted, viewKeyOf(viewToken));
      kickTagged(docTag(docId), deleted, docId);
      // Changes already accepted must reach storage before it is wiped, or they would come back.
      await writer.settled(docId);
      registry.drop(docId);
      await storeOrThrow().delete(docId);
      logger.info({ docId }, 'document deleted');
    } finally {
      collaboration.deleting.delete(docId);
    }
  };

  const readDoc = async (docId: string): Promise<{ doc: Y.Doc; release: () => void } | null> => {
    const loaded = registry.peek(docId);
    if (loaded !== undefined) return { doc: loaded.doc, release: () => {} };
    const stored = await storeOrThrow().load(docId);
    if (stored === null) return null;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, stored.update);
    return { doc, release: () => doc.destroy() };
  };

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
    metrics: async () => {
      metrics.connections.set(collaboration.connectionCount);
      metrics.busReceivedMessages.set(bus.receivedMessages);
      return { contentType: metrics.contentType, text: await metrics.text() };
    },
    api: createDocApi({
      store: lazyStore,
      adminToken: options.adminToken ?? null,
      maxBodyBytes: limits.maxUpdateBytes * 4,
      readDoc,
      presentCount: (docId) => collaboration.presentCount(docId),
      viewTokenFor: (docId) => viewLinks.tokenFor(docId),
      regenerateViewToken: (docId) => viewLinks.regenerate(docId),
      deleteDoc,
    }),
  });
  httpServer.on('request', app);

  let listening = false;
  let closing: Promise<void> | null = null;

  return {
    app,
    httpServer,
    metrics,
    get roomsLoaded() {
      return registry.size;
    },
    get connectionCount() {
      return collaboration.connectionCount;
    },
    isLoaded(docId) {
      return registry.peek(docId) !== undefined;
    },
    loadedDoc(docId) {
      return registry.peek(docId)?.doc;
    },
    get store() {
      return storeOrThrow();
    },
    async listen() {
      if (listening) throw new Error('The server is already listening.');
      if (store === null) store = await LevelDocStore.open(options.dataDir ?? './data', { sync: options.fsync ?? true });
      transport = new SocketIoTransport(httpServer, {
        collaboration,
        maxMessageBytes: limits.maxUpdateBytes * 2 + 64 * 1024,
        maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 64,
        adapter: options.adapter,
        allowRequest: (request) =>
          isOriginAllowed(request, options.allowedOrigins ?? null)
            ? null
            : new QuireError('forbidden', 'This origin may not connect; add it to ALLOWED_ORIGINS.'),
        onConnectionOpened: (connection) => {
          metrics.connections.inc();
          logger.info({ connection: connection.id, address: connection.remoteAddress }, 'connection opened');
        },
        onConnectionClosed: (connection, reason) => {
          metrics.connections.dec();
          logger.info({ connection: connection.id, reason }, 'connection closed');
        },
      });
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
        // Stop accepting and drop every connection; then write what is pending and close storage.
        if (transport !== null) await transport.close();
        await new Promise<void>((resolve) => {
          if (!httpServer.listening) return resolve();
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
        metrics.close();
        listening = false;
      })();
      return closing;
    },
  };
}
