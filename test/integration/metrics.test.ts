/**
 * /metrics on a real server: the Prometheus text moves as providers connect, edit and leave, and
 * as the server refuses a message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { encodeUpdateMessage } from '../../shared/protocol.js';
import { http } from '../support/http.js';
import { parseSamples, sampleValue } from '../support/prometheus.js';
import { RawClient } from '../support/raw-client.js';
import { useTestServer } from '../support/test-server.js';
import { waitFor } from '../support/wait.js';

const METRICS = [
  'quire_connections',
  'quire_rooms_loaded',
  'quire_updates_received_total',
  'quire_updates_relayed_total',
  'quire_store_write_seconds_count',
  'quire_store_write_failures_total',
  'quire_room_load_seconds_count',
];

describe('/metrics', () => {
  const t = useTestServer({ limits: { maxUpdateBytes: 4096 } });
  const scrape = async (): Promise<string> => {
    const result = await http(`${t().url}/metrics`);
    assert.equal(result.status, 200, result.text);
    return result.text;
  };
  const value = async (name: string, labels?: Record<string, string>): Promise<number> => {
    const text = await scrape();
    const found = sampleValue(text, name, labels);
    assert.notEqual(found, undefined, `${name}${JSON.stringify(labels ?? {})} is in the scrape`);
    return found!;
  };


  it('serves the Prometheus text format with every Quire metric, starting from zero', async () => {
    const result = await http(`${t().url}/metrics`);
    assert.equal(result.status, 200);
    assert.match(result.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const samples = parseSamples(result.text);
    for (const name of METRICS) {
      assert.ok(samples.some((s) => s.name === name), `${name} is exported`);
      const base = name.replace(/_count$/, '');
      assert.match(result.text, new RegExp(`^# HELP ${base} \\S`, 'm'), `${base} has help`);
      assert.match(result.text, new RegExp(`^# TYPE ${base} (counter|gauge|histogram)$`, 'm'), `${base} has a type`);
    }
    for (const name of METRICS) assert.equal(sampleValue(result.text, name), 0, `${name} starts at 0`);
    assert.ok(samples.some((s) => s.name.startsWith('quire_process_')), 'process metrics are there');
  });

  it('counts connections, loaded rooms, received and relayed updates, and store writes', async () => {
    const docName = await t().createDoc();
    const a = t().provider(docName);
    const b = t().provider(docName);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    assert.equal(await value('quire_connections'), 2);
    assert.equal(await value('quire_rooms_loaded'), 1);
    assert.ok((await value('quire_room_load_seconds_count')) >= 1);

    const received = await value('quire_updates_received_total');
    const relayed = await value('quire_updates_relayed_total');
    const writes = await value('quire_store_write_seconds_count');
    for (const word of ['one ', 'two ', 'three ']) {
      a.doc.getText('t').insert(0, word);
      await a.whenSaved();
    }
    await waitFor('b to see the edits', () => b.doc.getText('t').toString() === 'three two one ');
    assert.equal((await value('quire_updates_received_total')) - received, 3, 'three updates received');
    assert.equal((await value('quire_updates_relayed_total')) - relayed, 3, 'each relayed to the one other page');
    assert.ok((await value('quire_store_write_seconds_count')) - writes >= 1, 'store writes are timed');
    assert.ok((await value('quire_update_bytes_received_total')) > 0);
    assert.ok((await value('quire_relayed_bytes_total')) > 0);

    const c = t().provider(docName);
    await c.whenSynced();
    const relayedBefore = await value('quire_updates_relayed_total');
    b.doc.getText('t').insert(0, 'four ');
    await b.whenSaved();
    await waitFor('c to see b', () => c.doc.getText('t').toString().startsWith('four'));
    assert.equal((await value('quire_updates_relayed_total')) - relayedBefore, 2, 'one update relayed to two pages counts two');
    assert.equal(await value('quire_connections'), 3);

    for (const p of [a, b, c]) p.destroy();
    await waitFor('quire_connections to drop to 0', async () => (await value('quire_connections')) === 0);
    await waitFor('quire_rooms_loaded to drop to 0', async () => (await value('quire_rooms_loaded')) === 0);
  });

  it('counts refusals by code in quire_errors_total', async () => {
    const client = await RawClient.connect(t().url);
    try {
      const docName = await t().createDoc();
      assert.equal((await client.join(docName)).ok, true);
      const before = sampleValue(await scrape(), 'quire_errors_total', { code: 'update-too-large' }) ?? 0;
      const big = new Y.Doc();
      big.getText('t').insert(0, 'x'.repeat(8000));
      const reply = await client.sync(docName, encodeUpdateMessage(Y.encodeStateAsUpdate(big)));
      big.destroy();
      assert.equal(reply.ok, false);
      assert.equal(await value('quire_errors_total', { code: 'update-too-large' }), before + 1);

      const invalidBefore = sampleValue(await scrape(), 'quire_errors_total', { code: 'invalid-update' }) ?? 0;
      await client.sync(docName, encodeUpdateMessage(new Uint8Array([1, 2, 3, 4, 5])));
      assert.equal(await value('quire_errors_total', { code: 'invalid-update' }), invalidBefore + 1);

      const joinBefore = sampleValue(await scrape(), 'quire_errors_total', { code: 'invalid-doc-name' }) ?? 0;
      await client.join('not a document');
      assert.equal(await value('quire_errors_total', { code: 'invalid-doc-name' }), joinBefore + 1);
    } finally {
      await client.close();
    }
  });
});
