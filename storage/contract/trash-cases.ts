/** Contract cases for the life of a document: status, trash and restore, listing the trash, purge and tombstones. */

import { it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import type { DocStore } from '../doc-store.js';
import { DocStatusError } from '../store-errors.js';
import {
  assertAbsent,
  assertPresent,
  assertRefused,
  assertSameState,
  DOC_A,
  DOC_B,
  DOC_C,
  linkFor,
  loadOrFail,
  marker,
  newToken,
  seedDoc,
  textOf,
  TOKEN_1,
  TOKEN_2,
  versionOf,
  Writer,
  type ContractContext,
} from './contract-helpers.js';

export function trashCases(ctx: ContractContext): void {
  const store = (): DocStore => ctx.store();

  it('moves a document through missing → live → trashed → live → trashed → purged', async () => {
    assert.equal(await store().status(DOC_A), 'missing');
    const writer = await seedDoc(store(), DOC_A, 'alive');
    await store().setViewToken(DOC_A, TOKEN_1);
    assert.equal(await store().status(DOC_A), 'live');

    await store().trash(DOC_A, 1000);
    assert.equal(await store().status(DOC_A), 'trashed');
    assert.deepEqual(await store().list(), [], 'the trash is not listed as live');
    // Everything is kept and still answers; the server decides what to serve.
    assertSameState(await loadOrFail(store(), DOC_A), writer.doc);
    assert.equal((await store().stat(DOC_A))?.docName, DOC_A);
    assert.equal(await store().resolveViewToken(TOKEN_1), DOC_A);

    await store().untrash(DOC_A);
    assert.equal(await store().status(DOC_A), 'live');
    assert.deepEqual((await store().list()).map((doc) => doc.docName), [DOC_A]);
    assert.deepEqual(await store().listTrash(), []);

    await store().trash(DOC_A, 2000);
    assert.equal(await store().status(DOC_A), 'trashed');
    await store().purge(DOC_A, 3000);
    assert.equal(await store().status(DOC_A), 'purged');
    assert.equal(await store().load(DOC_A), null);
    assert.deepEqual(await store().list(), []);
    assert.deepEqual(await store().listTrash(), []);
  });

  it('trashes and restores idempotently, and refuses what the status forbids', async () => {
    await assertRefused(store().trash(DOC_A, 1), [{ docName: DOC_A, status: 'missing' }]);
    await assertRefused(store().untrash(DOC_A), [{ docName: DOC_A, status: 'missing' }]);
    await seedDoc(store(), DOC_A, 'a');
    await store().untrash(DOC_A);
    assert.equal(await store().status(DOC_A), 'live', 'restoring a live document changes nothing');
    await store().trash(DOC_A, 100);
    await store().trash(DOC_A, 500);
    assert.deepEqual(
      (await store().listTrash()).map((entry) => entry.deletedAt),
      [100],
      'trashing again keeps the first time',
    );
    await store().purge(DOC_A, 600);
    await store().purge(DOC_A, 700);
    await assertRefused(store().trash(DOC_A, 800), [{ docName: DOC_A, status: 'purged' }]);
    await assertRefused(store().untrash(DOC_A), [{ docName: DOC_A, status: 'purged' }]);
    assert.equal(await store().status(DOC_A), 'purged');
  });

  it('lists the trash oldest first, with content and total sizes', async () => {
    const a = await seedDoc(store(), DOC_A, 'aaaa');
    await seedDoc(store(), DOC_B, 'bb');
    await seedDoc(store(), DOC_C, 'live one');
    const snapshot = Y.encodeStateAsUpdate(a.doc);
    await store().saveVersion(versionOf(DOC_A, 'v1', 1), snapshot);
    await store().putBlob(DOC_A, { id: 'img', contentType: 'image/png', bytes: new Uint8Array(1000), createdAt: 1 });
    await store().trash(DOC_B, 200);
    await store().trash(DOC_A, 300);
    const sizeA = (await store().stat(DOC_A))?.storedBytes ?? 0;
    const sizeB = (await store().stat(DOC_B))?.storedBytes ?? 0;
    assert.ok(sizeA > 0 && sizeB > 0);
    assert.deepEqual(await store().listTrash(), [
      { docName: DOC_B, deletedAt: 200, storedBytes: sizeB, totalBytes: sizeB },
      { docName: DOC_A, deletedAt: 300, storedBytes: sizeA, totalBytes: sizeA + snapshot.length + 1000 },
    ]);
    assert.deepEqual((await store().list()).map((doc) => doc.docName), [DOC_C]);
  });

  it('purges every byte of a document, versions, links, blobs and view token included, and nothing of another', async () => {
    const contentMarker = marker('content').toString('hex');
    const blobMarker = marker('blob');
    const versionMarker = marker('version');
    const labelMarker = `label-${marker('l').toString('hex').slice(0, 40)}`;
    const { token } = newToken();
    const doomed = new Writer().insert(0, contentMarker);
    await store().append(doomed.entries(DOC_A));
    await store().compact(DOC_A);
    doomed.insert(0, `${contentMarker}-again`);
    await store().append(doomed.entries(DOC_A));
    await store().setViewToken(DOC_A, TOKEN_1);
    const link = linkFor(DOC_A, token, { label: labelMarker });
    await store().createLink(link);
    await store().saveVersion(versionOf(DOC_A, 'v1', 1, { label: labelMarker, authors: [labelMarker] }), versionMarker);
    await store().putBlob(DOC_A, { id: 'img', contentType: 'image/png', bytes: blobMarker, createdAt: 1 });
    const kept = await seedDoc(store(), DOC_B, 'kept');
    await store().setViewToken(DOC_B, TOKEN_2);
    const keptLink = linkFor(DOC_B, 'kept-token');
    await store().createLink(keptLink);
    await store().saveVersion(versionOf(DOC_B, 'v1', 1), new Uint8Array([7]));
    await store().putBlob(DOC_B, { id: 'img', contentType: 'image/gif', bytes: new Uint8Array([8]), createdAt: 1 });
    await store().trash(DOC_A, 50);

    await store().purge(DOC_A, 100);
    assert.equal(await store().status(DOC_A), 'purged');
    assert.equal(await store().load(DOC_A), null);
    assert.equal(await store().stat(DOC_A), null);
    assert.equal(await store().getViewToken(DOC_A), null);
    assert.equal(await store().resolveViewToken(TOKEN_1), null);
    assert.equal(await store().findLink(link.tokenHash), null);
    assert.deepEqual(await store().listLinks(DOC_A), []);
    assert.deepEqual(await store().listVersions(DOC_A), []);
    assert.equal(await store().loadVersion(DOC_A, 'v1'), null);
    assert.deepEqual(await store().listBlobs(DOC_A), []);
    assert.equal(await store().getBlob(DOC_A, 'img'), null);
    assert.deepEqual(await store().listTrash(), []);

    // The other document is whole.
    assertSameState(await loadOrFail(store(), DOC_B), kept.doc);
    assert.equal(await store().resolveViewToken(TOKEN_2), DOC_B);
    assert.deepEqual(await store().findLink(keptLink.tokenHash), keptLink);
    assert.equal((await store().listVersions(DOC_B)).length, 1);
    assert.deepEqual([...((await store().getBlob(DOC_B, 'img'))?.bytes ?? [])], [8]);

    const raw = await ctx.rawContents();
    assertAbsent(raw, contentMarker, 'the content');
    assertAbsent(raw, versionMarker, 'the version snapshot');
    assertAbsent(raw, blobMarker, 'the blob');
    assertAbsent(raw, labelMarker, 'the link label, version label and authors');
    assertAbsent(raw, link.tokenHash, 'the link’s token hash');
    assertAbsent(raw, TOKEN_1, 'the view token');
    assertPresent(raw, keptLink.tokenHash, 'the other document’s link');
    assert.equal(await ctx.store().status(DOC_A), 'purged');
  });

  it('never writes to a tombstone again, also after a restart', async () => {
    const writer = await seedDoc(store(), DOC_A, 'gone soon');
    const live = await seedDoc(store(), DOC_B, 'live');
    await store().purge(DOC_A, 10);
    writer.insert(0, 'an old copy comes back: ');
    live.insert(0, 'also in the batch: ');
    const batch = [...live.entries(DOC_B), ...writer.entries(DOC_A)];
    await assertRefused(store().append(batch), [{ docName: DOC_A, status: 'purged' }]);
    assert.equal(textOf(await loadOrFail(store(), DOC_B)), 'live', 'a refused batch writes nothing, not even for the live document');
    await assertRefused(store().putBlob(DOC_A, { id: 'b', contentType: 'image/png', bytes: new Uint8Array([1]), createdAt: 1 }), [{ docName: DOC_A, status: 'purged' }]);

    await ctx.reopen();
    assert.equal(await store().status(DOC_A), 'purged');
    await assertRefused(store().append(writer.updates.map((update) => ({ docName: DOC_A, update }))), [{ docName: DOC_A, status: 'purged' }]);
    await assertRefused(store().setViewToken(DOC_A, TOKEN_1), [{ docName: DOC_A, status: 'purged' }]);
    assert.equal(await store().load(DOC_A), null);
    await store().append(batch.filter((entry) => entry.docName === DOC_B));
    assert.equal(textOf(await loadOrFail(store(), DOC_B)), 'also in the batch: live');
  });

  it('stores appends to a trashed document, so a restore brings back changes made as it was trashed', async () => {
    const writer = await seedDoc(store(), DOC_A, 'draft');
    await store().trash(DOC_A, 10);
    writer.insert(5, ', last words');
    await store().append(writer.entries(DOC_A));
    assert.equal(await store().status(DOC_A), 'trashed');
    assert.deepEqual(await store().list(), []);
    await store().untrash(DOC_A);
    assertSameState(await loadOrFail(store(), DOC_A), writer.doc);
  });

  it('purges the trash older than a time, leaving newer and restored documents', async () => {
    for (const [docName, deletedAt] of [
      [DOC_C, 100],
      [DOC_A, 200],
      [DOC_B, 300],
    ] as const) {
      await seedDoc(store(), docName, docName);
      await store().trash(docName, deletedAt);
    }
    const live = 'docLiveLiveLiveLiveLive';
    await seedDoc(store(), live, 'live');
    await store().untrash(DOC_C);
    assert.deepEqual(await store().purgeTrash(300, 1000), [DOC_A]);
    assert.equal(await store().status(DOC_A), 'purged');
    assert.equal(await store().status(DOC_B), 'trashed');
    assert.equal(await store().status(DOC_C), 'live');
    assert.equal(await store().status(live), 'live');
    assert.deepEqual(await store().purgeTrash(301, 1000), [DOC_B]);
    assert.deepEqual(await store().purgeTrash(10_000, 1000), []);
    assert.deepEqual((await store().list()).map((doc) => doc.docName), [DOC_C, live].sort());
  });

  it('lets no append slip past a purge that runs at the same time', async () => {
    const writer = await seedDoc(store(), DOC_A, 'x');
    const appends: Array<Promise<void>> = [];
    for (let i = 0; i < 40; i += 1) {
      writer.insert(0, `${i}`);
      appends.push(store().append(writer.entries(DOC_A)));
      if (i === 20) appends.push(store().purge(DOC_A, 5));
      if (i % 5 === 0) await Promise.resolve();
    }
    const results = await Promise.allSettled(appends);
    for (const result of results) {
      if (result.status === 'rejected') assert.ok(result.reason instanceof DocStatusError, String(result.reason));
    }
    assert.equal(await store().load(DOC_A), null, 'nothing written before the purge survives it, nothing after it lands');
    assert.equal(await store().status(DOC_A), 'purged');
    writer.insert(0, 'after');
    await assertRefused(store().append(writer.entries(DOC_A)), [{ docName: DOC_A, status: 'purged' }]);
  });
}
