/** Contract cases for versions: save, list newest first, load, delete, independence from the log, big snapshots. */

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import type { DocStore } from '../doc-store.js';
import type { NewVersion } from '../version-store.js';
import { assertConflict, assertRefused, DOC_A, DOC_B, loadOrFail, seedDoc, textOf, versionOf, type ContractContext } from './contract-helpers.js';

export function versionCases(ctx: ContractContext): void {
  const store = (): DocStore => ctx.store();

  it('saves versions, lists them newest first, loads and deletes them', async () => {
    const writer = await seedDoc(store(), DOC_A, 'first');
    const first = Y.encodeStateAsUpdate(writer.doc);
    const saved = await store().saveVersion(versionOf(DOC_A, 'v-first', 1000, { kind: 'named', label: 'Draft 1', authors: ['link1', 'Ana'] }), first);
    assert.deepEqual(saved, { id: 'v-first', docName: DOC_A, createdAt: 1000, kind: 'named', label: 'Draft 1', authors: ['link1', 'Ana'], sizeBytes: first.length });
    writer.insert(5, ' and second');
    const second = Y.encodeStateAsUpdate(writer.doc);
    await store().saveVersion(versionOf(DOC_A, 'v-second', 3000), second);
    await store().saveVersion(versionOf(DOC_A, 'v-restore', 2000, { kind: 'before-restore' }), first);
    // Equal times: the greater id first, so the order is total.
    await store().saveVersion(versionOf(DOC_A, 'v-tie-a', 2000), first);

    const listed = await store().listVersions(DOC_A);
    assert.deepEqual(
      listed.map((version) => [version.id, version.kind, version.sizeBytes]),
      [
        ['v-second', 'auto', second.length],
        ['v-tie-a', 'auto', first.length],
        ['v-restore', 'before-restore', first.length],
        ['v-first', 'named', first.length],
      ],
    );
    assert.deepEqual(listed[3], saved);

    const loaded = await store().loadVersion(DOC_A, 'v-second');
    assert.ok(loaded);
    assert.deepEqual(loaded.version, listed[0]);
    assert.deepEqual(Buffer.from(loaded.snapshot), Buffer.from(second));
    assert.equal(textOf(loaded.snapshot), 'first and second');
    assert.equal(await store().loadVersion(DOC_A, 'no-such'), null);
    assert.equal(await store().loadVersion(DOC_B, 'v-second'), null);

    assert.equal(await store().deleteVersions(DOC_A, ['v-restore', 'v-tie-a', 'no-such', 'v-tie-a']), 2);
    assert.equal(await store().deleteVersions(DOC_A, []), 0);
    assert.equal(await store().deleteVersions(DOC_B, ['v-first']), 0, 'ids of another document delete nothing');
    assert.deepEqual(
      (await store().listVersions(DOC_A)).map((version) => version.id),
      ['v-second', 'v-first'],
    );
    assert.equal(await store().loadVersion(DOC_A, 'v-restore'), null);
  });

  it('keeps a version’s snapshot whatever happens to the log: appends and compaction', async () => {
    const writer = await seedDoc(store(), DOC_A, 'kept as it was');
    await store().saveVersion(versionOf(DOC_A, 'v1', 1), Y.encodeStateAsUpdate(writer.doc));
    for (let i = 0; i < 30; i += 1) {
      writer.text.delete(0, Math.min(3, writer.text.length));
      writer.insert(0, `edit ${i} `);
      await store().append(writer.entries(DOC_A));
    }
    const compaction = await store().compact(DOC_A);
    assert.ok(compaction.entriesMerged > 30);
    await store().compact(DOC_A);
    const loaded = await store().loadVersion(DOC_A, 'v1');
    assert.ok(loaded);
    assert.equal(textOf(loaded.snapshot), 'kept as it was');
    assert.equal(textOf(await loadOrFail(store(), DOC_A)), writer.text.toString());
    // Restoring is the server's work: it applies the version to the document as a new change.
    assert.deepEqual((await store().listVersions(DOC_A)).map((version) => version.id), ['v1']);
  });

  it('refuses a second version with the same id, but not in another document', async () => {
    await seedDoc(store(), DOC_A, 'a');
    await seedDoc(store(), DOC_B, 'b');
    await store().saveVersion(versionOf(DOC_A, 'v1', 10), new Uint8Array([1, 2, 3]));
    await assertConflict(store().saveVersion(versionOf(DOC_A, 'v1', 20), new Uint8Array([9])));
    await store().saveVersion(versionOf(DOC_B, 'v1', 20), new Uint8Array([4]));
    const kept = await store().loadVersion(DOC_A, 'v1');
    assert.deepEqual([...(kept?.snapshot ?? [])], [1, 2, 3]);
    assert.equal(kept?.version.createdAt, 10);
  });

  it('stores big snapshots byte for byte', async () => {
    await seedDoc(store(), DOC_A, 'big');
    const big = randomBytes(6 * 1024 * 1024);
    const saved = await store().saveVersion(versionOf(DOC_A, 'big', 1), big);
    assert.equal(saved.sizeBytes, big.length);
    assert.equal((await store().listVersions(DOC_A))[0]?.sizeBytes, big.length);
    const loaded = await store().loadVersion(DOC_A, 'big');
    assert.ok(loaded && Buffer.from(loaded.snapshot).equals(big));
  });

  it('keeps versions of documents that exist and are not purged, also in the trash', async () => {
    await assertRefused(store().saveVersion(versionOf(DOC_A, 'v1', 1), new Uint8Array([1])), [{ docName: DOC_A, status: 'missing' }]);
    await seedDoc(store(), DOC_B, 'b');
    await store().trash(DOC_B, 5);
    await store().saveVersion(versionOf(DOC_B, 'in-trash', 6), new Uint8Array([1]));
    assert.equal(await store().deleteVersions(DOC_B, ['in-trash']), 1, 'thinning works in the trash');
    await store().purge(DOC_B, 7);
    await assertRefused(store().saveVersion(versionOf(DOC_B, 'v2', 8), new Uint8Array([1])), [{ docName: DOC_B, status: 'purged' }]);
    assert.deepEqual(await store().listVersions(DOC_A), []);
    assert.deepEqual(await store().listVersions(DOC_B), []);
  });

  it('rejects malformed versions before touching storage', async () => {
    await seedDoc(store(), DOC_A, 'a');
    const good = versionOf(DOC_A, 'v1', 1);
    const snapshot = new Uint8Array([0, 0]);
    const bad: Array<[string, unknown, Uint8Array]> = [
      ['id', { ...good, id: 'v/1' }, snapshot],
      ['kind', { ...good, kind: 'manual' }, snapshot],
      ['label', { ...good, label: 'x'.repeat(201) }, snapshot],
      ['too many authors', { ...good, authors: Array.from({ length: 257 }, (_, i) => `a${i}`) }, snapshot],
      ['empty author', { ...good, authors: [''] }, snapshot],
      ['author with a newline', { ...good, authors: ['a\nb'] }, snapshot],
      ['time', { ...good, createdAt: 1.25 }, snapshot],
      ['empty snapshot', good, new Uint8Array()],
    ];
    for (const [what, version, bytes] of bad) await assert.rejects(store().saveVersion(version as NewVersion, bytes), RangeError, what);
    await assert.rejects(store().loadVersion(DOC_A, ''), RangeError);
    await assert.rejects(store().deleteVersions(DOC_A, ['ok', 'not ok']), RangeError);
    assert.deepEqual(await store().listVersions(DOC_A), []);
  });
}
