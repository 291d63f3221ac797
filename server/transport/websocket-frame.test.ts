import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ws from 'ws';
import { binaryFrame } from './websocket-frame.js';

describe('binaryFrame', () => {
  it('frames a payload byte for byte as ws does, at every length class', () => {
    for (const length of [0, 1, 125, 126, 127, 65_535, 65_536, 300_000]) {
      const payload = Buffer.alloc(length, length % 251);
      const expected = Buffer.concat(((ws as unknown as { Sender: unknown }).Sender as { frame(data: Buffer, options: object): Buffer[] }).frame(payload, { readOnly: false, mask: false, rsv1: false, opcode: 2, fin: true }));
      assert.deepEqual(binaryFrame(payload), expected, `a payload of ${length} bytes`);
    }
  });
});
