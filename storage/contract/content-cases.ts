/**
 * Contract cases for content: the log, compaction, listing, view tokens, argument checks and
 * closing. (Trash and purge are in trash-cases.ts; documents with prefix ids in isolation-cases.ts.)
 */

import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { DocStore } from '../doc-store.js';
import { mergeHere } from '../store-support.js';
import {
  assertRefused,
  assertSameState,
  docFrom,
  DOC_A,
  DOC_B,
  DOC_C,
  linkFor,
  loadOrFail,
  sum,
  tick,
  TOKEN_1,
  TOKEN_2,
  versionOf,
  Writer,
  type ContractContext,
} from './contract-helpers.js';

export function contentCases(ctx: ContractContext): void {
  const store = (): DocStore => ctx.store();

  it('loads an unknown document as null', async () => {
    assert.equal(await store().load(DOC_A), null);
    assert.equal(await store().stat(DOC_A), null);
    assert.deepEqual(await store().list(), []);
  });

  it('loads what was appended, merged', async () => {
    const writer = new Writer().insert(0, 'hello');
    writer.insert(5, ' world');
    writer.text.delete(0, 1);
    const updates = writer.take();
    assert.equal(updates.length, 3);
    for (const update of updates) await store().append([{ docName: DOC_A, update }]);
    const stored = await store().load(DOC_A);
    assert.ok(stored);
    assert.equal(stored.logEntries, 3);
    assert.equal(stored.storedBytes, sum(updates));
    assertSameState(stored.update, writer.doc);
    assert.equal(docFrom(stored.update).getText('t').toString(), 'ello world');
  });

  it('appends a batch spanning several documents as one call', async () => {
    const writers = [new Writer(), new Writer(), new Writer()];
    const ids = [DOC_A, DOC_B, DOC_C];
    const batch = [];
    for (let round = 0; round < 4; round += 1) {
      for (const [index, writer] of writers.entries()) {
        writer.insert(0, `${index}:${round};`);
        for (const update of writer.take()) batch.push({ docName: ids[index] ?? DOC_A, update });
      }
    }
    await store().append(batch);
    for (const [index, writer] of writers.entries()) {
      const stored = await store().load(ids[index] ?? DOC_A);
      assert.ok(stored);
      assert.equal(stored.logEntries, 4);
      assertSameState(stored.update, writer.doc);
    }
  });

  it('accepts an empty batch without storing anything', async () => {
    await store().append([]);
    assert.deepEqual(await store().list(), []);
  });

  it('keeps many appends, awaited one by one and in flight together', async () => {
    const writer = new Writer();
    for (let i = 0; i < 150; i += 1) {
      writer.insert(writer.text.length, `${i},`);
      await store().append(writer.take().map((update) => ({ docName: DOC_A, update })));
    }
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < 150; i += 1) {
      writer.insert(i % 7, `<${i}>`);
      inFlight.push(store().append(writer.take().map((update) => ({ docName: DOC_A, update }))));
    }
    await Promise.all(inFlight);
    const stored = await store().load(DOC_A);
    assert.ok(stored);
    assert.equal(stored.logEntries, 300);
    assertSameState(stored.update, writer.doc);
  });

  it('compacts: keeps the content, drops deleted content, empties the log', async () => {
    const writer = new Writer();
    for (let i = 0; i < 200; i += 1) writer.insert(writer.text.length, 'x'.repeat(99) + '\n');
    writer.text.delete(10, writer.text.length - 10);
    writer.insert(10, 'tail');
    const updates = writer.take();
    await store().append(updates.map((update) => ({ docName: DOC_A, update })));
    const before = await store().stat(DOC_A);
    assert.ok(before);
    assert.equal(before.storedBytes, sum(updates));

    const result = await store().compact(DOC_A);
    assert.equal(result.entriesMerged, updates.length);
    assert.equal(result.bytesBefore, sum(updates));
    // 20,000 deleted characters must be garbage-collected, not merely merged.
    assert.ok(result.bytesAfter < 1000, `compacted snapshot is ${result.bytesAfter} bytes`);
    assert.ok(result.bytesAfter < result.bytesBefore / 10);

    const stored = await store().load(DOC_A);
    assert.ok(stored);
    assert.equal(stored.logEntries, 0);
    assert.equal(stored.storedBytes, result.bytesAfter);
    assertSameState(stored.update, writer.doc);
    const after = await store().stat(DOC_A);
    assert.equal(after?.storedBytes, result.bytesAfter);
    assert.ok((after?.updatedAt ?? 0) >= before.updatedAt);

    // A second compaction has nothing to merge and changes nothing.
    const again = await store().compact(DOC_A);
    assert.equal(again.entriesMerged, 0);
    assertSameState(await loadOrFail(store(), DOC_A), writer.doc);

    // Appending after a compaction lands on top of the snapshot.
    writer.insert(0, 'head');
    await store().append(writer.take().map((update) => ({ docName: DOC_A, update })));
    const reloaded = await store().load(DOC_A);
    assert.equal(reloaded?.logEntries, 1);
    assertSameState(reloaded?.update ?? new Uint8Array(), writer.doc);
  });

  it('compacting an unknown document changes nothing', async () => {
    const result = await store().compact(DOC_A);
    assert.equal(result.entriesMerged, 0);
    assert.equal(await store().load(DOC_A), null);
  });

  it('keeps appends made while a compaction runs', async () => {
    const writer = new Writer();
    for (let i = 0; i < 100; i += 1) {
      writer.insert(writer.text.length, `line ${i}\n`);
      await store().append(writer.take().map((update) => ({ docName: DOC_A, update })));
    }
    const during: Promise<void>[] = [];
    const appendNow = (label: string): void => {
      writer.insert(0, label);
      during.push(store().append(writer.take().map((update) => ({ docName: DOC_A, update }))));
    };
    const compaction = store().compact(DOC_A);
    appendNow('[sync]');
    await Promise.resolve();
    appendNow('[microtask]');
    await tick();
    appendNow('[tick]');
    await tick();
    appendNow('[tick2]');
    const [result] = await Promise.all([compaction, ...during]);
    assert.ok(result.entriesMerged >= 100);
    assertSameState(await loadOrFail(store(), DOC_A), writer.doc);
    await store().compact(DOC_A);
    const final = await store().load(DOC_A);
    assert.equal(final?.logEntries, 0);
    assertSameState(final?.update ?? new Uint8Array(), writer.doc);
  });

  it('merges with the function it is given, the snapshot first, and keeps appends made while that merge waits', async () => {
    const writer = new Writer();
    for (let i = 0; i < 30; i += 1) {
      writer.insert(writer.text.length, `a${i} `);
      await store().append(writer.take().map((update) => ({ docName: DOC_A, update })));
    }
    await store().compact(DOC_A);
    const snapshot = await loadOrFail(store(), DOC_A);
    for (let i = 0; i < 20; i += 1) {
      writer.insert(writer.text.length, `b${i} `);
      await store().append(writer.take().map((update) => ({ docName: DOC_A, update })));
    }
    // As a merge in a worker thread does: it answers later, while appends go on.
    const given: Uint8Array[][] = [];
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let started: () => void = () => undefined;
    const merging = new Promise<void>((resolve) => (started = resolve));
    const compaction = store().compact(DOC_A, async (parts) => {
      given.push([...parts]);
      started();
      await released;
      return mergeHere(parts);
    });
    await merging;
    writer.insert(0, '[during] ');
    const during = store().append(writer.take().map((update) => ({ docName: DOC_A, update })));
    await tick();
    release();
    const [result] = await Promise.all([compaction, during]);
    assert.equal(result.entriesMerged, 20);
    assert.equal(given[0]?.length, 21, 'the snapshot and the 20 entries');
    assert.deepEqual(given[0]?.[0], snapshot, 'the snapshot comes first');
    assertSameState(await loadOrFail(store(), DOC_A), writer.doc);
    assert.equal((await store().load(DOC_A))?.logEntries, 1, 'the append made during the merge stays in the log');
  });

  it('loses nothing when two compactions of one document run at once', async () => {
    const writer = new Writer();
    for (let i = 0; i < 60; i += 1) {
      writer.insert(writer.text.length, `${i} `);
      await store().append(writer.take().map((update) => ({ docName: DOC_A, update })));
    }
    const first = store().compact(DOC_A);
    writer.insert(0, 'between ');
    const append = store().append(writer.take().map((update) => ({ docName: DOC_A, update })));
    const second = store().compact(DOC_A);
    const [a, , b] = await Promise.all([first, append, second]);
    // Every entry is merged exactly once, by one compaction or the other.
    assert.ok(a.entriesMerged + b.entriesMerged >= 60 && a.entriesMerged + b.entriesMerged <= 61);
    assertSameState(await loadOrFail(store(), DOC_A), writer.doc);
  });

  it('lists and stats documents with sizes and update times, ordered by id', async () => {
    const started = Date.now();
    const b = new Writer().insert(0, 'bbbb');
    const a = new Writer().insert(0, 'aaaaaaaa');
    const bUpdates = b.take();
    const aUpdates = a.take();
    await store().append(bUpdates.map((update) => ({ docName: DOC_B, update })));
    await store().append(aUpdates.map((update) => ({ docName: DOC_A, update })));
    const finished = Date.now();

    const list = await store().list();
    assert.deepEqual(
      list.map((doc) => [doc.docName, doc.storedBytes]),
      [
        [DOC_A, sum(aUpdates)],
        [DOC_B, sum(bUpdates)],
      ],
    );
    for (const summary of list) {
      assert.ok(summary.updatedAt >= started - 1000 && summary.updatedAt <= finished + 1000, `updatedAt ${summary.updatedAt}`);
    }
    const stat = await store().stat(DOC_A);
    assert.deepEqual(stat, list[0]);
  });

  it('sets, gets, resolves and replaces view tokens', async () => {
    assert.equal(await store().getViewToken(DOC_A), null);
    assert.equal(await store().resolveViewToken(TOKEN_1), null);
    await store().setViewToken(DOC_A, TOKEN_1);
    assert.equal(await store().getViewToken(DOC_A), TOKEN_1);
    assert.equal(await store().resolveViewToken(TOKEN_1), DOC_A);
    // Setting the same token again is harmless.
    await store().setViewToken(DOC_A, TOKEN_1);
    assert.equal(await store().resolveViewToken(TOKEN_1), DOC_A);

    await store().setViewToken(DOC_A, TOKEN_2);
    assert.equal(await store().getViewToken(DOC_A), TOKEN_2);
    assert.equal(await store().resolveViewToken(TOKEN_2), DOC_A);
    assert.equal(await store().resolveViewToken(TOKEN_1), null, 'the replaced token must stop resolving');

    // A token belongs to one document only.
    await assert.rejects(store().setViewToken(DOC_B, TOKEN_2));
    assert.equal(await store().resolveViewToken(TOKEN_2), DOC_A);
    assert.equal(await store().getViewToken(DOC_B), null);
  });

  it('purges every trace of a document and nothing else (delete is purge, now)', async () => {
    const doomed = new Writer().insert(0, 'doomed');
    const kept = new Writer().insert(0, 'kept');
    await store().append([...doomed.entries(DOC_A), ...kept.entries(DOC_B)]);
    await store().compact(DOC_A);
    doomed.insert(0, 'more ');
    await store().append(doomed.entries(DOC_A));
    await store().setViewToken(DOC_A, TOKEN_1);
    await store().setViewToken(DOC_B, TOKEN_2);

    await store().purge(DOC_A, 1000);
    assert.equal(await store().load(DOC_A), null);
    assert.equal(await store().stat(DOC_A), null);
    assert.equal(await store().getViewToken(DOC_A), null);
    assert.equal(await store().resolveViewToken(TOKEN_1), null);
    assert.deepEqual((await store().list()).map((doc) => doc.docName), [DOC_B]);

    assertSameState(await loadOrFail(store(), DOC_B), kept.doc);
    assert.equal(await store().resolveViewToken(TOKEN_2), DOC_B);
    // Purging what is not there is not an error; it leaves a tombstone all the same.
    await store().purge(DOC_A, 2000);
    await store().purge(DOC_C, 2000);
    assert.equal(await store().status(DOC_C), 'purged');

    // The deprecated delete purges: no trash, a tombstone.
    await store().delete(DOC_B);
    assert.equal(await store().load(DOC_B), null);
    assert.equal(await store().resolveViewToken(TOKEN_2), null);
    assert.equal(await store().status(DOC_B), 'purged');
    assert.deepEqual(await store().listTrash(), []);
  });

  it('rejects malformed document ids and tokens before touching storage', async () => {
    const update = new Writer().insert(0, 'x').take()[0] ?? new Uint8Array();
    await assert.rejects(store().load('short'), RangeError);
    await assert.rejects(store().load('../../etc/passwd/xxxxx'), RangeError);
    await assert.rejects(store().append([{ docName: 'has/slash-aaaaaaaaaa', update }]), RangeError);
    await assert.rejects(store().setViewToken(DOC_A, 'not-a-token'), RangeError);
    await assert.rejects(store().resolveViewToken('x'.repeat(33)), RangeError);
    for (const bad of ['short', 'has/slash-aaaaaaaaaa', 'x'.repeat(65)]) {
      await assert.rejects(store().status(bad), RangeError);
      await assert.rejects(store().trash(bad, 1), RangeError);
      await assert.rejects(store().untrash(bad), RangeError);
      await assert.rejects(store().purge(bad, 1), RangeError);
      await assert.rejects(store().listLinks(bad), RangeError);
      await assert.rejects(store().listVersions(bad), RangeError);
      await assert.rejects(store().listBlobs(bad), RangeError);
      await assert.rejects(store().createLink(linkFor(bad, 'token')), RangeError);
      await assert.rejects(store().touchLinks([{ docName: bad, linkId: 'l1', at: 1 }]), RangeError);
      await assert.rejects(store().saveVersion(versionOf(bad, 'v1', 1), new Uint8Array([0, 0])), RangeError);
      await assert.rejects(store().putBlob(bad, { id: 'b1', contentType: 'image/png', bytes: new Uint8Array([1]), createdAt: 1 }), RangeError);
    }
    for (const badTime of [-1, 1.5, Number.NaN, 2 ** 53]) {
      await assert.rejects(store().trash(DOC_A, badTime), RangeError);
      await assert.rejects(store().purge(DOC_A, badTime), RangeError);
      await assert.rejects(store().purgeTrash(badTime, 1), RangeError);
    }
    assert.deepEqual(await store().list(), []);
    assert.equal(await store().status(DOC_A), 'missing', 'nothing was purged by a refused call');
  });

  it('refuses to write to a purged document through setViewToken', async () => {
    await store().purge(DOC_A, 1);
    await assertRefused(store().setViewToken(DOC_A, TOKEN_1), [{ docName: DOC_A, status: 'purged' }]);
    assert.equal(await store().resolveViewToken(TOKEN_1), null);
  });

  it('answers ping while open, and rejects every call once closed', async () => {
    await store().ping();
    const update = new Writer().insert(0, 'x').take()[0] ?? new Uint8Array();
    await store().append([{ docName: DOC_A, update }]);
    await store().close();
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['load', () => store().load(DOC_A)],
      ['append', () => store().append([{ docName: DOC_A, update }])],
      ['compact', () => store().compact(DOC_A)],
      ['delete', () => store().delete(DOC_A)],
      ['list', () => store().list()],
      ['stat', () => store().stat(DOC_A)],
      ['getViewToken', () => store().getViewToken(DOC_A)],
      ['setViewToken', () => store().setViewToken(DOC_A, TOKEN_1)],
      ['resolveViewToken', () => store().resolveViewToken(TOKEN_1)],
      ['createLink', () => store().createLink(linkFor(DOC_A, 'token'))],
      ['findLink', () => store().findLink('0'.repeat(64))],
      ['listLinks', () => store().listLinks(DOC_A)],
      ['revokeLink', () => store().revokeLink(DOC_A, 'l1', 1)],
      ['touchLinks', () => store().touchLinks([{ docName: DOC_A, linkId: 'l1', at: 1 }])],
      ['saveVersion', () => store().saveVersion(versionOf(DOC_A, 'v1', 1), update)],
      ['listVersions', () => store().listVersions(DOC_A)],
      ['loadVersion', () => store().loadVersion(DOC_A, 'v1')],
      ['deleteVersions', () => store().deleteVersions(DOC_A, ['v1'])],
      ['status', () => store().status(DOC_A)],
      ['trash', () => store().trash(DOC_A, 1)],
      ['untrash', () => store().untrash(DOC_A)],
      ['listTrash', () => store().listTrash()],
      ['purge', () => store().purge(DOC_A, 1)],
      ['purgeTrash', () => store().purgeTrash(1, 1)],
      ['putBlob', () => store().putBlob(DOC_A, { id: 'b1', contentType: 'image/png', bytes: update, createdAt: 1 })],
      ['getBlob', () => store().getBlob(DOC_A, 'b1')],
      ['listBlobs', () => store().listBlobs(DOC_A)],
      ['deleteBlob', () => store().deleteBlob(DOC_A, 'b1')],
      ['ping', () => store().ping()],
    ];
    for (const [name, call] of calls) await assert.rejects(call(), (error: unknown) => error instanceof Error && error.name === 'StoreClosedError', name);
    // close itself may be called again.
    await store().close();
  });
}
