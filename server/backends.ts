/**
 * Opens the scale-out backends the configuration names: PostgreSQL storage for DATABASE_URL, the
 * Redis room bus and Socket.IO adapter for REDIS_URL. With neither, returns nothing and the server
 * uses LevelDB in DATA_DIR as a single process.
 */
import type { QuireConfig } from './config.js';
import type { Logger } from './logger.js';
import type { QuireServerOptions } from './quire-server.js';
import { PostgresDocStore } from '../storage/postgres-doc-store.js';

export type Backends = Pick<QuireServerOptions, 'store' | 'bus' | 'adapter'>;

export async function openBackends(config: QuireConfig, logger: Logger): Promise<Backends> {
  const backends: { -readonly [K in keyof Backends]: Backends[K] } = {};
  if (config.databaseUrl !== null) {
    backends.store = await PostgresDocStore.open(config.databaseUrl, {
      schema: config.pgSchema ?? undefined,
      onIdleError: (error) => logger.warn({ err: error }, 'a PostgreSQL connection failed; it will be replaced'),
    });
  }
  return backends;
}
