/**
 * A stand-in for `server/main.ts` in cluster tests, until main.ts composes the cluster itself:
 * the same server, with PostgresDocStore (DATABASE_URL, schema QUIRE_PG_SCHEMA), RedisRoomBus and
 * Socket.IO's Redis adapter (REDIS_URL, prefix QUIRE_REDIS_PREFIX). Prints "listening on <url>"
 * like main.ts; SIGTERM shuts down cleanly and exits 0.
 */
import { createAdapter } from '@socket.io/redis-adapter';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { createQuireServer } from '../../quire-server.js';
import { RedisRoomBus } from '../../redis-room-bus.js';
import { PostgresDocStore } from '../../../storage/postgres-doc-store.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (config.databaseUrl === null || config.redisUrl === null) {
    throw new Error('The cluster node needs DATABASE_URL and REDIS_URL.');
  }
  const logger = createLogger(config.logLevel);
  const store = await PostgresDocStore.open(config.databaseUrl, {
    schema: config.pgSchema ?? undefined,
    onIdleError: (error) => logger.warn({ err: error }, 'an idle PostgreSQL connection failed'),
  });
  const bus = await RedisRoomBus.open(config.redisUrl, { channelPrefix: config.redisPrefix, logger });
  const { pubClient, subClient } = await bus.openAdapterClients();
  const server = createQuireServer({
    adapter: createAdapter(pubClient, subClient, { key: `${config.redisPrefix}socket.io` }),
    port: config.port,
    host: config.host,
    limits: config.limits,
    compactAfterEntries: config.compactAfterEntries,
    logger,
    store,
    bus,
  });
  // Signal handlers first: a test may stop the node as soon as it printed its URL.
  let listening: Promise<unknown> | null = null;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void (listening ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => server.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const listen = server.listen();
  listening = listen;
  const { url } = await listen;
  console.log(`Quire listening on ${url} (cluster node ${bus.nodeId})`);
}

main().catch((error: unknown) => {
  console.error(`The cluster node could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
