/**
 * The whole server, composed: `createQuireServer(options)` on a storage backend that is already
 * open, or `openQuireServer(options)`, which opens LevelDB in `dataDir` when no store is given.
 * Used by `npm start`, by the tests, and by applications that embed Quire.
 */
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import * as Y from 'yjs';
import { QuireError } from '../shared/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../shared/limits.js';
import { viewKeyOf } from '../shared/doc-id.js';
import type { DocStore } from '../storage/doc-store.js';
import { LevelDocStore } from '../storage/level-doc-store.js';
import { Access } from './core/access.js';
import { Collaboration, type RateLimitOptions } from './core/collaboration.js';
import { docTag, linkTag, viewTokenTag } from './core/connection.js';
import { combineObservers, type QuireHooks, type QuireObserver } from './core/hooks.js';
import { LocalRoomBus, type RoomBus } from './core/room-bus.js';
import { RoomRegistry } from './core/room-registry.js';
import { UpdateWriter } from './core/update-writer.js';
import { ViewLinks } from './core/view-links.js';
import { LinkUsage } from './core/link-usage.js';
import { SignedTokens, type SignedTokenKeys } from './core/signed-tokens.js';
import { TrashSweeper } from './core/trash-sweeper.js';
import { VersionKeeper } from './core/versions/version-keeper.js';
import { versionPolicy, type Clock, type RetentionPolicy, type VersionPolicy } from './core/versions/version-policy.js';
import { mergeInPool } from './http/convert/compaction-merge.js';
import { ConversionPool } from './http/convert/conversion-pool.js';
import { createDocApi, type DocContent } from './http/doc-api.js';
import { createHttpApp, defaultPublicDir } from './http/http-app.js';
import { apiRateLimit, DEFAULT_API_RATE_LIMIT, type ApiRateLimitOptions } from './http/api-rate-limit.js';
import { logObserver } from './ops/log-observer.js';
import { createLogger, type Logger } from './ops/logger.js';
import { QuireMetrics } from './ops/metrics.js';
import { metricsObserver } from './ops/metrics-observer.js';
import { isOriginAllowed } from './http/origin-check.js';
import { AddressBook } from './transport/address-book.js';
import { SOCKET_IO_PATH, SocketIoTransport, type SocketIoAdapter } from './transport/socketio-transport.js';
import { WebSocketTransport } from './transport/websocket-transport.js';

export interface QuireServerOptions {
  /** The storage backend, open. The server closes it on close(). */
  readonly store: DocStore;
  /** Port to listen on; 0 picks a free one. Default 3000. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly limits?: Partial<Limits>;
  readonly compactAfterEntries?: number;
  /** `authorize` and observers; see server/core/hooks.ts. */
  readonly hooks?: QuireHooks;
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
  /** Bytes a connection may leave unread before it is closed. Default: the document size limit plus 1 MiB. */
  readonly maxQueuedBytesPerConnection?: number;
  /** Bytes all connections of one address may leave unread together. Default 64 MiB. */
  readonly maxQueuedBytesPerAddress?: number;
  /** Behind one reverse proxy: read the client's address and protocol from X-Forwarded-For/-Proto. */
  readonly trustProxy?: boolean;
  /** The base of links in API answers, e.g. `https://docs.example.com`. Default: the request's own. */
  readonly publicUrl?: string | null;
  /** Bearer token /metrics requires. Default: none (open). */
  readonly metricsToken?: string | null;
  /** Imports and exports: worker threads, and how long one conversion may take. */
  readonly conversions?: { readonly workers?: number; readonly timeoutMs?: number };
  readonly rateLimit?: Partial<RateLimitOptions>;
  /** Requests to the JSON API per client address (api-rate-limit.ts). */
  readonly apiRateLimit?: Partial<ApiRateLimitOptions>;
  /** Close connections that join nothing within this time. Default 10 s; 0 = never. */
  readonly joinTimeoutMs?: number;
  /**
   * How often Quire's WebSocket pings each connection; one that did not answer the previous ping
   * is closed. Default 10 s (Socket.IO's heartbeat is the same).
   */
  readonly webSocketPingMs?: number;
  /** Signed tokens from an embedding application: an HS256 secret, or an ES256/RS256 public key (PEM). */
  readonly signedTokens?: SignedTokenKeys;
  /** When versions are taken and how long they are kept; see server/core/versions/version-policy.ts. */
  readonly versions?: Partial<Omit<VersionPolicy, 'retention'>> & { readonly retention?: Partial<RetentionPolicy> };
  /** Days a deleted document stays in the trash before it is purged. Default 30. */
  readonly trashDays?: number;
  /** @internal The time versions and the trash go by (tests move it by hand). */
  readonly clock?: Clock;
}

export interface OpenQuireServerOptions extends Omit<QuireServerOptions, 'store'> {
  /** A storage backend, open; without one, LevelDB in `dataDir` is opened. */
  readonly store?: DocStore;
  /** LevelDB directory, used when no `store` is given. Default ./data. */
  readonly dataDir?: string;
  /** fsync each LevelDB batch. Default true. */
  readonly fsync?: boolean;
}

export interface QuireServer {
  /** Starts listening; resolves with the address. */
  listen(): Promise<{ url: string; port: number }>;
  /** Stops accepting, flushes every room's writes, closes the bus and storage. */
  close(): Promise<void>;
  readonly app: Express;
  readonly httpServer: HttpServer;
  readonly metrics: QuireMetrics;
  readonly store: DocStore;
  /** @internal Rooms loaded or loading now. */
  readonly roomsLoaded: number;
  /** @internal Open collaboration connections now. */
  readonly connectionCount: number;
  /** @internal Whether a document is loaded in memory now. */
  isLoaded(docName: string): boolean;
  /** @internal The in-memory document of a loaded room. */
  loadedDoc(docName: string): Y.Doc | undefined;
  /** @internal Purges what has been in the trash for `trashDays`, now (the hourly sweep does it too). */
  sweepTrash(): Promise<string[]>;
}

/** Opens LevelDB in `dataDir` unless a store is given, then builds the server. */
export async function openQuireServer(options: OpenQuireServerOptions = {}): Promise<QuireServer> {
  const store = options.store ?? (await LevelDocStore.open(options.dataDir ?? './data', { sync: options.fsync ?? true }));
  return createQuireServer({ ...options, store });
}

export function createQuireServer(options: QuireServerOptions): QuireServer {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const logger = options.logger ?? createLogger(options.logLevel ?? 'info');
  const compactAfterEntries = options.compactAfterEntries ?? 500;
  const metrics = new QuireMetrics();
  const bus: RoomBus = options.bus ?? new LocalRoomBus();
  const store = options.store;
  const observers: QuireObserver[] = [metricsObserver(metrics), logObserver(logger)];
  if (options.hooks !== undefined) observers.push(options.hooks);
  const observer = combineObservers(observers, (method, error) => logger.error({ err: error, method }, 'an observer failed'));

  const writer = new UpdateWriter(store, { observer });
  const conversions = new ConversionPool({ workers: options.conversions?.workers, timeoutMs: options.conversions?.timeoutMs });
  // A compaction decodes the whole stored document: a large or costly one is merged in a
  // conversion worker when one is free, so that it does not stop the event loop (and every room on
  // it) every few hundred changes; a small, cheap one on the event loop (see compaction-merge.ts).
  const mergeForCompaction = mergeInPool(conversions, (error) => logger.warn({ err: error }, 'a compaction merged on the event loop: the conversion worker could not'));
  const registry = new RoomRegistry({ store, bus, writer, limits, compactAfterEntries, mergeForCompaction, observer });
  const clock = options.clock ?? { now: () => Date.now() };
  const now = () => clock.now();
  const linkUsage = new LinkUsage(store, { now, onError: (error) => observer.internalError({ what: 'recording link use', error }) });
  const access = new Access(store, { authorize: options.hooks?.authorize, signedTokens: SignedTokens.from(options.signedTokens ?? {}, now), now, usage: linkUsage });
  const versions = new VersionKeeper({ store, registry, writer, policy: versionPolicy(options.versions), clock, observer });
  const trash = new TrashSweeper({ store, trashDays: options.trashDays ?? 30, clock, observer });
  const collaboration = new Collaboration({
    registry,
    access,
    limits,
    compactAfterEntries,
    observer,
    rateLimit: options.rateLimit,
    joinTimeoutMs: options.joinTimeoutMs,
    now,
  });

  const httpServer = createServer({
    // Slow clients (slowloris) may not hold connections open by trickling a request.
    headersTimeout: 10_000,
    requestTimeout: 60_000,
    keepAliveTimeout: 5_000,
  });
  let transport: SocketIoTransport | null = null;
  let webSocketTransport: WebSocketTransport | null = null;
  const kickTagged = (tag: string, error: QuireError, docName: string) => transport?.kickTagged(tag, { ...error.toPayload(), docName });

  const viewLinks = new ViewLinks(store, (docName, oldToken) => {
    kickTagged(viewTokenTag(oldToken), new QuireError('link-revoked', 'This view link was regenerated and no longer works.'), viewKeyOf(oldToken));
    observer.viewLinkReplaced({ docName });
  });

  const deleteDoc = async (docName: string): Promise<void> => {
    collaboration.deleting.add(docName);
    try {
      const deleted = new QuireError('doc-deleted', 'This document was deleted.');
      // View pages know the document by their view key, not by its id.
      const viewToken = await store.getViewToken(docName);
      if (viewToken !== null) kickTagged(viewTokenTag(viewToken), deleted, viewKeyOf(viewToken));
      kickTagged(docTag(docName), deleted, docName);
      // Changes already accepted go into the trash with the document.
      await writer.settled(docName);
      registry.drop(docName);
      await store.trash(docName, clock.now());
      observer.documentDeleted({ docName });
    } finally {
      collaboration.deleting.delete(docName);
    }
  };

  const readDoc = async (docName: string): Promise<DocContent | null> => {
    const loaded = registry.peek(docName);
    if (loaded !== undefined) return { kind: 'live', doc: loaded.doc, encodedState: () => loaded.encodedState() };
    const stored = await store.load(docName);
    return stored === null ? null : { kind: 'stored', updates: stored.parts };
  };

  const app = createHttpApp({
    publicDir: options.publicDir ?? defaultPublicDir(),
    metricsToken: options.metricsToken ?? null,
    trustProxy: options.trustProxy ?? false,
    allowedOrigins: options.allowedOrigins ?? null,
    apiLimit: apiRateLimit({ ...DEFAULT_API_RATE_LIMIT, ...options.apiRateLimit }),
    checkReady: async () => {
      let storage = false;
      try {
        await store.ping();
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
      store,
      access,
      adminToken: options.adminToken ?? null,
      limits,
      maxBodyBytes: limits.maxUpdateBytes * 4,
      conversions,
      publicUrl: options.publicUrl ?? null,
      allowedOrigins: options.allowedOrigins ?? null,
      readDoc,
      presentCount: (docName) => collaboration.presentCount(docName),
      viewTokenFor: (docName) => viewLinks.tokenFor(docName),
      regenerateViewToken: (docName) => viewLinks.regenerate(docName),
      linkRevoked: (docName, linkId) =>
        kickTagged(linkTag(docName, linkId), new QuireError('link-revoked', 'This link was revoked; ask whoever shared it for a current one.'), docName),
      now,
      deleteDoc,
      versions,
      trash: {
        list: async () => (await store.listTrash()).map((entry) => ({ ...entry, purgeAt: trash.purgeTime(entry.deletedAt) })),
        restore: (docName) => store.untrash(docName),
        purge: async (docName) => {
          await store.purge(docName, clock.now());
          observer.documentPurged({ docName });
        },
      },
    }),
  });
  httpServer.on('request', app);

  let listening = false;
  let closing: Promise<void> | null = null;

  return {
    app,
    httpServer,
    metrics,
    store,
    get roomsLoaded() {
      return registry.size;
    },
    get connectionCount() {
      return collaboration.connectionCount;
    },
    isLoaded(docName) {
      return registry.peek(docName) !== undefined;
    },
    loadedDoc(docName) {
      return registry.peek(docName)?.doc;
    },
    sweepTrash() {
      return trash.sweep();
    },
    async listen() {
      if (listening || closing !== null) throw new Error('The server is already listening, or closed; create a new one.');
      // Both transports share the per-address limits; kicks made anywhere reach both.
      const transportLimits = {
        collaboration,
        maxMessageBytes: limits.maxUpdateBytes * 2 + 64 * 1024,
        maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 64,
        maxQueuedBytesPerConnection: options.maxQueuedBytesPerConnection ?? limits.maxDocBytes + 1024 * 1024,
        maxQueuedBytesPerAddress: options.maxQueuedBytesPerAddress ?? 64 * 1024 * 1024,
        trustProxy: options.trustProxy ?? false,
        addresses: new AddressBook(),
        observer,
        allowRequest: (request: IncomingMessage) =>
          isOriginAllowed(request, options.allowedOrigins ?? null)
            ? null
            : new QuireError('forbidden', 'This origin may not connect; add it to ALLOWED_ORIGINS.'),
      };
      webSocketTransport = new WebSocketTransport(httpServer, {
        ...transportLimits,
        kickEverywhere: (tag, error) => transport?.kickTagged(tag, error),
        pingIntervalMs: options.webSocketPingMs,
        upgradesServedElsewhere: [`${SOCKET_IO_PATH}/`],
      });
      transport = new SocketIoTransport(httpServer, { ...transportLimits, adapter: options.adapter, siblings: [webSocketTransport] });
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      listening = true;
      trash.start();
      const address = httpServer.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const url = `http://${host}:${address.port}`;
      logger.info({ url }, `Quire listening on ${url}`);
      return { url, port: address.port };
    },
    close() {
      closing ??= (async () => {
        // Stop accepting and drop every connection; then write what is pending and close storage.
        if (webSocketTransport !== null) await webSocketTransport.close();
        if (transport !== null) await transport.close();
        collaboration.stop();
        await linkUsage.close();
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
        await trash.stop();
        await registry.closeAll();
        // Rooms closing take versions of what changed since the last one.
        await versions.close();
        await conversions.close();
        await bus.close();
        await store.close();
        metrics.close();
        listening = false;
      })();
      return closing;
    },
  };
}
