export { createQuireServer, openQuireServer, type OpenQuireServerOptions, type QuireServer, type QuireServerOptions } from './quire-server.js';
export type { AuthorizeHook, AuthorizeRequest, QuireHooks, QuireObserver } from './core/hooks.js';
export { loadConfig, ConfigError, type QuireConfig } from './ops/config.js';
export type { Connection, Transport } from './core/connection.js';
