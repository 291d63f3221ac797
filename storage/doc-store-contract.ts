/**
 * The contract every DocStore backend must pass. A backend's test file calls
 * `runDocStoreContract(name, setup)` once; `setup` is called before every case and must return a
 * fresh, empty store plus a teardown that releases everything (teardown must accept a store the
 * case already closed). Uses node:test, so import it only from tests, never from index.ts.
 *
 * Randomised cases take their seed from the SEED environment variable (else a random one), print
 * it when they fail, and replay with SEED=n.
 */

import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import type { DocStore } from './doc-store.js';

export interface DocStoreFixture {
  readonly store: DocStore;
  readonly teardown: () => Promise<void>;
}

const DOC_A = 'docAAAAAAAAAAAAAAAAAAA';
const DOC_B = 'docBBBBBBBBBBBBBBBBBBB';
const DOC_C = 'docCCCCCCCCCCCCCCCCCCC';
const TOKEN_1 = 'tok1_111111111111111111111111111';
const TOKEN_2 = 'tok2-222222222222222222222222222';

/** A Y.Doc that records every update it produces, as a client would send them. */
class Writer {
  readonly doc = new Y.Doc();
  readonly updates: Uint8Array[] = [];
  #taken = 0;

  constructor() {
    this.doc.on('update', (update: Uint8Array) => this.updates.push(update));
  }

  get text(): Y.Text {
    return this.doc.getText('t');
  }

  insert(index: number, content: string): this {
    this.text.insert(index, content);
    return this;
  }

  /** Updates produced since the last call. */
  take(): Uint8Array[] {
    const fresh = this.updates.slice(this.#taken);
    this.#taken = this.updates.length;
    return fresh;
  }
}

function docFrom(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc;
}

/** Asserts that a stored update holds exactly the writer's state: same text, same state vector. */
function assertSameState(update: Uint8Array, expected: Y.Doc, message?: string): void {
  const actual = docFrom(update);
  assert.equal(actual.getText('t').toString(), expected.getText('t').toString(), message);
  assert.deepEqual(Y.encodeStateVector(actual), Y.encodeStateVector(expected), message);
  actual.destroy();
}

async function loadOrFail(store: DocStore, docId: string): Promise<Uint8Array> {
  const stored = await store.load(docId);
  assert.ok(stored, `expected ${docId} to be stored`);
  return stored.update;
}

function sum(updates: readonly Uint8Array[]): number {
  return updates.reduce((total, update) => total + update.length, 0);
}

/** mulberry32: small, seedable, good enough to pick test operations. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function testSeed(): number {
  const fromEnv = process.env['SEED'];
  return fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
}

async function withSeed(body: (seed: number) => Promise<void>): Promise<void> {
  const seed = testSeed();
  try {
    await body(seed);
  } catch (error) {
    console.error(`Failed with SEED=${seed}; replay with SEED=${seed}`);
    throw error;
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Registers the DocStore contract cases for one backend. */
export function runDocStoreContract(name: string, setup: () => Promise<DocStoreFixture>): void {
  describe(`DocStore contract: ${name}`, { timeout: 60_000 }, () => {
    let fixture: DocStoreFixture | null = null;
    const store = (): DocStore => {
      assert.ok(fixture, 'setup did not run');
      return fixture.store;
    };

    beforeEach(async () => {
      fixture = await setup();
    });
    afterEach(async () => {
      const current = fixture;
      fixture = null;
      if (current) await current.teardown();
    });

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
      for (const update of updates) await store().append([{ docId: DOC_A, update }]);
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
          for (const update of writer.take()) batch.push({ docId: ids[index] ?? DOC_A, update });
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
        await store().append(writer.take().map((update) => ({ docId: DOC_A, update })));
      }
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < 150; i += 1) {
        writer.insert(i % 7, `<${i}>`);
        inFlight.push(store().append(writer.take().map((update) => ({ docId: DOC_A, update }))));
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
      await store().append(updates.map((update) => ({ docId: DOC_A, update })));
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
      await store().append(writer.take().map((update) => ({ docId: DOC_A, update })));
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
        await store().append(writer.take().map((update) => ({ docId: DOC_A, update })));
      }
      const during: Promise<void>[] = [];
      const appendNow = (label: string): void => {
        writer.insert(0, label);
        during.push(store().append(writer.take().map((update) => ({ docId: DOC_A, update }))));
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

    it('loses nothing when two compactions of one document run at once', async () => {
      const writer = new Writer();
      for (let i = 0; i < 60; i += 1) {
        writer.insert(writer.text.length, `${i} `);
        await store().append(writer.take().map((update) => ({ docId: DOC_A, update })));
      }
      const first = store().compact(DOC_A);
      writer.insert(0, 'between ');
      const append = store().append(writer.take().map((update) => ({ docId: DOC_A, update })));
      const second = store().compact(DOC_A);
      const [a, , b] = await Promise.all([first, append, second]);
      // Every entry is merged exactly once, by one compaction or the other.
      assert.ok(a.entriesMerged + b.entriesMerged >= 60 && a.entriesMerged + b.entriesMerged <= 61);
      assertSameState(await loadOrFail(store(), DOC_A), writer.doc);
    });

    it('survives random interleavings of appends and compactions (seeded)', async () => {
      await withSeed(async (seed) => {
        const next = random(seed);
        const ids = [DOC_A, DOC_B, DOC_C];
        const writers = ids.map(() => new Writer());
        const running: Promise<unknown>[] = [];
        for (let step = 0; step < 120; step += 1) {
          const which = Math.floor(next() * ids.length);
          const writer = writers[which];
          const docId = ids[which];
          assert.ok(writer && docId);
          const roll = next();
          if (roll < 0.15) {
            running.push(store().compact(docId));
          } else if (roll < 0.25 && writer.text.length > 2) {
            writer.text.delete(Math.floor(next() * (writer.text.length - 1)), 1);
            running.push(store().append(writer.take().map((update) => ({ docId, update }))));
          } else {
            writer.insert(Math.floor(next() * (writer.text.length + 1)), String.fromCharCode(97 + (step % 26)));
            running.push(store().append(writer.take().map((update) => ({ docId, update }))));
          }
          if (next() < 0.3) await tick();
        }
        await Promise.all(running);
        for (const [index, docId] of ids.entries()) {
          const writer = writers[index];
          assert.ok(writer);
          if (writer.updates.length === 0) continue;
          assertSameState(await loadOrFail(store(), docId), writer.doc, `${docId} with SEED=${seed}`);
        }
      });
    });

    it('deletes every trace of a document and nothing else', async () => {
      const doomed = new Writer().insert(0, 'doomed');
      const kept = new Writer().insert(0, 'kept');
      await store().append([
        ...doomed.take().map((update) => ({ docId: DOC_A, update })),
        ...kept.take().map((update) => ({ docId: DOC_B, update })),
      ]);
      await store().compact(DOC_A);
      doomed.insert(0, 'more ');
      await store().append(doomed.take().map((update) => ({ docId: DOC_A, update })));
      await store().setViewToken(DOC_A, TOKEN_1);
      await store().setViewToken(DOC_B, TOKEN_2);

      await store().delete(DOC_A);
      assert.equal(await store().load(DOC_A), null);
      assert.equal(await store().stat(DOC_A), null);
      assert.equal(await store().getViewToken(DOC_A), null);
      assert.equal(await store().resolveViewToken(TOKEN_1), null);
      assert.deepEqual((await store().list()).map((doc) => doc.docId), [DOC_B]);

      assertSameState(await loadOrFail(store(), DOC_B), kept.doc);
      assert.equal(await store().resolveViewToken(TOKEN_2), DOC_B);
      // Deleting what is not there is not an error.
      await store().delete(DOC_A);
      await store().delete(DOC_C);
    });

    it('lists and stats documents with sizes and update times, ordered by id', async () => {
      const started = Date.now();
      const b = new Writer().insert(0, 'bbbb');
      const a = new Writer().insert(0, 'aaaaaaaa');
      const bUpdates = b.take();
      const aUpdates = a.take();
      await store().append(bUpdates.map((update) => ({ docId: DOC_B, update })));
      await store().append(aUpdates.map((update) => ({ docId: DOC_A, update })));
      const finished = Date.now();

      const list = await store().list();
      assert.deepEqual(
        list.map((doc) => [doc.docId, doc.storedBytes]),
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

    it('keeps documents whose ids are prefixes of each other apart', async () => {
      const ids = ['aaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaab', 'aaaaaaaaaaaaaaaa-', 'aaaaaaaaaaaaaaaa_'];
      const writers = ids.map((id) => new Writer().insert(0, id));
      await store().append(ids.flatMap((docId, index) => writers[index]?.take().map((update) => ({ docId, update })) ?? []));
      await store().setViewToken('aaaaaaaaaaaaaaaab', TOKEN_1);
      await store().compact('aaaaaaaaaaaaaaaa');
      for (const [index, docId] of ids.entries()) {
        const stored = await store().load(docId);
        assert.ok(stored);
        assert.equal(docFrom(stored.update).getText('t').toString(), docId);
      }
      assert.deepEqual(
        (await store().list()).map((doc) => doc.docId),
        [...ids].sort(),
      );
      await store().delete('aaaaaaaaaaaaaaaa');
      assert.equal(await store().load('aaaaaaaaaaaaaaaa'), null);
      for (const docId of ids.slice(1)) {
        assert.equal(docFrom(await loadOrFail(store(), docId)).getText('t').toString(), docId);
      }
      assert.equal(await store().resolveViewToken(TOKEN_1), 'aaaaaaaaaaaaaaaab');
    });

    it('rejects malformed document ids and tokens before touching storage', async () => {
      const update = new Writer().insert(0, 'x').take()[0] ?? new Uint8Array();
      await assert.rejects(store().load('short'), RangeError);
      await assert.rejects(store().load('../../etc/passwd/xxxxx'), RangeError);
      await assert.rejects(store().append([{ docId: 'has/slash-aaaaaaaaaa', update }]), RangeError);
      await assert.rejects(store().setViewToken(DOC_A, 'not-a-token'), RangeError);
      await assert.rejects(store().resolveViewToken('x'.repeat(33)), RangeError);
      assert.deepEqual(await store().list(), []);
    });

    it('answers ping while open, and rejects every call once closed', async () => {
      await store().ping();
      const update = new Writer().insert(0, 'x').take()[0] ?? new Uint8Array();
      await store().append([{ docId: DOC_A, update }]);
      await store().close();
      await assert.rejects(store().load(DOC_A));
      await assert.rejects(store().append([{ docId: DOC_A, update }]));
      await assert.rejects(store().compact(DOC_A));
      await assert.rejects(store().delete(DOC_A));
      await assert.rejects(store().list());
      await assert.rejects(store().stat(DOC_A));
      await assert.rejects(store().getViewToken(DOC_A));
      await assert.rejects(store().setViewToken(DOC_A, TOKEN_1));
      await assert.rejects(store().resolveViewToken(TOKEN_1));
      await assert.rejects(store().ping());
    });
  });
}
