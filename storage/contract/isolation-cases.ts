/**
 * Contract cases for keeping documents apart when their ids are prefixes of each other (`aaa…a`,
 * `aaa…ab`, `aaa…a-`, `aaa…a_`): key ranges, listings and purges must never reach a neighbour.
 */

import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { DocStore } from '../doc-store.js';
import { docFrom, linkFor, loadOrFail, textOf, TOKEN_1, versionOf, Writer, type ContractContext } from './contract-helpers.js';

const BASE = 'aaaaaaaaaaaaaaaa';
const IDS = [BASE, `${BASE}b`, `${BASE}-`, `${BASE}_`];

export function isolationCases(ctx: ContractContext): void {
  const store = (): DocStore => ctx.store();

  it('keeps the content of documents whose ids are prefixes of each other apart', async () => {
    const writers = IDS.map((id) => new Writer().insert(0, id));
    await store().append(IDS.flatMap((docName, index) => writers[index]?.entries(docName) ?? []));
    await store().setViewToken(`${BASE}b`, TOKEN_1);
    await store().compact(BASE);
    for (const docName of IDS) {
      const stored = await store().load(docName);
      assert.ok(stored);
      assert.equal(docFrom(stored.update).getText('t').toString(), docName);
    }
    assert.deepEqual(
      (await store().list()).map((doc) => doc.docName),
      [...IDS].sort(),
    );
    await store().purge(BASE, 1);
    assert.equal(await store().load(BASE), null);
    for (const docName of IDS.slice(1)) {
      assert.equal(docFrom(await loadOrFail(store(), docName)).getText('t').toString(), docName);
    }
    assert.equal(await store().resolveViewToken(TOKEN_1), `${BASE}b`);
  });

  it('keeps their links, versions, blobs and trash apart, through trash and purge', async () => {
    for (const docName of IDS) {
      await store().append(new Writer().insert(0, docName).entries(docName));
      await store().createLink(linkFor(docName, `token of ${docName}`, { id: 'link' }));
      await store().saveVersion(versionOf(docName, 'v1', 1, { label: docName }), Buffer.from(docName));
      await store().putBlob(docName, { id: 'img', contentType: 'image/png', bytes: Buffer.from(docName), createdAt: 1 });
    }
    const expectWhole = async (docName: string): Promise<void> => {
      assert.deepEqual(
        (await store().listLinks(docName)).map((link) => link.docName),
        [docName],
      );
      const versions = await store().listVersions(docName);
      assert.deepEqual(
        versions.map((version) => version.label),
        [docName],
      );
      assert.equal(Buffer.from((await store().loadVersion(docName, 'v1'))?.snapshot ?? []).toString(), docName);
      assert.deepEqual(
        (await store().listBlobs(docName)).map((blob) => blob.sizeBytes),
        [docName.length],
      );
      assert.equal(Buffer.from((await store().getBlob(docName, 'img'))?.bytes ?? []).toString(), docName);
      assert.equal(textOf(await loadOrFail(store(), docName)), docName);
    };
    for (const docName of IDS) await expectWhole(docName);

    await store().trash(BASE, 10);
    await store().trash(`${BASE}_`, 20);
    assert.deepEqual(
      (await store().list()).map((doc) => doc.docName),
      [`${BASE}-`, `${BASE}b`],
    );
    assert.deepEqual(
      (await store().listTrash()).map((entry) => entry.docName),
      [BASE, `${BASE}_`],
    );
    assert.equal(await store().status(`${BASE}b`), 'live');

    await store().purge(BASE, 30);
    assert.deepEqual(await store().listLinks(BASE), []);
    assert.deepEqual(await store().listVersions(BASE), []);
    assert.deepEqual(await store().listBlobs(BASE), []);
    for (const docName of IDS.slice(1)) await expectWhole(docName);
    assert.equal(await store().status(`${BASE}_`), 'trashed');
    assert.equal(await store().status(`${BASE}-`), 'live');
    await store().untrash(`${BASE}_`);
    assert.deepEqual(
      (await store().list()).map((doc) => doc.docName),
      IDS.slice(1).sort(),
    );
  });
}
