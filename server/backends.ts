/**
 * Opens the scale-out backends the configuration names: PostgreSQL storage for DATABASE_URL, the
 * Redis room bus and Socket.IO adapter for REDIS_URL. With neither, returns nothing and the server
 * uses LevelDB in DATA_DIR as a single process.
 */
import type { QuireConfig } from './config.js';
import type { Logger } from './logger.js';
import type { QuireServerOptions } from './quire-server.js';
import { createAdapter } from '@socket.io/redis-adapter';
import { PostgresDocStore } from '../storage/postgres-doc-store.js';
import { RedisRoomBus } from './redis-room-bus.js';

export type Backends = Pick<QuireServerOptions, 'store' | 'bus' | 'adapter'>;

export async function openBackends(config: QuireConfig, logger: Logger): Promise<Backends> {
  const backends: { -readonly [K in keyof Backends]: Backends[K] } = {};
  if (config.databaseUrl !== null) {
    backends.store = await PostgresDocStore.open(config.databaseUrl, {
      schema: config.pgSchema ?? undefined,
      onIdleError: (error) => logger.warn({ err: error }, 'a PostgreSQL connection failed; it will be replaced'),
    });
  }
  if (config.redisUrl !== null) {
    const bus = await RedisRoomBus.open(config.redisUrl, { channelPrefix: config.redisPrefix, logger });
    backends.bus = bus;
    // The adapter's two connections belong to the bus, which the server closes on shutdown.
    const { pubClient, subClient } = await bus.openAdapterClients();
    backends.adapter = createAdapter(pubClient, subClient, { key: `${config.redisPrefix}socket.io` });
  }
  return backends;
}
