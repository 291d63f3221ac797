import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIRST_HOLD_OFF_MS, MAX_HOLD_OFF_MS, MEMORY_MS, NetworkHoldOffs } from './network-hold-offs.js';

describe('NetworkHoldOffs', () => {
  function clocked(): { holdOffs: NetworkHoldOffs; pass(ms: number): void } {
    let now = 1_000_000;
    return { holdOffs: new NetworkHoldOffs(() => now), pass: (ms) => void (now += ms) };
  }

  it('lets the first break go, then holds off 60 s, twice as long each time, up to 30 minutes', () => {
    const { holdOffs, pass } = clocked();
    assert.equal(holdOffs.brokeRoom('203.0.113.9'), 0);
    assert.equal(holdOffs.heldOff('203.0.113.9'), false, 'let go');
    const earned: number[] = [];
    for (let i = 0; i < 8; i++) {
      const ms = holdOffs.brokeRoom('203.0.113.9');
      earned.push(ms);
      assert.equal(holdOffs.heldOff('203.0.113.9'), true);
      pass(ms - 1);
      assert.equal(holdOffs.heldOff('203.0.113.9'), true, `held off for all of ${ms} ms`);
      pass(1);
      assert.equal(holdOffs.heldOff('203.0.113.9'), false, `and no longer after ${ms} ms`);
    }
    assert.deepEqual(earned, [60_000, 120_000, 240_000, 480_000, 960_000, MAX_HOLD_OFF_MS, MAX_HOLD_OFF_MS, MAX_HOLD_OFF_MS]);
  });

  it('counts each network on its own', () => {
    const { holdOffs } = clocked();
    assert.equal(holdOffs.brokeRoom('203.0.113.9'), 0);
    assert.equal(holdOffs.brokeRoom('203.0.113.9'), FIRST_HOLD_OFF_MS);
    assert.equal(holdOffs.brokeRoom('203.0.113.10'), 0, 'another network is let go');
    assert.equal(holdOffs.heldOff('203.0.113.10'), false);
    assert.equal(holdOffs.heldOff('203.0.113.9'), true);
  });

  it('forgets a network ten minutes after its last hold-off ended', () => {
    const { holdOffs, pass } = clocked();
    holdOffs.brokeRoom('203.0.113.9');
    assert.equal(holdOffs.brokeRoom('203.0.113.9'), FIRST_HOLD_OFF_MS);
    pass(FIRST_HOLD_OFF_MS + MEMORY_MS - 1);
    assert.equal(holdOffs.brokeRoom('203.0.113.9'), 2 * FIRST_HOLD_OFF_MS, 'still remembered a moment before');
    pass(2 * FIRST_HOLD_OFF_MS + MEMORY_MS);
    assert.equal(holdOffs.brokeRoom('203.0.113.9'), 0, 'forgotten: let go as a first');
    // A network let go is remembered for MEMORY_MS too.
    pass(MEMORY_MS - 1);
    assert.equal(holdOffs.brokeRoom('203.0.113.9'), FIRST_HOLD_OFF_MS);
  });

  it('holds off an IPv6 sender by its /64', () => {
    const { holdOffs } = clocked();
    holdOffs.brokeRoom('2001:db8:9:1::9');
    holdOffs.brokeRoom('2001:db8:9:1::9');
    assert.equal(holdOffs.heldOff('2001:db8:9:1:a:b:c:d'), true);
    assert.equal(holdOffs.heldOff('2001:db8:9:2::9'), false);
  });
});
