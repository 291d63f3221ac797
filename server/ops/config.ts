/**
 * Configuration from the environment, validated at start. Every problem is collected and reported
 * together, in sentences, before anything is opened.
 */
import { createPublicKey } from 'node:crypto';
import { DEFAULT_LIMITS, type Limits } from '../../shared/limits.js';
import { DEFAULT_RATE_LIMIT, type RateLimitOptions } from '../core/collaboration.js';
import { DEFAULT_API_RATE_LIMIT, type ApiRateLimitOptions } from '../http/api-rate-limit.js';

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
  readonly rateLimit: RateLimitOptions;
  readonly apiRateLimit: ApiRateLimitOptions;
  /** PostgreSQL schema for Quire's tables (scale-out). */
  readonly pgSchema: string | null;
  /** Prefix of Quire's Redis channels (scale-out). */
  readonly redisPrefix: string;
  /** Behind one reverse proxy: take the client's address and protocol from X-Forwarded-*. */
  readonly trustProxy: boolean;
  /** The base of links in API answers. */
  readonly publicUrl: string | null;
  /** Bearer token that /metrics requires; null leaves it open. */
  readonly metricsToken: string | null;
  readonly maxQueuedBytesPerConnection: number | null;
  readonly maxQueuedBytesPerAddress: number;
  readonly conversionWorkers: number;
  /** Signed tokens from an embedding application (QUIRE_TOKEN_SECRET or QUIRE_TOKEN_PUBLIC_KEY). */
  readonly signedTokens: { readonly secret: string | null; readonly publicKey: string | null };
  readonly conversionTimeoutMs: number;
  /** Days a deleted document stays in the trash. */
  readonly trashDays: number;
  /** When versions are taken and kept (milliseconds). */
  readonly versions: {
    readonly quietMs: number;
    readonly maxIntervalMs: number;
    readonly retention: { readonly keepAllMs: number; readonly keepHourlyMs: number };
  };
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

  /** A URL that must be a bare origin (scheme, host, port), returned in its normal form. */
  const originOnly = (name: string, value: string | null): string | null => {
    if (value === null) return null;
    const parsed = new URL(value);
    if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '' || parsed.username !== '') {
      problems.push(`${name} must be an origin like https://docs.example.com (no path); it is "${value}".`);
      return null;
    }
    return parsed.origin;
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
      maxStructsPerUpdate: integer('MAX_STRUCTS_PER_UPDATE', DEFAULT_LIMITS.maxStructsPerUpdate, 100, 10_000_000),
      maxStructsPerDoc: integer('MAX_STRUCTS_PER_DOC', DEFAULT_LIMITS.maxStructsPerDoc, 1000, 100_000_000),
      maxNestingDepth: integer('MAX_NESTING_DEPTH', DEFAULT_LIMITS.maxNestingDepth, 4, 1000),
      maxStructsInMemory: integer('MAX_STRUCTS_IN_MEMORY', DEFAULT_LIMITS.maxStructsInMemory, 1000, 1_000_000_000),
      maxImageBytes: integer('MAX_IMAGE_BYTES', DEFAULT_LIMITS.maxImageBytes, 1024, 32 * 1024 * 1024),
      maxImageBytesPerDoc: integer('MAX_IMAGE_BYTES_PER_DOC', DEFAULT_LIMITS.maxImageBytesPerDoc, 1024, 2 ** 40),
    },
    compactAfterEntries: integer('COMPACT_AFTER_ENTRIES', 500, 2, 1_000_000),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    adminToken: read('ADMIN_TOKEN') ?? null,
    allowedOrigins,
    maxConnectionsPerAddress: integer('MAX_CONNECTIONS_PER_ADDRESS', 64, 1, 1_000_000),
    joinTimeoutMs: integer('JOIN_TIMEOUT_MS', 10_000, 0, 3_600_000),
    rateLimit: {
      messagesPerSecond: integer('RATE_LIMIT_MESSAGES_PER_SECOND', DEFAULT_RATE_LIMIT.messagesPerSecond, 1, 1_000_000),
      messageBurst: integer('RATE_LIMIT_MESSAGE_BURST', DEFAULT_RATE_LIMIT.messageBurst, 1, 10_000_000),
      bytesPerSecond: integer('RATE_LIMIT_BYTES_PER_SECOND', DEFAULT_RATE_LIMIT.bytesPerSecond, 1024, 2 ** 31),
      byteBurst: integer('RATE_LIMIT_BYTE_BURST', DEFAULT_RATE_LIMIT.byteBurst, 1024, 2 ** 31),
      structsPerSecond: integer('RATE_LIMIT_STRUCTS_PER_SECOND', DEFAULT_RATE_LIMIT.structsPerSecond, 100, 100_000_000),
      structBurst: integer('RATE_LIMIT_STRUCT_BURST', DEFAULT_RATE_LIMIT.structBurst, 100, 1_000_000_000),
      presenceBytesPerSecond: integer('RATE_LIMIT_PRESENCE_BYTES_PER_SECOND', DEFAULT_RATE_LIMIT.presenceBytesPerSecond, 1024, 2 ** 31),
      presenceByteBurst: integer('RATE_LIMIT_PRESENCE_BYTE_BURST', DEFAULT_RATE_LIMIT.presenceByteBurst, 1024, 2 ** 31),
    },
    apiRateLimit: {
      requestsPerSecond: integer('API_RATE_LIMIT_PER_SECOND', DEFAULT_API_RATE_LIMIT.requestsPerSecond, 1, 1_000_000),
      burst: integer('API_RATE_LIMIT_BURST', DEFAULT_API_RATE_LIMIT.burst, 1, 10_000_000),
    },
    pgSchema: read('QUIRE_PG_SCHEMA') ?? null,
    redisPrefix: read('QUIRE_REDIS_PREFIX') ?? 'quire:',
    trustProxy: boolean('TRUST_PROXY', false),
    publicUrl: originOnly('PUBLIC_URL', url('PUBLIC_URL', ['http:', 'https:'])),
    metricsToken: read('METRICS_TOKEN') ?? null,
    maxQueuedBytesPerConnection: read('MAX_QUEUED_BYTES_PER_CONNECTION') === undefined ? null : integer('MAX_QUEUED_BYTES_PER_CONNECTION', 0, 64 * 1024, 2 ** 33),
    maxQueuedBytesPerAddress: integer('MAX_QUEUED_BYTES_PER_ADDRESS', 64 * 1024 * 1024, 64 * 1024, 2 ** 34),
    conversionWorkers: integer('CONVERSION_WORKERS', 1, 1, 64),
    // A PEM key may come on one line, with \n for its line breaks.
    signedTokens: { secret: read('QUIRE_TOKEN_SECRET') ?? null, publicKey: read('QUIRE_TOKEN_PUBLIC_KEY')?.replace(/\\n/g, '\n') ?? null },
    conversionTimeoutMs: integer('CONVERSION_TIMEOUT_MS', 10_000, 100, 600_000),
    trashDays: integer('TRASH_DAYS', 30, 1, 3650),
    versions: {
      quietMs: integer('VERSION_QUIET_SECONDS', 120, 1, 86_400) * 1000,
      maxIntervalMs: integer('VERSION_INTERVAL_MINUTES', 30, 1, 10_080) * 60_000,
      retention: {
        keepAllMs: integer('VERSIONS_KEEP_ALL_HOURS', 24, 0, 87_600) * 3_600_000,
        keepHourlyMs: integer('VERSIONS_KEEP_HOURLY_DAYS', 7, 0, 3650) * 86_400_000,
      },
    },
  };
  if (config.versions.retention.keepHourlyMs < config.versions.retention.keepAllMs) {
    problems.push('VERSIONS_KEEP_HOURLY_DAYS must cover at least VERSIONS_KEEP_ALL_HOURS.');
  }
  if (config.metricsToken !== null && config.metricsToken.length < 16) {
    problems.push('METRICS_TOKEN must be at least 16 characters long.');
  }
  if (config.pgSchema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(config.pgSchema)) {
    problems.push('QUIRE_PG_SCHEMA must be a lower-case SQL identifier (letters, digits, _).');
  }
  const { secret, publicKey } = config.signedTokens;
  if (secret !== null && publicKey !== null) problems.push('Set QUIRE_TOKEN_SECRET or QUIRE_TOKEN_PUBLIC_KEY, not both.');
  if (secret !== null && secret.length < 32) problems.push('QUIRE_TOKEN_SECRET must be at least 32 characters long.');
  if (publicKey !== null && !isPublicKey(publicKey)) problems.push('QUIRE_TOKEN_PUBLIC_KEY must be an EC (P-256) or RSA public key in PEM.');
  if (config.adminToken !== null && config.adminToken.length < 16) {
    problems.push('ADMIN_TOKEN must be at least 16 characters long.');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Whether a PEM text is an EC or RSA public key. */
function isPublicKey(pem: string): boolean {
  try {
    const type = createPublicKey(pem).asymmetricKeyType;
    return type === 'ec' || type === 'rsa';
  } catch {
    return false;
  }
}
