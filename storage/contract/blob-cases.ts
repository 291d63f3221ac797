/** Contract cases for blobs: put, get, list, delete, immutability, the trash, purge, big blobs. */

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { DocStore } from '../doc-store.js';
import type { NewBlob } from '../blob-store.js';
import { assertConflict, assertRefused, DOC_A, DOC_B, seedDoc, type ContractContext } from './contract-helpers.js';

function blob(id: string, bytes: Uint8Array, createdAt: number, contentType = 'image/png'): NewBlob {
  return { id, contentType, bytes, createdAt };
}

export function blobCases(ctx: ContractContext): void {
  const store = (): DocStore => ctx.store();

  it('puts, gets, lists and deletes blobs', async () => {
    await seedDoc(store(), DOC_A, 'a');
    const png = randomBytes(3000);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>');
    await store().putBlob(DOC_A, blob('logo', png, 2000));
    await store().putBlob(DOC_A, blob('icon', svg, 1000, 'image/svg+xml'));
    // A view of a bigger buffer is stored as the view, not the buffer behind it.
    const backing = new Uint8Array(100).fill(7);
    await store().putBlob(DOC_A, blob('slice', backing.subarray(10, 20), 3000, 'application/octet-stream'));

    const got = await store().getBlob(DOC_A, 'logo');
    assert.ok(got);
    assert.deepEqual({ ...got, bytes: null }, { id: 'logo', contentType: 'image/png', sizeBytes: png.length, createdAt: 2000, bytes: null });
    assert.ok(Buffer.from(got.bytes).equals(png));
    assert.deepEqual([...((await store().getBlob(DOC_A, 'slice'))?.bytes ?? [])], new Array(10).fill(7));
    assert.equal(await store().getBlob(DOC_A, 'nope'), null);
    assert.equal(await store().getBlob(DOC_B, 'logo'), null);
    assert.deepEqual(await store().listBlobs(DOC_A), [
      { id: 'icon', contentType: 'image/svg+xml', sizeBytes: svg.length, createdAt: 1000 },
      { id: 'logo', contentType: 'image/png', sizeBytes: png.length, createdAt: 2000 },
      { id: 'slice', contentType: 'application/octet-stream', sizeBytes: 10, createdAt: 3000 },
    ]);

    assert.equal(await store().deleteBlob(DOC_A, 'logo'), true);
    assert.equal(await store().deleteBlob(DOC_A, 'logo'), false);
    assert.equal(await store().getBlob(DOC_A, 'logo'), null);
    assert.deepEqual((await store().listBlobs(DOC_A)).map((summary) => summary.id), ['icon', 'slice']);
  });

  it('never changes a blob: the same put again is harmless, other content under its id is refused', async () => {
    await seedDoc(store(), DOC_A, 'a');
    await seedDoc(store(), DOC_B, 'b');
    const bytes = randomBytes(500);
    await store().putBlob(DOC_A, blob('img', bytes, 10));
    await store().putBlob(DOC_A, blob('img', Buffer.from(bytes), 99));
    await assertConflict(store().putBlob(DOC_A, blob('img', randomBytes(500), 10)));
    await assertConflict(store().putBlob(DOC_A, blob('img', bytes, 10, 'image/jpeg')));
    await store().putBlob(DOC_B, blob('img', randomBytes(5), 10));
    const kept = await store().getBlob(DOC_A, 'img');
    assert.ok(kept && Buffer.from(kept.bytes).equals(bytes));
    assert.equal(kept.createdAt, 10, 'a repeated put keeps the first creation time');
    assert.equal(kept.contentType, 'image/png');
  });

  it('keeps blobs in the trash and removes them with the purge', async () => {
    await seedDoc(store(), DOC_A, 'a');
    const bytes = randomBytes(1000);
    await store().putBlob(DOC_A, blob('img', bytes, 1));
    await store().trash(DOC_A, 5);
    assert.ok(Buffer.from((await store().getBlob(DOC_A, 'img'))?.bytes ?? []).equals(bytes));
    await store().putBlob(DOC_A, blob('late', randomBytes(3), 6));
    await store().untrash(DOC_A);
    assert.deepEqual((await store().listBlobs(DOC_A)).map((summary) => summary.id), ['img', 'late']);
    await store().trash(DOC_A, 7);
    await store().purge(DOC_A, 8);
    assert.equal(await store().getBlob(DOC_A, 'img'), null);
    assert.deepEqual(await store().listBlobs(DOC_A), []);
    await assertRefused(store().putBlob(DOC_A, blob('img', bytes, 9)), [{ docName: DOC_A, status: 'purged' }]);
  });

  it('stores big blobs byte for byte', async () => {
    await seedDoc(store(), DOC_A, 'a');
    const big = randomBytes(5 * 1024 * 1024);
    await store().putBlob(DOC_A, blob('big', big, 1));
    assert.equal((await store().listBlobs(DOC_A))[0]?.sizeBytes, big.length);
    const got = await store().getBlob(DOC_A, 'big');
    assert.ok(got && Buffer.from(got.bytes).equals(big));
    // Putting it again compares it whole and changes nothing.
    await store().putBlob(DOC_A, blob('big', Buffer.from(big), 2));
  });

  it('refuses blobs for a missing document and malformed blobs before touching storage', async () => {
    await assertRefused(store().putBlob(DOC_A, blob('img', new Uint8Array([1]), 1)), [{ docName: DOC_A, status: 'missing' }]);
    await seedDoc(store(), DOC_A, 'a');
    const bad: Array<[string, NewBlob]> = [
      ['empty bytes', blob('img', new Uint8Array(), 1)],
      ['id', blob('img/1', new Uint8Array([1]), 1)],
      ['no subtype', blob('img', new Uint8Array([1]), 1, 'image')],
      ['parameters', blob('img', new Uint8Array([1]), 1, 'text/plain; charset=utf-8')],
      ['space', blob('img', new Uint8Array([1]), 1, 'image/ png')],
      ['too long', blob('img', new Uint8Array([1]), 1, `image/${'x'.repeat(122)}`)],
      ['time', blob('img', new Uint8Array([1]), -1)],
      ['not bytes', { id: 'img', contentType: 'image/png', bytes: 'text' as unknown as Uint8Array, createdAt: 1 }],
    ];
    for (const [what, input] of bad) await assert.rejects(store().putBlob(DOC_A, input), RangeError, what);
    await assert.rejects(store().getBlob(DOC_A, '../img'), RangeError);
    await assert.rejects(store().deleteBlob(DOC_A, ''), RangeError);
    assert.deepEqual(await store().listBlobs(DOC_A), []);
  });
}
