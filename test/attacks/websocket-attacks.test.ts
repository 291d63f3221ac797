/**
 * Attacks on Quire's WebSocket transport (shared/ws-frames.ts) against a real server process:
 * frames that are not Quire's messages, messages over the size cap, more connections than an
 * address may open (counted together with Socket.IO's), and readers that never read. Each
 * offender gets a typed error where one can travel and is closed; the server stays up and honest
 * people (who use this transport too) notice nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import { newDocId } from '../../shared/doc-id.js';
import { FRAME_AWARENESS, FRAME_ERROR, FRAME_JOIN, FRAME_REPLY, FRAME_SYNC, MAX_JOIN_JSON_CHARS, encodeClientSync, encodeJoin } from '../../shared/ws-frames.js';
import { growDocument } from '../support/grow-document.js';
import { AttackWatch, rssMb } from '../support/attack-watch.js';
import { RawClient } from '../support/raw-client.js';
import { RawWebSocket } from '../support/raw-websocket.js';
import { useServerProcess } from '../support/server-process.js';
import { sleep } from '../support/wait.js';

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** Frames that are not exactly one of Quire's client messages. */
function malformedFrames(docName: string): [string, Uint8Array | string][] {
  const sync = encodeClientSync(1, docName, Uint8Array.from([0, 0]));
  return [
    ['a text frame', JSON.stringify(['join', docName])],
    ['an empty frame', new Uint8Array(0)],
    ['an unknown kind', Uint8Array.from([99, 0])],
    ['a server-only kind', Uint8Array.from([6, 1, 2, 123, 125, 0])],
    ['a truncated sync', sync.subarray(0, sync.length - 1)],
    ['a sync with bytes left over', Uint8Array.from([...sync, 0])],
    ['a length past the end', frame((e) => { encoding.writeUint8(e, FRAME_SYNC); encoding.writeVarUint(e, 0); encoding.writeVarUint(e, 2 ** 40); })],
    ['a varint past 53 bits', frame((e) => { encoding.writeUint8(e, FRAME_AWARENESS); for (let i = 0; i < 12; i++) encoding.writeUint8(e, 0xff); })],
    ['a join with JSON that does not parse', frame((e) => { encoding.writeUint8(e, FRAME_JOIN); encoding.writeVarUint(e, 1); encoding.writeVarString(e, docName); encoding.writeVarString(e, '{"token":'); })],
    ['a join whose JSON is an array', frame((e) => { encoding.writeUint8(e, FRAME_JOIN); encoding.writeVarUint(e, 1); encoding.writeVarString(e, docName); encoding.writeVarString(e, '[1,2]'); })],
    ['a join with too long a JSON', encodeJoin(1, docName, 'x'.repeat(MAX_JOIN_JSON_CHARS), {})],
  ];
}

describe('WebSocket transport attacks', () => {
  const server = useServerProcess({ env: { MAX_CONNECTIONS_PER_ADDRESS: '200', MAX_QUEUED_BYTES_PER_ADDRESS: String(48 * 1024 * 1024) } });

  it('answers every malformed frame with bad-request and closes the connection', { timeout: 60_000 }, async (t) => {
    const watch = await AttackWatch.start(t, server());
    for (let round = 0; round < 20; round++) {
      for (const [what, bytes] of malformedFrames(watch.victimDoc)) {
        const attacker = await RawWebSocket.connect(server().url);
        try {
          if (round === 0) assert.deepEqual(await attacker.join(watch.victimDoc), { ok: true, role: 'edit' }, what);
          attacker.send(bytes);
          const closed = await attacker.whenClosed();
          assert.equal(closed.code, 1008, `${what}: closed with ${closed.code}`);
          assert.deepEqual(attacker.errors.map((error) => error.code), ['bad-request'], what);
        } finally {
          attacker.close();
        }
      }
    }
    const report = await watch.finish({ rssGrowthMb: 100 });
    t.diagnostic(JSON.stringify(report));
  });

  it('refuses a flood of joins once the connection\'s budget is spent, and closes a connection that keeps on', { timeout: 60_000 }, async (t) => {
    const watch = await AttackWatch.start(t, server());
    const attacker = await RawWebSocket.connect(server().url);
    try {
      // 5,000 joins of documents that do not exist, each a storage read if it got that far.
      for (let i = 0; i < 5000; i++) attacker.send(encodeJoin(i + 1, newDocId(), null, {}));
      const closed = await attacker.whenClosed(30_000);
      const codes = new Map<string, number>();
      for (const frame of attacker.frames) {
        const code = frame?.kind === FRAME_REPLY && !frame.reply.ok ? frame.reply.error.code : frame?.kind === FRAME_ERROR ? `error:${frame.error.code}` : 'other';
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      t.diagnostic(`closed with ${closed.code}; answers: ${JSON.stringify(Object.fromEntries(codes))}`);
      // About 100 joins fit the budget at once (64 may be in flight; the rest never reach
      // storage); at the 200th refusal in a second the connection is closed, and the replies
      // still queued for it, and the rest of the flood, are never sent. (When the server reads
      // 200 refused joins in one turn, the closing error goes out before any of their replies,
      // which are then never sent: so how many `rate-limited` replies arrive is not fixed.)
      assert.equal(codes.get('error:rate-limited'), 1, 'the connection was not told why it was closed');
      assert.ok(attacker.frames.length < 1000, `the server answered ${attacker.frames.length} of 5,000 joins`);
      assert.equal(codes.get('other') ?? 0, 0, 'a join was answered with something other than a refusal');
    } finally {
      attacker.close();
    }
    const report = await watch.finish({ rssGrowthMb: 100 });
    t.diagnostic(JSON.stringify(report));
  });

  it('closes a connection that sends a message over the size cap, before reading it whole', { timeout: 60_000 }, async (t) => {
    const watch = await AttackWatch.start(t, server());
    const before = rssMb(server().pid!);
    for (let i = 0; i < 10; i++) {
      const attacker = await RawWebSocket.connect(server().url);
      try {
        // 1 MiB updates are allowed; the cap is twice that plus 64 KiB.
        attacker.send(encodeClientSync(1, watch.victimDoc, new Uint8Array(3 * 1024 * 1024)));
        assert.equal((await attacker.whenClosed()).code, 1009);
      } finally {
        attacker.close();
      }
    }
    t.diagnostic(`memory grew ${Math.round(rssMb(server().pid!) - before)} MiB`);
    const report = await watch.finish({ rssGrowthMb: 150 });
    t.diagnostic(JSON.stringify(report));
  });

  it('counts an address\'s WebSocket and Socket.IO connections together against its cap', { timeout: 60_000 }, async (t) => {
    const watch = await AttackWatch.start(t, server());
    // The watch's four people use four of this address's 200.
    const sockets: RawWebSocket[] = [];
    const clients: RawClient[] = [];
    try {
      for (let i = 0; i < 98; i++) sockets.push(await RawWebSocket.connect(server().url));
      for (let i = 0; i < 98; i++) clients.push(await RawClient.connect(server().url));
      const overWebSocket = await RawWebSocket.connect(server().url);
      assert.equal((await overWebSocket.whenClosed()).code, 1008);
      assert.deepEqual(overWebSocket.errors.map((error) => error.code), ['too-many-connections']);
      await assert.rejects(RawClient.connect(server().url), /too-many-connections|At most 200 connections/);
    } finally {
      for (const socket of sockets) socket.close();
      await Promise.all(clients.map((client) => client.close()));
    }
    await sleep(500);
    const report = await watch.finish({ rssGrowthMb: 150 });
    t.diagnostic(JSON.stringify(report));
  });

  it('closes WebSocket readers that ask for a 3 MB document again and again and never read', { timeout: 120_000 }, async (t) => {
    const watch = await AttackWatch.start(t, server(), (victimDoc) => growDocument(server().url, victimDoc, 3));
    const before = rssMb(server().pid!);
    const readers: RawWebSocket[] = [];
    try {
      for (let i = 0; i < 100; i++) {
        const reader = await RawWebSocket.connect(server().url);
        readers.push(reader);
        assert.deepEqual(await reader.join(watch.victimDoc), { ok: true, role: 'edit' });
        reader.pause();
        // Each asks ten times for everything: 30 MB of answers for a few bytes of questions.
        for (let n = 0; n < 10; n++) reader.send(encodeClientSync(0, watch.victimDoc, Uint8Array.from([0, 1, 0])));
      }
      await sleep(2000);
      const grown = rssMb(server().pid!) - before;
      for (const reader of readers) reader.resume();
      await sleep(1000);
      const closed = readers.filter((reader) => reader.closed !== null).length;
      t.diagnostic(`${closed} of 100 non-readers closed; memory grew ${Math.round(grown)} MiB`);
      assert.ok(closed > 0, 'no non-reading connection was closed');
      // The answers share one frame of the document: 16-36 MiB here, where a copy per answer
      // grew 93-154 MiB.
      assert.ok(grown <= 80, `memory grew ${Math.round(grown)} MiB`);
    } finally {
      for (const reader of readers) reader.close();
    }
    const report = await watch.finish({ rssGrowthMb: 200 });
    t.diagnostic(JSON.stringify(report));
  });
});
