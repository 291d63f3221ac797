#!/usr/bin/env node
/**
 * `npm start` / `npx quire`: reads the configuration (environment, then --port, --host and
 * --data-dir flags), starts the server, and on SIGTERM or SIGINT stops accepting, flushes every
 * room, closes storage and exits 0.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './ops/config.js';
import { createLogger } from './ops/logger.js';
import { openBackends } from './cluster/scale-out.js';
import { createQuireServer } from './quire-server.js';

const USAGE = `Usage: quire [--port N] [--host ADDRESS] [--data-dir DIR]
Environment: PORT, HOST, DATA_DIR, LOG_LEVEL, FSYNC, MAX_UPDATE_BYTES, MAX_DOC_BYTES, … (see README).`;

async function main(): Promise<void> {
  let flags;
  try {
    flags = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const overrides: Record<string, string> = {};
  if (flags.port !== undefined) overrides.PORT = flags.port;
  if (flags.host !== undefined) overrides.HOST = flags.host;
  if (flags['data-dir'] !== undefined) overrides.DATA_DIR = flags['data-dir'];

  let config;
  try {
    config = loadConfig(process.env, overrides);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }

  const logger = createLogger(config.logLevel);
  // Nothing may end the process unexplained: a crash is logged with its stack before exiting (a
  // supervisor restarts it, see the README), and a stray rejection is logged and survived.
  process.on('uncaughtException', (error, origin) => {
    logger.fatal({ err: error, origin }, 'uncaught exception; exiting');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
  });
  let backends;
  try {
    backends = await openBackends(config, logger);
  } catch (error) {
    console.error(`Quire could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  const server = createQuireServer({
    ...backends,
    adminToken: config.adminToken,
    allowedOrigins: config.allowedOrigins,
    maxConnectionsPerAddress: config.maxConnectionsPerAddress,
    maxQueuedBytesPerConnection: config.maxQueuedBytesPerConnection ?? undefined,
    maxQueuedBytesPerAddress: config.maxQueuedBytesPerAddress,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    metricsToken: config.metricsToken,
    conversions: { workers: config.conversionWorkers, timeoutMs: config.conversionTimeoutMs },
    joinTimeoutMs: config.joinTimeoutMs,
    signedTokens: config.signedTokens,
    rateLimit: config.rateLimit,
    apiRateLimit: config.apiRateLimit,
    port: config.port,
    host: config.host,
    limits: config.limits,
    compactAfterEntries: config.compactAfterEntries,
    trashDays: config.trashDays,
    versions: config.versions,
    logger,
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  let url: string;
  try {
    ({ url } = await server.listen());
  } catch (error) {
    console.error(`Quire could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  const where = config.databaseUrl ? 'data in PostgreSQL' : `data in ${config.dataDir}`;
  console.log(`Quire listening on ${url} (${where}${config.redisUrl ? ', cluster over Redis' : ''})`);

}

void main();
