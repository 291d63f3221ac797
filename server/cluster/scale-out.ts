/**
 * Opens the backends the configuration names: PostgreSQL storage for DATABASE_URL (else LevelDB
 * in DATA_DIR, a single process), and for REDIS_URL the Redis room bus and Socket.IO adapter.
 * Whatever was opened is closed again when a later one fails.
 */
import { createAdapter } from '@socket.io/redis-adapter';
import type { DocStore } from '../../storage/doc-store.js';
import { LevelDocStore } from '../../storage/level-doc-store.js';
import { PostgresDocStore } from '../../storage/postgres-doc-store.js';
import type { RoomBus } from '../core/room-bus.js';
import type { QuireConfig } from '../ops/config.js';
import type { Logger } from '../ops/logger.js';
import type { SocketIoAdapter } from '../transport/socketio-transport.js';
import { RedisRoomBus } from './redis-room-bus.js';

export interface Backends {
  readonly store: DocStore;
  readonly bus?: RoomBus;
  readonly adapter?: SocketIoAdapter;
}

export async function openBackends(config: QuireConfig, logger: Logger): Promise<Backends> {
  const store: DocStore =
    config.databaseUrl !== null
      ? await PostgresDocStore.open(config.databaseUrl, {
          schema: config.pgSchema ?? undefined,
          onIdleError: (error) => logger.warn({ err: error }, 'a PostgreSQL connection failed; it will be replaced'),
        })
      : await LevelDocStore.open(config.dataDir, { sync: config.fsync });
  if (config.redisUrl === null) return { store };
  try {
    const bus = await RedisRoomBus.open(config.redisUrl, { channelPrefix: config.redisPrefix, logger });
    // The adapter's two connections belong to the bus, which the server closes on shutdown.
    const { pubClient, subClient } = await bus.openAdapterClients().catch(async (error: unknown) => {
      await bus.close();
      throw error;
    });
    return { store, bus, adapter: createAdapter(pubClient, subClient, { key: `${config.redisPrefix}socket.io` }) };
  } catch (error) {
    await store.close();
    throw error;
  }
}
