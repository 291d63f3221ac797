/**
 * Retention thinning: which versions of a document to let go. Everything younger than
 * `keepAllMs` stays; up to `keepHourlyMs` the newest version of each hour stays; older, the
 * newest of each day. Named versions always stay and do not count for their hour or day.
 */
import type { VersionRecord } from '../../../storage/version-store.js';
import { DAY_MS, HOUR_MS, type RetentionPolicy } from './version-policy.js';

/** The ids of `versions` that retention lets go at `now`. */
export function versionsToThin(versions: readonly VersionRecord[], now: number, retention: RetentionPolicy): string[] {
  const newestFirst = [...versions].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  const keptBuckets = new Set<string>();
  const thinned: string[] = [];
  for (const version of newestFirst) {
    if (version.kind === 'named') continue;
    const age = now - version.createdAt;
    if (age < retention.keepAllMs) continue;
    const bucket = age < retention.keepHourlyMs ? `h${Math.floor(version.createdAt / HOUR_MS)}` : `d${Math.floor(version.createdAt / DAY_MS)}`;
    if (keptBuckets.has(bucket)) thinned.push(version.id);
    else keptBuckets.add(bucket);
  }
  return thinned;
}
