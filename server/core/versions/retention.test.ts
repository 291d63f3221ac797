import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VersionKind, VersionRecord } from '../../../storage/version-store.js';
import { versionsToThin } from './retention.js';
import { DAY_MS, HOUR_MS, DEFAULT_VERSION_POLICY } from './version-policy.js';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);

function version(id: string, ageMs: number, kind: VersionKind = 'auto'): VersionRecord {
  return { id, docName: 'doc', createdAt: NOW - ageMs, kind, label: kind === 'named' ? id : null, authors: [], sizeBytes: 1 };
}

describe('versionsToThin', () => {
  const retention = DEFAULT_VERSION_POLICY.retention;

  it('keeps everything younger than a day', () => {
    const versions = Array.from({ length: 50 }, (_, i) => version(`v${i}`, i * 60_000));
    assert.deepEqual(versionsToThin(versions, NOW, retention), []);
  });

  it('keeps the newest of each hour within the week and of each day after, and every named version', () => {
    // Two days ago, 12:00 UTC: three versions in one hour, one in the next.
    const twoDays = 2 * DAY_MS;
    const versions = [
      version('h-newest', twoDays - 50 * 60_000),
      version('h-middle', twoDays - 30 * 60_000),
      version('h-oldest', twoDays - 10 * 60_000),
      version('next-hour', twoDays - 70 * 60_000),
      version('named-same-hour', twoDays - 20 * 60_000, 'named'),
      version('restore-same-hour', twoDays - 40 * 60_000, 'before-restore'),
      // Ten days ago: a whole day of hourly versions leaves one.
      ...Array.from({ length: 10 }, (_, i) => version(`day10-${i}`, 10 * DAY_MS - i * HOUR_MS)),
      version('named-old', 30 * DAY_MS, 'named'),
    ];
    const thinned = versionsToThin(versions, NOW, retention);
    assert.deepEqual(thinned.filter((id) => id.startsWith('h-') || id.startsWith('restore')).sort(), ['h-middle', 'h-oldest', 'restore-same-hour']);
    assert.ok(!thinned.includes('next-hour'));
    assert.ok(!thinned.includes('named-same-hour') && !thinned.includes('named-old'), 'named versions are kept');
    const day10 = versions.filter((v) => v.id.startsWith('day10-'));
    const keptDay10 = day10.filter((v) => !thinned.includes(v.id));
    // The versions of ten days ago span at most two calendar days (UTC): one kept per day.
    const days = new Set(day10.map((v) => Math.floor(v.createdAt / DAY_MS)));
    assert.equal(keptDay10.length, days.size);
    for (const kept of keptDay10) {
      const sameDay = day10.filter((v) => Math.floor(v.createdAt / DAY_MS) === Math.floor(kept.createdAt / DAY_MS));
      assert.equal(kept.createdAt, Math.max(...sameDay.map((v) => v.createdAt)), 'the newest of its day');
    }
  });

  it('follows a configured policy', () => {
    const versions = [version('a', 2 * HOUR_MS + 10 * 60_000), version('b', 2 * HOUR_MS + 11 * 60_000), version('c', 3 * DAY_MS), version('d', 3 * DAY_MS + 60_000)];
    assert.deepEqual(versionsToThin(versions, NOW, { keepAllMs: HOUR_MS, keepHourlyMs: DAY_MS }).sort(), ['b', 'd']);
    assert.deepEqual(versionsToThin(versions, NOW, { keepAllMs: 7 * DAY_MS, keepHourlyMs: 7 * DAY_MS }), []);
  });
});
