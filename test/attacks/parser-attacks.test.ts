/**
 * Attacks on the Socket.IO layer, each against a real server process: a packet with 60,000
 * arguments (it used to overflow the stack in Socket.IO's listener call and kill the process, in
 * text and single-frame form), and packets named after Socket.IO's reserved events (a fake
 * `disconnect` used to run the server's disconnect handling on a live socket, letting one address
 * open more connections than its cap, hiding them from the connection gauge, and logging a 1 MB
 * "reason"). Each sender must be closed; honest people in the same and another document notice
 * nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import { QUIRE_NAMESPACE } from '../../shared/events.js';
import { AttackWatch } from '../support/attack-watch.js';
import { RawEngineSocket } from '../support/raw-engine.js';
import { useServerProcess } from '../support/server-process.js';

/** A single-frame event packet (see shared/PROTOCOL.md) whose arguments are written as given. */
function singleFrame(args: ReadonlyArray<{ tag: 0 | 2; value: string }>): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeUint8(encoder, 0xf5);
  encoding.writeUint8(encoder, 2);
  encoding.writeVarString(encoder, QUIRE_NAMESPACE);
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, args.length);
  for (const arg of args) {
    encoding.writeUint8(encoder, arg.tag);
    encoding.writeVarString(encoder, arg.value);
  }
  return encoding.toUint8Array(encoder);
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
  return match === null ? Number.NaN : Number(match[1]);
}

describe('attacks on the Socket.IO layer', () => {
  const server = useServerProcess({ env: { MAX_CONNECTIONS_PER_ADDRESS: '16' } });

  it('a 60,000-argument packet, as text or as one frame, closes only its sender', async (t) => {
    const watch = await AttackWatch.start(t, server());
    for (const send of [
      (socket: RawEngineSocket) => socket.sendText(`42${QUIRE_NAMESPACE},["join"${',0'.repeat(60_000)}]`),
      (socket: RawEngineSocket) => socket.sendBinary(singleFrame([{ tag: 0, value: 'join' }, ...Array.from({ length: 60_000 }, () => ({ tag: 2 as const, value: '0' }))])),
      (socket: RawEngineSocket) => socket.sendText(`42${QUIRE_NAMESPACE},["sync","${watch.victimDoc}"${',null'.repeat(60_000)}]`),
    ]) {
      const attacker = await RawEngineSocket.connect(server().url);
      send(attacker);
      await attacker.waitForClose();
    }
    const report = await watch.finish({ rssGrowthMb: 100 });
    t.diagnostic(JSON.stringify(report));
  });

  it('packets named after reserved events close their senders, and the per-address cap and gauge hold', async (t) => {
    const watch = await AttackWatch.start(t, server());
    const reason = 'x'.repeat(1024 * 1024);
    for (const name of ['disconnect', 'disconnecting', 'connect', 'connect_error', 'newListener', 'removeListener']) {
      for (const form of ['frame', 'text'] as const) {
        const attacker = await RawEngineSocket.connect(server().url);
        if (form === 'frame') attacker.sendBinary(singleFrame([{ tag: 0, value: name }, { tag: 0, value: reason }]));
        else attacker.sendText(`42${QUIRE_NAMESPACE},${JSON.stringify([name, reason])}`);
        await attacker.waitForClose();
      }
    }
    // The cap is 16 per address and the watch holds 4 of them: twelve more fit, the thirteenth
    // does not, and the gauge counts exactly the connections open.
    const open: RawEngineSocket[] = [];
    try {
      for (let i = 0; i < 12; i++) open.push(await RawEngineSocket.connect(server().url));
      await assert.rejects(RawEngineSocket.connect(server().url), /At most 16 connections per address/);
      assert.equal(await metric(server().url, 'quire_connections'), 4 + 12, 'the gauge counts every open connection');
    } finally {
      await Promise.all(open.map((socket) => socket.close()));
    }
    const report = await watch.finish({ rssGrowthMb: 100 });
    assert.ok(server().log.length < 64 * 1024, `the server logged ${server().log.length} characters (a reason would be a megabyte)`);
    t.diagnostic(JSON.stringify(report));
  });
});
