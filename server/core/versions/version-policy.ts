/**
 * When the server takes versions of a document and how long it keeps them. Every duration is in
 * milliseconds; the clock is injectable so that retention can be tested without waiting days.
 */

/** The time, in whole milliseconds since the epoch. Tests give a clock they move by hand. */
export interface Clock {
  now(): number;
}

export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

export interface RetentionPolicy {
  /** Versions younger than this are all kept. Default one day. */
  readonly keepAllMs: number;
  /** Versions younger than this (and older than `keepAllMs`) are kept one per hour. Default a week. */
  readonly keepHourlyMs: number;
  // Older ones are kept one per day; named versions are always kept.
}

export interface VersionPolicy {
  /** An automatic version is taken once nobody changed the document for this long. Default 2 minutes. */
  readonly quietMs: number;
  /** While people keep editing, an automatic version is taken at least this often. Default 30 minutes. */
  readonly maxIntervalMs: number;
  readonly retention: RetentionPolicy;
}

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

export const DEFAULT_VERSION_POLICY: VersionPolicy = {
  quietMs: 2 * 60 * 1000,
  maxIntervalMs: 30 * 60 * 1000,
  retention: { keepAllMs: DAY, keepHourlyMs: 7 * DAY },
};

/** The default policy with `overrides` applied (retention merged field by field). */
export function versionPolicy(overrides: Partial<Omit<VersionPolicy, 'retention'>> & { readonly retention?: Partial<RetentionPolicy> } = {}): VersionPolicy {
  const policy: VersionPolicy = {
    quietMs: overrides.quietMs ?? DEFAULT_VERSION_POLICY.quietMs,
    maxIntervalMs: overrides.maxIntervalMs ?? DEFAULT_VERSION_POLICY.maxIntervalMs,
    retention: { ...DEFAULT_VERSION_POLICY.retention, ...overrides.retention },
  };
  if (!(policy.quietMs > 0 && policy.maxIntervalMs > 0)) throw new RangeError('The quiet period and the longest interval between versions must be positive.');
  if (!(policy.retention.keepAllMs >= 0 && policy.retention.keepHourlyMs >= policy.retention.keepAllMs)) {
    throw new RangeError('Retention must keep every version for a non-negative time, and hourly ones at least as long.');
  }
  return policy;
}

export const HOUR_MS = HOUR;
export const DAY_MS = DAY;
