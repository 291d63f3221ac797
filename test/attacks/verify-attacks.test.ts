/**
 * `verify` as an attack, against a real server process: snapshots near the message size limit
 * that name 100,000 deletion ranges, sent again and again against a document holding many
 * deletions of its own. Each used to cost a walk over every struct of the document plus a
 * comparison of every range asked for with every range held; now the document's delete set is
 * kept until it changes and each range is found by binary search. The honest people notice
 * nothing, `/healthz` stays prompt, and every answer is a reply or a typed refusal.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { DocProvider } from '../../client/provider.js';
import { AttackWatch } from '../support/attack-watch.js';
import { deletingEveryOther } from '../support/deletion-ranges.js';
import { RawClient, refusalCode } from '../support/raw-client.js';
import { useServerProcess } from '../support/server-process.js';
import { withTimeout } from '../support/wait.js';

/**
 * A snapshot asking about `count` deletion ranges, all of them ranges `doc` holds deleted (repeated
 * as often as needed), with `doc`'s own state vector: the server can answer only after looking up
 * every one.
 */
function manyRangeSnapshot(doc: Y.Doc, count: number): Uint8Array {
  const held = Y.createDeleteSetFromStructStore(doc.store);
  const client = doc.clientID;
  const ranges = held.clients.get(client) ?? [];
  assert.ok(ranges.length > 1000, `the document holds ${ranges.length} deletion ranges`);
  const wanted = Y.createDeleteSet();
  wanted.clients.set(client, Array.from({ length: count }, (_, i) => ranges[i % ranges.length]!));
  const stateVector = new Map([[client, Y.decodeStateVector(Y.encodeStateVector(doc)).get(client) ?? 0]]);
  return Y.encodeSnapshot(Y.createSnapshot(wanted, stateVector));
}

describe('attacks through verify', () => {
  const server = useServerProcess();

  it('snapshots of 100,000 deletion ranges against a document of many deletions keep the server prompt', { timeout: 120_000 }, async (t) => {
    // The victim document first gets 24,000 deletions of its own (every other character of a
    // long text), before the watching starts.
    let snapshot: Uint8Array | null = null;
    const watch = await AttackWatch.start(t, server(), async (victimDoc) => {
      const builder = new DocProvider(server().url, victimDoc, new Y.Doc(), { transports: ['websocket'] });
      try {
        await withTimeout('the builder to sync', builder.whenSynced(), 10_000);
        const text = builder.doc.getText('filler');
        text.insert(0, 'x'.repeat(48_000));
        await withTimeout('the text to be saved', builder.whenSaved(), 20_000);
        for (let chunk = 0; chunk < 8; chunk++) {
          Y.applyUpdate(builder.doc, deletingEveryOther(builder.doc.clientID, chunk * 6000, 3000));
          await withTimeout('the deletions to be saved', builder.whenSaved(), 20_000);
        }
        snapshot = manyRangeSnapshot(builder.doc, 100_000);
      } finally {
        builder.destroy();
      }
    });
    assert.ok(snapshot !== null);
    t.diagnostic(`snapshot of ${(snapshot as Uint8Array).length} bytes`);
    const attacker = await RawClient.connect(server().url);
    const tally = new Map<string, number>();
    try {
      assert.deepEqual(await attacker.join(watch.victimDoc), { ok: true, role: 'edit' });
      const started = performance.now();
      for (let i = 0; i < 30; i++) {
        const reply = (await attacker.ack('verify', [watch.victimDoc, snapshot as Uint8Array], 15_000)) as { ok: boolean; covered?: boolean };
        const answer = reply.ok ? `covered:${String(reply.covered)}` : (refusalCode({ via: 'ack', reply }) ?? 'untyped');
        tally.set(answer, (tally.get(answer) ?? 0) + 1);
      }
      t.diagnostic(`30 verifies answered in ${Math.round(performance.now() - started)} ms`);
    } finally {
      await attacker.close();
    }
    t.diagnostic(`answers to 30 verifies: ${JSON.stringify(Object.fromEntries(tally))}`);
    assert.deepEqual([...tally.keys()].filter((answer) => !['covered:true', 'rate-limited'].includes(answer)), [], 'every answer is a reply or a typed refusal');
    assert.ok((tally.get('covered:true') ?? 0) >= 1, 'the server looked every range up and answered');
    const report = await watch.finish({ rssGrowthMb: 150 });
    t.diagnostic(JSON.stringify(report));
  });
});
