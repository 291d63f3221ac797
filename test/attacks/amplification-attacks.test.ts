/**
 * Amplification attacks against a real server process: a 3-byte sync step 1 with an empty state
 * vector makes the server send the whole document; 150 clients that never read used to make it
 * hold 375 MB for a 3 MB document. Long-polling sessions that never poll (kept alive by
 * unsolicited pongs) used to buffer without limit. View-only connections pushed 16 KiB presence
 * states that cost nothing of their budget. Now what waits unread is capped per connection and
 * per address (the readers are closed), the step 1 answer is charged to its asker, and presence
 * is charged for every copy it fans out.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import { QUIRE_NAMESPACE } from '../../shared/events.js';
import { growDocument } from '../support/grow-document.js';
import { AttackWatch, rssMb } from '../support/attack-watch.js';
import { http, jsonOf } from '../support/http.js';
import { awarenessUpdate, RawClient } from '../support/raw-client.js';
import { RawEngineSocket } from '../support/raw-engine.js';
import { useServerProcess } from '../support/server-process.js';
import { sleep, waitFor } from '../support/wait.js';

/** A single-frame `sync` event carrying a step 1 with an empty state vector (see PROTOCOL.md). */
function emptyStep1Frame(docName: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeUint8(encoder, 0xf5);
  encoding.writeUint8(encoder, 2);
  encoding.writeVarString(encoder, QUIRE_NAMESPACE);
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 3);
  encoding.writeUint8(encoder, 0);
  encoding.writeVarString(encoder, 'sync');
  encoding.writeUint8(encoder, 0);
  encoding.writeVarString(encoder, docName);
  encoding.writeUint8(encoder, 1);
  encoding.writeVarUint8Array(encoder, Uint8Array.from([0, 1, 0]));
  return encoding.toUint8Array(encoder);
}

describe('amplification attacks', () => {
  const server = useServerProcess({ env: { MAX_CONNECTIONS_PER_ADDRESS: '400', MAX_QUEUED_BYTES_PER_ADDRESS: String(48 * 1024 * 1024) } });

  it('150 clients asking ten times each for a 3 MB document and never reading cost no more than the caps', { timeout: 120_000 }, async (t) => {
    const watch = await AttackWatch.start(t, server());
    await growDocument(server().url, watch.victimDoc, 3);
    const before = rssMb(server().pid!);
    const readers: RawEngineSocket[] = [];
    try {
      for (let i = 0; i < 150; i++) {
        const reader = await RawEngineSocket.connect(server().url);
        readers.push(reader);
        reader.sendText(`42${QUIRE_NAMESPACE},0${JSON.stringify(['join', watch.victimDoc, null])}`);
        await reader.waitForText((text) => text.startsWith(`43${QUIRE_NAMESPACE},0`), 'the join to be answered');
        reader.pause();
        // Each asks ten times: 30 MB of answers for 30 bytes of questions.
        for (let n = 0; n < 10; n++) reader.sendBinary(emptyStep1Frame(watch.victimDoc));
      }
      await sleep(2000);
      const grown = rssMb(server().pid!) - before;
      // A paused reader learns that it was closed only once it reads again.
      for (const reader of readers) reader.resume();
      await sleep(1000);
      const closed = readers.filter((reader) => reader.isClosed).length;
      t.diagnostic(`${closed} of 150 non-readers closed; memory grew ${Math.round(grown)} MiB`);
      // How many must go depends on how much the kernel's socket buffers absorb; that some went and
      // memory stayed within the caps is what counts.
      assert.ok(closed > 0, `no non-reading connection was closed`);
      assert.ok(grown <= 150, `memory grew ${Math.round(grown)} MiB`);
    } finally {
      await Promise.all(readers.map((reader) => reader.close()));
    }
    const report = await watch.finish({ rssGrowthMb: 200 });
    t.diagnostic(JSON.stringify(report));
  });

  it('long-polling sessions that never poll are closed once their unread output passes the cap', { timeout: 120_000 }, async (t) => {
    const watch = await AttackWatch.start(t, server());
    await growDocument(server().url, watch.victimDoc, 3);
    const base = `${server().url}/socket.io/?EIO=4&transport=polling`;
    const sessions: string[] = [];
    for (let i = 0; i < 30; i++) {
      const open = await http(base);
      const sid = (JSON.parse(open.text.slice(1)) as { sid: string }).sid;
      await http(`${base}&sid=${sid}`, { method: 'POST', body: `40${QUIRE_NAMESPACE},` });
      await http(`${base}&sid=${sid}`); // the namespace's answer; the last read of this session
      await http(`${base}&sid=${sid}`, { method: 'POST', body: `42${QUIRE_NAMESPACE},0${JSON.stringify(['join', watch.victimDoc, null])}` });
      await waitFor('the join to be answered', async () => (await http(`${base}&sid=${sid}`)).text.includes(`43${QUIRE_NAMESPACE},0`));
      const frame = Buffer.from(emptyStep1Frame(watch.victimDoc)).toString('base64');
      await http(`${base}&sid=${sid}`, { method: 'POST', body: Array.from({ length: 10 }, () => `b${frame}`).join('\u001e') });
      sessions.push(sid);
    }
    // Pongs without pings, as an attacker keeping the sessions alive would send.
    for (let round = 0; round < 3; round++) {
      for (const sid of sessions) await http(`${base}&sid=${sid}`, { method: 'POST', body: '3' });
      await sleep(500);
    }
    const alive = (await Promise.all(sessions.map((sid) => http(`${base}&sid=${sid}`, { method: 'POST', body: '3' })))).filter((r) => r.status === 200).length;
    t.diagnostic(`${30 - alive} of 30 non-polling sessions closed`);
    assert.ok(alive <= 16, `${alive} sessions that never poll are still open`);
    const report = await watch.finish({ rssGrowthMb: 200 });
    t.diagnostic(JSON.stringify(report));
  });

  it('presence spam from a view link is charged for every copy it fans out', { timeout: 60_000 }, async (t) => {
    const watch = await AttackWatch.start(t, server());
    const links = jsonOf(await http(`${server().url}/api/docs/${watch.victimDoc}/links`)) as { viewUrl: string };
    const viewKey = `v.${links.viewUrl.split('/').pop()}`;
    const spammer = await RawClient.connect(server().url);
    const listener = await RawClient.connect(server().url);
    try {
      assert.deepEqual(await spammer.join(viewKey), { ok: true, role: 'view' });
      assert.deepEqual(await listener.join(watch.victimDoc), { ok: true, role: 'edit' });
      const mark = listener.received.length;
      const own = 0x7fff0000;
      const started = Date.now();
      for (let clock = 1; Date.now() - started < 3000; clock++) {
        spammer.emitRaw('awareness', viewKey, awarenessUpdate([{ clientId: own, clock, state: { user: { name: 'x'.repeat(7000) } } }]));
        if (clock % 20 === 0) await sleep(10);
      }
      await sleep(500);
      const fannedOut = listener.eventsSince(mark, 'awareness').reduce((sum, event) => sum + ((event.args[1] as Uint8Array | undefined)?.byteLength ?? 0), 0);
      const refused = spammer.errorsSince(0).filter((error) => error.code === 'rate-limited').length;
      t.diagnostic(`in 3 s one listener received ${fannedOut} bytes of the spam; ${refused} presence updates were refused`);
      // Budget: 256 KiB at once plus 64 KiB a second, shared among everyone it reaches.
      assert.ok(fannedOut <= 600 * 1024, `the spam reached a listener with ${fannedOut} bytes`);
      assert.ok(refused > 0, 'nothing was refused');
    } finally {
      await Promise.all([spammer.close(), listener.close()]);
    }
    const report = await watch.finish({ rssGrowthMb: 150 });
    t.diagnostic(JSON.stringify(report));
  });
});
