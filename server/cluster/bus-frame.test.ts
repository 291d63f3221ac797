import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUS_SYNC_REPLY, decodeBusFrame, encodeBusFrame } from './bus-frame.js';

describe('bus frames', () => {
  it('round-trip every kind through encodeBusFrame / decodeBusFrame, and refuse malformed bytes', () => {
    const payload = new Uint8Array([1, 2, 3]);
    for (const kind of [1, 2, 3] as const) {
      assert.deepEqual(decodeBusFrame(encodeBusFrame({ kind, sender: 'n1', payload })), { kind, sender: 'n1', payload });
    }
    const reply = { kind: BUS_SYNC_REPLY, sender: 'n1', target: 'n2', stateVector: new Uint8Array([5]), payload: new Uint8Array(0) } as const;
    assert.deepEqual(decodeBusFrame(encodeBusFrame(reply)), reply);
    assert.equal(decodeBusFrame(new Uint8Array([4, 2, 110])), null, 'a truncated frame');
    assert.equal(decodeBusFrame(new Uint8Array([7, 0])), null, 'an unknown kind');
  });
});
