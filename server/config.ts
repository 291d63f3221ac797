/**
 * Configuration from the environment, validated at start. Every problem is collected and reported
 * together, in sentences, before anything is opened.
 */
import { DEFAULT_LIMITS, type Limits } from '../shared/limits.js';

export interface QuireConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** fsync every storage batch (LevelDB). */
  readonly fsync: boolean;
  readonly logLevel: string;
  readonly limits: Limits;
  readonly compactAfterEntries: number;
  readonly databaseUrl: string | null;
  readonly redisUrl: string | null;
  readonly adminToken: string | null;
  /** Origins allowed to open collaboration connections; null = same host only. */
  readonly allowedOrigins: readonly string[] | null;
  readonly maxConnectionsPerAddress: number;
  readonly joinTimeoutMs: number;
  readonly rateLimit: { messagesPerSecond: number; messageBurst: number; bytesPerSecond: number; byteBurst: number };
  /** PostgreSQL schema for Quire's tables (scale-out). */
  readonly pgSchema: string | null;
  /** Prefix of Quire's Redis channels (scale-out). */
  readonly redisPrefix: string;
}

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Quire cannot start; the configuration has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the configuration; `overrides` (from command-line flags) win over the environment. */
export function loadConfig(env: Env, overrides: Partial<Record<string, string>> = {}): QuireConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = overrides[name] ?? env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}; it is "${raw}".`);
      return fallback;
    }
    return Number(raw);
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${name} must be true or false; it is "${raw}".`);
    return fallback;
  };
  const url = (name: string, protocols: readonly string[]): string | null => {
    const raw = read(name);
    if (raw === undefined) return null;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      problems.push(`${name} is not a valid URL.`);
      return null;
    }
    if (!protocols.includes(parsed.protocol)) {
      problems.push(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}; it starts with ${parsed.protocol}//.`);
      return null;
    }
    return raw;
  };

  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; it is "${logLevel}".`);

  const origins = read('ALLOWED_ORIGINS');
  let allowedOrigins: string[] | null = null;
  if (origins !== undefined) {
    allowedOrigins = origins.split(',').map((o) => o.trim()).filter((o) => o.length > 0);
    for (const origin of allowedOrigins) {
      if (origin === '*') continue;
      try {
        if (new URL(origin).origin !== origin) throw new Error('not an origin');
      } catch {
        problems.push(`ALLOWED_ORIGINS entries must be origins like https://docs.example.com (scheme, host, optional port, no path); "${origin}" is not.`);
      }
    }
  }

  const maxUpdateBytes = integer('MAX_UPDATE_BYTES', DEFAULT_LIMITS.maxUpdateBytes, 1024, 64 * 1024 * 1024);
  const config: QuireConfig = {
    port: integer('PORT', 3000, 0, 65535),
    host: read('HOST') ?? '127.0.0.1',
    dataDir: read('DATA_DIR') ?? './data',
    fsync: boolean('FSYNC', true),
    logLevel,
    limits: {
      ...DEFAULT_LIMITS,
      maxUpdateBytes,
      maxDocBytes: integer('MAX_DOC_BYTES', DEFAULT_LIMITS.maxDocBytes, 1024, 2 ** 31),
      maxAwarenessBytes: integer('MAX_AWARENESS_BYTES', DEFAULT_LIMITS.maxAwarenessBytes, 256, 1024 * 1024),
      maxDocsPerConnection: integer('MAX_DOCS_PER_CONNECTION', DEFAULT_LIMITS.maxDocsPerConnection, 1, 10_000),
    },
    compactAfterEntries: integer('COMPACT_AFTER_ENTRIES', 500, 2, 1_000_000),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    adminToken: read('ADMIN_TOKEN') ?? null,
    allowedOrigins,
    maxConnectionsPerAddress: integer('MAX_CONNECTIONS_PER_ADDRESS', 64, 1, 1_000_000),
    joinTimeoutMs: integer('JOIN_TIMEOUT_MS', 10_000, 0, 3_600_000),
    rateLimit: {
      messagesPerSecond: integer('RATE_LIMIT_MESSAGES_PER_SECOND', 200, 1, 1_000_000),
      messageBurst: integer('RATE_LIMIT_MESSAGE_BURST', 2000, 1, 10_000_000),
      bytesPerSecond: integer('RATE_LIMIT_BYTES_PER_SECOND', 2 * 1024 * 1024, 1024, 2 ** 31),
      byteBurst: integer('RATE_LIMIT_BYTE_BURST', 16 * 1024 * 1024, 1024, 2 ** 31),
    },
    pgSchema: read('QUIRE_PG_SCHEMA') ?? null,
    redisPrefix: read('QUIRE_REDIS_PREFIX') ?? 'quire:',
  };
  if (config.pgSchema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(config.pgSchema)) {
    problems.push('QUIRE_PG_SCHEMA must be a lower-case SQL identifier (letters, digits, _).');
  }
  if (config.adminToken !== null && config.adminToken.length < 16) {
    problems.push('ADMIN_TOKEN must be at least 16 characters long.');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
