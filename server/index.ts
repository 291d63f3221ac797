export { createQuireServer, type QuireServer, type QuireServerOptions } from './quire-server.js';
export type { TokenVerifier } from './collaboration.js';
export { loadConfig, ConfigError, type QuireConfig } from './config.js';
export type { Connection, Transport } from './connection.js';
