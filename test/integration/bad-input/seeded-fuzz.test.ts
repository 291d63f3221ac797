/**
 * Seeded fuzz of bad input from one connection that has joined a document for edit: 10 000
 * malformed sync messages (random, truncated, bit-flipped, spliced, oversized) and 3 000
 * malformed awareness messages (among them states for the victim's client id). Every sync
 * message must be answered through its ack with ok or a typed refusal (update-too-large for
 * anything over the limit), and whatever was accepted must leave the honest peers, the server, a
 * newcomer and storage after a restart with the same full Yjs snapshot. Every awareness refusal
 * must be typed, and the victim's presence must never change. A failure prints `SEED=n`; replay it
 * with `SEED=n npm test -- seeded-fuzz.test.ts`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { SYNC_STEP1, encodeSyncMessage } from '../../../shared/protocol.js';
import { snapshotOf } from '../../support/doc-state.js';
import { refusalCode } from '../../support/raw-client.js';
import { prng, withSeed } from '../../support/seeded.js';
import { useTestServer } from '../../support/test-server.js';
import { waitFor, withTimeout } from '../../support/wait.js';
import { Garbage, HONEST_PRESENCE, LIMITS, hex, presence, synced, useScenes } from './support.js';

describe('seeded fuzz of bad input', () => {
  // Thousands of messages from one connection: the rate limits are lifted, as they are not what
  // this suite tests.
  const unlimited = {
    messagesPerSecond: 1e9,
    messageBurst: 1e9,
    bytesPerSecond: 1e12,
    byteBurst: 1e12,
    structsPerSecond: 1e12,
    structBurst: 1e12,
    presenceBytesPerSecond: 1e12,
    presenceByteBurst: 1e12,
  };
  const server = useTestServer({ limits: LIMITS, rateLimit: unlimited });
  const openScene = useScenes(server);

  it('answers 10 000 malformed sync messages with a typed error or keeps every replica consistent', { timeout: 60_000 }, (context) =>
    withSeed(async (seed, rng) => {
      context.diagnostic(`SEED=${seed}`);
      const t = server();
      const garbage = new Garbage(rng);
      const scene = await openScene();
      const tally = new Map<string, number>();
      const wrong: string[] = [];
      let resets = 0;
      for (let sent = 0; sent < 10_000; ) {
        const batch = Array.from({ length: 250 }, () => garbage.syncMessage());
        const mark = scene.offender.received.length;
        const replies = await Promise.all(batch.map((input) => scene.offender.ack('sync', [scene.docId, input.bytes], 15_000)));
        // Garbage can drive Yjs into throwing; the server then reloads the document from storage
        // and sends every member away to join again (resync). Messages after that are not joined.
        const reset = scene.offender.eventsSince(mark, 'kicked').some((event) => (event.args[1] as { code?: unknown }).code === 'resync');
        replies.forEach((reply, i) => {
          const input = batch[i]!;
          const code = refusalCode({ via: 'ack', reply }) ?? (JSON.stringify(reply) === '{"ok":true}' ? 'ok' : `malformed reply ${JSON.stringify(reply)}`);
          tally.set(code, (tally.get(code) ?? 0) + 1);
          const expected = input.bytes.length > LIMITS.maxUpdateBytes ? ['update-too-large'] : ['ok', 'invalid-update', 'change-not-applied', 'missing-dependencies', 'update-too-complex', 'invalid-document'];
          if (reset) expected.push('not-joined', 'resync');
          if (!expected.includes(code)) wrong.push(`${input.kind} ${hex(input.bytes)} → ${code}`);
        });
        if (reset) {
          resets++;
          assert.deepEqual(await scene.offender.join(scene.docId), { ok: true, role: 'edit' });
        }
        sent += batch.length;
      }
      context.diagnostic(`the server reloaded the document ${resets} times`);
      await scene.mirror.settled();
      const summary = JSON.stringify(Object.fromEntries(tally));
      assert.deepEqual(wrong.slice(0, 5), [], `inputs answered wrongly (${wrong.length} in all; tally ${summary})`);
      assert.ok((tally.get('invalid-update') ?? 0) > 1000, `too few inputs refused to be meaningful: ${summary}`);
      assert.ok(scene.offender.connected, 'the offender was disconnected for typed errors');

      // Whatever was accepted reached everyone: the honest peers and the server agree.
      assert.deepEqual(scene.observer.errorsSince(0), []);
      assert.deepEqual(scene.mirror.problems, []);
      assert.deepEqual(scene.honestErrors, []);
      const text = scene.honest.doc.getText('t');
      text.insert(text.length, ' +after fuzz');
      await waitFor('the observer to receive the honest edit', () => scene.mirror.text() === text.toString());
      scene.mirror.doc.getText('t').insert(0, '[observer] ');
      await scene.mirror.saved();
      await waitFor('the provider to receive the observer edit', () => scene.mirror.text() === text.toString());
      await withTimeout('the honest edit to be saved', scene.honest.whenSaved(), 10_000);
      const mismatches: string[] = [];
      const expected = snapshotOf(scene.honest.doc);
      if (snapshotOf(scene.mirror.doc) !== expected) mismatches.push('the provider and the observer diverged');
      const serverDoc = t.server.loadedDoc(scene.docId);
      if (serverDoc === undefined || snapshotOf(serverDoc) !== expected) mismatches.push('the server document differs from the clients');
      const live = t.provider(scene.docId);
      try {
        await synced(live, 'a new client to sync');
        if (snapshotOf(live.doc) !== expected) mismatches.push('a client joining now gets another document than the connected clients hold');
      } finally {
        live.destroy();
      }

      const recorded = await scene.close();
      await t.restart();
      const reloaded = t.provider(scene.docId);
      try {
        await synced(reloaded, 'the document to load after a restart');
        if (reloaded.doc.getText('t').toString() !== recorded.text) mismatches.push('the text reloaded from storage differs');
        if (snapshotOf(reloaded.doc) !== recorded.snapshot) mismatches.push('the document reloaded from storage differs from what the clients held');
      } catch (error) {
        mismatches.push(error instanceof Error ? error.message : String(error));
      } finally {
        reloaded.destroy();
      }
      assert.deepEqual(mismatches, [], `replicas disagree after the fuzz (tally ${summary})`);
    }),
  );

  it('answers 3 000 malformed awareness messages with typed errors and never touches the victim', { timeout: 60_000 }, (context) =>
    withSeed(async (seed) => {
      context.diagnostic(`SEED=${seed}`);
      // Its own stream, not the one the sync fuzz draws from with the same seed.
      const garbage = new Garbage(prng(seed ^ 0x5eed));
      const scene = await openScene();
      const victim = scene.honest.doc.clientID;
      const own = [1, 2, 3, 4, 5, 6].map((i) => victim + i);
      const barrier = encodeSyncMessage(SYNC_STEP1, Y.encodeStateVector(scene.mirror.doc));
      for (let sent = 0; sent < 3000; sent += 300) {
        for (let i = 0; i < 300; i++) scene.offender.emitRaw('awareness', scene.docId, garbage.awarenessMessage([victim, ...own]));
        // The server handles one connection's events in order: once this ack is back, all were handled.
        assert.deepEqual(await scene.offender.ack('sync', [scene.docId, barrier], 15_000), { ok: true });
      }
      const codes = new Set(scene.offender.errorsSince(0).map((error) => error.code));
      assert.ok(codes.size > 0, 'nothing was refused');
      for (const code of codes) assert.ok(['invalid-awareness', 'awareness-too-large', 'awareness-not-owned'].includes(code), `unexpected code ${code}`);

      assert.deepEqual(scene.mirror.awareness.getStates().get(victim), HONEST_PRESENCE, 'the victim presence changed');
      const others = [...scene.mirror.awareness.getStates().keys()].filter((id) => id !== victim);
      assert.ok(others.length <= 4, `the offender controls ${others.length} awareness ids`);
      await scene.offender.close();
      await waitFor('the offender presence to disappear', () => scene.mirror.awareness.getStates().size === 1);
      assert.deepEqual(presence(scene.mirror.awareness), [[victim, HONEST_PRESENCE]]);
      assert.deepEqual(scene.mirror.problems, []);
      assert.deepEqual(scene.honestErrors, []);
    }),
  );
});
