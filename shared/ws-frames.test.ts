/**
 * Quire's WebSocket framing: every frame survives a round trip, and whatever bytes arrive the
 * decoders return a frame or null, never throw. The random part takes a seed (SEED=n to replay).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { int, prng, testSeed } from '../test/support/seeded.js';
import { encodeUpdateMessage } from './protocol.js';
import {
  FRAME_AWARENESS,
  FRAME_ERROR,
  FRAME_JOIN,
  FRAME_KICKED,
  FRAME_LEAVE,
  FRAME_REPLY,
  FRAME_SYNC,
  FRAME_VERIFY,
  MAX_JOIN_JSON_CHARS,
  decodeClientFrame,
  decodeServerFrame,
  encodeAwareness,
  encodeClientSync,
  encodeClientUpdate,
  encodeError,
  encodeJoin,
  encodeKicked,
  encodeLeave,
  encodeReply,
  encodeServerSync,
  encodeVerify,
} from './ws-frames.js';

const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
const name = 'é漢-0QmrOSNvJYjbYI5GxKVhSw';
const error = { code: 'read-only', message: 'Nope "quoted" \\', docName: name } as const;

describe('WebSocket frames', () => {
  it('round-trips every client frame', () => {
    assert.deepEqual(decodeClientFrame(encodeJoin(7, name, 'token', { session: 's', clientIds: [1] })), {
      kind: FRAME_JOIN, ack: 7, name, token: 'token', options: { session: 's', clientIds: [1] },
    });
    assert.deepEqual(decodeClientFrame(encodeJoin(1, name, null, undefined)), { kind: FRAME_JOIN, ack: 1, name, token: null, options: undefined });
    assert.deepEqual(decodeClientFrame(encodeLeave(name)), { kind: FRAME_LEAVE, name });
    assert.deepEqual(decodeClientFrame(encodeClientSync(0, name, bytes)), { kind: FRAME_SYNC, ack: 0, name, message: bytes });
    assert.deepEqual(decodeClientFrame(encodeClientSync(2 ** 40, name, bytes)), { kind: FRAME_SYNC, ack: 2 ** 40, name, message: bytes });
    assert.deepEqual(decodeClientFrame(encodeAwareness(name, bytes)), { kind: FRAME_AWARENESS, name, update: bytes });
    assert.deepEqual(decodeClientFrame(encodeVerify(3, name, bytes)), { kind: FRAME_VERIFY, ack: 3, name, snapshot: bytes });
  });

  it('round-trips every server frame, a verify reply with its state vector included', () => {
    assert.deepEqual(decodeServerFrame(encodeServerSync(name, bytes)), { kind: FRAME_SYNC, name, message: bytes });
    assert.deepEqual(decodeServerFrame(encodeAwareness(name, bytes)), { kind: FRAME_AWARENESS, name, update: bytes });
    assert.deepEqual(decodeServerFrame(encodeReply(4, { ok: true, role: 'edit' })), { kind: FRAME_REPLY, ack: 4, reply: { ok: true, role: 'edit' } });
    assert.deepEqual(decodeServerFrame(encodeReply(5, { ok: false, error })), { kind: FRAME_REPLY, ack: 5, reply: { ok: false, error } });
    assert.deepEqual(decodeServerFrame(encodeReply(6, { ok: true, covered: true })), { kind: FRAME_REPLY, ack: 6, reply: { ok: true, covered: true } });
    assert.deepEqual(decodeServerFrame(encodeReply(6, { ok: true, covered: false, stateVector: bytes })), {
      kind: FRAME_REPLY, ack: 6, reply: { ok: true, covered: false, stateVector: bytes },
    });
    assert.deepEqual(decodeServerFrame(encodeError(error)), { kind: FRAME_ERROR, error });
    assert.deepEqual(decodeServerFrame(encodeKicked(name, error)), { kind: FRAME_KICKED, name, error });
  });

  it('writes a change in one pass exactly as the sync frame of its update message, whatever the sizes', () => {
    const names = ['V1StGXR8_Z5jdHi6B-myT', 'doc', 'ünïcödé-名前', 'x'.repeat(130), 'doc'];
    const acks = [0, 1, 127, 128, 16_383, 16_384, 2 ** 21, 2 ** 31 - 1, 2 ** 31, 2 ** 32];
    for (const name of names) {
      for (const ack of acks) {
        // Sizes around where the update's length, and the message's (two or three bytes more), take another byte.
        for (const size of [0, 1, 125, 126, 127, 128, 16_381, 16_382, 16_383, 16_384, 70_000]) {
          const update = Uint8Array.from({ length: size }, (_, i) => (i * 31 + size) & 0xff);
          assert.deepEqual(encodeClientUpdate(ack, name, update), encodeClientSync(ack, name, encodeUpdateMessage(update)), `${name} ack ${ack} size ${size}`);
        }
      }
    }
    const decoded = decodeClientFrame(encodeClientUpdate(7, 'doc', Uint8Array.of(1, 2, 3)));
    assert.equal(decoded?.kind, FRAME_SYNC);
  });

  it('refuses frames that are not exactly one message', () => {
    const sync = encodeClientSync(1, name, bytes);
    assert.equal(decodeClientFrame(new Uint8Array(0)), null);
    assert.equal(decodeClientFrame(Uint8Array.from([99])), null);
    assert.equal(decodeClientFrame(encodeReply(1, { ok: true, covered: true })), null, 'a server-only kind');
    assert.equal(decodeClientFrame(sync.subarray(0, sync.length - 1)), null, 'truncated');
    assert.equal(decodeClientFrame(Uint8Array.from([...sync, 0])), null, 'bytes left over');
    assert.equal(decodeClientFrame(encodeJoin(1, name, 'x'.repeat(MAX_JOIN_JSON_CHARS), {})), null, 'join JSON too long');
    assert.equal(decodeServerFrame(encodeJoin(1, name, null, {})), null, 'a client-only kind');
  });

  it('never throws on random bytes or random damage to valid frames', () => {
    const seed = testSeed();
    const random = prng(seed);
    const valid = [encodeJoin(1, name, 't', {}), encodeLeave(name), encodeClientSync(1, name, bytes), encodeAwareness(name, bytes), encodeVerify(1, name, bytes),
      encodeServerSync(name, bytes), encodeReply(2, { ok: true, covered: false, stateVector: bytes }), encodeError(error), encodeKicked(name, error)];
    try {
      for (let i = 0; i < 20_000; i++) {
        let input: Uint8Array;
        if (i % 2 === 0) {
          input = Uint8Array.from({ length: int(random, 24) }, () => int(random, 256));
        } else {
          input = Uint8Array.from(valid[int(random, valid.length)]!);
          for (let flips = 1 + int(random, 3); flips > 0; flips--) input[int(random, input.length)] = int(random, 256);
          if (int(random, 4) === 0) input = input.subarray(0, int(random, input.length));
        }
        const client = decodeClientFrame(input);
        const server = decodeServerFrame(input);
        assert.ok(client === null || typeof client.kind === 'number');
        assert.ok(server === null || typeof server.kind === 'number');
      }
    } catch (failure) {
      throw new Error(`seed ${seed} (replay with SEED=${seed}): ${String(failure)}`);
    }
  });

  it('writes the plain {"ok":true} reply as the general encoding does, for acks at every length boundary', () => {
    const general = (ack: number): Uint8Array => {
      const encoder = encoding.createEncoder();
      encoding.writeUint8(encoder, FRAME_REPLY);
      encoding.writeVarUint(encoder, ack);
      encoding.writeVarString(encoder, JSON.stringify({ ok: true }));
      encoding.writeVarUint8Array(encoder, new Uint8Array(0));
      return encoding.toUint8Array(encoder);
    };
    for (let bits = 0; bits <= 53; bits++) {
      for (const ack of [2 ** bits - 1, 2 ** bits, 2 ** bits + 1]) {
        if (ack < 1 || ack > Number.MAX_SAFE_INTEGER) continue;
        assert.deepEqual(encodeReply(ack, { ok: true }), general(ack), `ack ${ack}`);
        assert.deepEqual(decodeServerFrame(encodeReply(ack, { ok: true })), { kind: FRAME_REPLY, ack, reply: { ok: true } });
      }
    }
  });

  it('reads every name as lib0 reads a string: ASCII, other UTF-8, bytes that are not UTF-8, around the plain-name length, the same name again and one byte off it', () => {
    const seed = testSeed();
    const random = prng(seed);
    const asLib0 = (frame: Uint8Array): string => {
      const decoder = decoding.createDecoder(frame);
      decoding.readUint8(decoder);
      return decoding.readVarString(decoder);
    };
    const leaveOf = (nameBytes: Uint8Array): Uint8Array => {
      const encoder = encoding.createEncoder();
      encoding.writeUint8(encoder, FRAME_LEAVE);
      encoding.writeVarUint8Array(encoder, nameBytes);
      return encoding.toUint8Array(encoder);
    };
    try {
      for (const fixed of ['', 'a', 'x'.repeat(64), 'y'.repeat(65), `${'z'.repeat(63)}é`, name]) {
        assert.deepEqual(decodeClientFrame(encodeLeave(fixed)), { kind: FRAME_LEAVE, name: fixed });
        assert.deepEqual(decodeServerFrame(encodeServerSync(fixed, bytes)), { kind: FRAME_SYNC, name: fixed, message: bytes });
      }
      let previous: Uint8Array = new Uint8Array(0);
      for (let i = 0; i < 5_000; i++) {
        // Mostly ASCII, sometimes a byte above it (a lead or continuation byte, valid or not); often
        // the name just read again, or it with one byte changed (the decoder reuses the last name).
        const fresh = (): Uint8Array => Uint8Array.from({ length: int(random, 80) }, () => (int(random, 8) === 0 ? 128 + int(random, 128) : int(random, 128)));
        const pick = int(random, 6);
        const nameBytes = pick <= 2 ? previous.slice() : fresh();
        if (pick === 2 && nameBytes.length > 0) nameBytes[int(random, nameBytes.length)] = int(random, 8) === 0 ? 128 + int(random, 128) : int(random, 128);
        previous = nameBytes;
        const frame = leaveOf(nameBytes);
        let expected: string | null;
        try {
          expected = asLib0(frame);
        } catch {
          expected = null; // lib0 refuses bytes that are not UTF-8, and so is the frame
        }
        assert.equal(decodeClientFrame(frame)?.name ?? null, expected);
      }
    } catch (failure) {
      throw new Error(`seed ${seed} (replay with SEED=${seed}): ${String(failure)}`);
    }
  });
});
