/** Contract cases for links: create, find by hash, list, revoke, touch, legacy links, and what is stored. */

import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { DocStore } from '../doc-store.js';
import type { LinkRecord } from '../link-store.js';
import {
  assertAbsent,
  assertConflict,
  assertPresent,
  assertRefused,
  DOC_A,
  DOC_B,
  DOC_C,
  linkFor,
  newToken,
  seedDoc,
  sha256Hex,
  type ContractContext,
} from './contract-helpers.js';

export function linkCases(ctx: ContractContext): void {
  const store = (): DocStore => ctx.store();

  it('creates links, finds them by token hash, and lists them oldest first', async () => {
    await seedDoc(store(), DOC_A, 'a');
    await seedDoc(store(), DOC_B, 'b');
    const owner = linkFor(DOC_A, 'owner-token', { role: 'owner', createdAt: 3000, label: 'Ana’s laptop ✓' });
    const view = linkFor(DOC_A, 'view-token', { role: 'view', createdAt: 1000, expiresAt: 9_000_000_000_000 });
    const edit = linkFor(DOC_A, 'edit-token', { role: 'edit', createdAt: 2000, lastUsedAt: 2500 });
    const other = linkFor(DOC_B, 'b-token', { createdAt: 500 });
    for (const link of [owner, view, edit, other]) await store().createLink(link);

    assert.deepEqual(await store().findLink(sha256Hex('owner-token')), owner);
    assert.deepEqual(await store().findLink(sha256Hex('b-token')), other);
    assert.equal(await store().findLink(sha256Hex('never-issued')), null);
    assert.deepEqual(await store().listLinks(DOC_A), [view, edit, owner]);
    assert.deepEqual(await store().listLinks(DOC_B), [other]);
    assert.deepEqual(await store().listLinks(DOC_C), []);
    // Ties in creation time are ordered by id.
    const tied = [linkFor(DOC_C, 't2', { id: 'tie-b', createdAt: 7 }), linkFor(DOC_C, 't1', { id: 'tie-a', createdAt: 7 })];
    await seedDoc(store(), DOC_C, 'c');
    for (const link of tied) await store().createLink(link);
    assert.deepEqual(
      (await store().listLinks(DOC_C)).map((link) => link.id),
      ['tie-a', 'tie-b'],
    );
  });

  it('keeps token hashes unique across documents and link ids unique within one', async () => {
    await seedDoc(store(), DOC_A, 'a');
    await seedDoc(store(), DOC_B, 'b');
    const first = linkFor(DOC_A, 'shared-token', { id: 'same-id' });
    await store().createLink(first);
    await assertConflict(store().createLink(linkFor(DOC_B, 'shared-token')));
    await assertConflict(store().createLink(linkFor(DOC_A, 'shared-token', { id: 'another-id' })));
    await assertConflict(store().createLink(linkFor(DOC_A, 'fresh-token', { id: 'same-id' })));
    // Two creations of one hash at once: exactly one wins.
    const racing = await Promise.allSettled([store().createLink(linkFor(DOC_A, 'race-token')), store().createLink(linkFor(DOC_B, 'race-token'))]);
    assert.equal(racing.filter((result) => result.status === 'fulfilled').length, 1);
    // The same link id in another document is another link.
    await store().createLink(linkFor(DOC_B, 'b-token', { id: 'same-id' }));
    assert.deepEqual(await store().findLink(first.tokenHash), first);
    assert.equal(await store().findLink(sha256Hex('fresh-token')), null, 'a refused link leaves nothing behind');
    assert.deepEqual(
      (await store().listLinks(DOC_A)).map((link) => link.id).filter((id) => id === 'same-id' || id === 'another-id'),
      ['same-id'],
    );
  });

  it('revokes a link and keeps it, marked; another document’s link is never touched', async () => {
    await seedDoc(store(), DOC_A, 'a');
    await seedDoc(store(), DOC_B, 'b');
    const link = linkFor(DOC_A, 'to-revoke', { id: 'shared-id', label: 'for Bob' });
    const sameIdElsewhere = linkFor(DOC_B, 'b-token', { id: 'shared-id' });
    await store().createLink(link);
    await store().createLink(sameIdElsewhere);

    assert.equal(await store().revokeLink(DOC_B, 'no-such-link', 5000), null);
    assert.equal(await store().revokeLink(DOC_C, 'shared-id', 5000), null);
    const revoked = await store().revokeLink(DOC_A, 'shared-id', 5000);
    assert.deepEqual(revoked, { ...link, revokedAt: 5000 });
    assert.deepEqual(await store().findLink(link.tokenHash), revoked, 'a revoked link is still found, so it can be told from one never issued');
    assert.deepEqual(await store().listLinks(DOC_A), [revoked]);
    // Revoking again keeps the first time.
    assert.deepEqual(await store().revokeLink(DOC_A, 'shared-id', 9000), revoked);
    assert.deepEqual(await store().findLink(sameIdElsewhere.tokenHash), sameIdElsewhere);
  });

  it('records link uses in batches: the latest time wins, unknown links are ignored', async () => {
    await seedDoc(store(), DOC_A, 'a');
    await seedDoc(store(), DOC_B, 'b');
    const a1 = linkFor(DOC_A, 'a1', { id: 'a1' });
    const a2 = linkFor(DOC_A, 'a2', { id: 'a2', lastUsedAt: 8000 });
    const b1 = linkFor(DOC_B, 'b1', { id: 'b1', revokedAt: 100 });
    for (const link of [a1, a2, b1]) await store().createLink(link);
    await store().touchLinks([]);
    await store().touchLinks([
      { docName: DOC_A, linkId: 'a1', at: 3000 },
      { docName: DOC_A, linkId: 'a1', at: 5000 },
      { docName: DOC_A, linkId: 'a1', at: 4000 },
      { docName: DOC_A, linkId: 'a2', at: 6000 },
      { docName: DOC_B, linkId: 'b1', at: 7000 },
      { docName: DOC_B, linkId: 'a1', at: 7000 },
      { docName: DOC_C, linkId: 'ghost', at: 7000 },
    ]);
    assert.equal((await store().findLink(a1.tokenHash))?.lastUsedAt, 5000);
    assert.equal((await store().findLink(a2.tokenHash))?.lastUsedAt, 8000, 'a use reported late never moves the time back');
    assert.deepEqual(await store().findLink(b1.tokenHash), { ...b1, lastUsedAt: 7000 });
    assert.deepEqual(
      (await store().listLinks(DOC_B)).map((link) => link.id),
      ['b1'],
      'a use of an unknown link creates nothing',
    );
    // Touches in flight together from two callers lose nothing.
    await Promise.all([store().touchLinks([{ docName: DOC_A, linkId: 'a1', at: 9000 }]), store().touchLinks([{ docName: DOC_A, linkId: 'a1', at: 9500 }])]);
    assert.equal((await store().findLink(a1.tokenHash))?.lastUsedAt, 9500);
  });

  it('records a legacy link for the document id itself, revoked, and finds it by the id’s hash', async () => {
    await seedDoc(store(), DOC_A, 'a');
    const legacy: LinkRecord = linkFor(DOC_A, DOC_A, { id: 'legacy', legacy: true, role: 'edit', revokedAt: 1234 });
    await store().createLink(legacy);
    assert.deepEqual(await store().findLink(sha256Hex(DOC_A)), legacy);
    // The id's hash is unique like any other: a document has one legacy link.
    await assertConflict(store().createLink(linkFor(DOC_A, DOC_A, { id: 'legacy-again', legacy: true })));
    assert.deepEqual(await store().listLinks(DOC_A), [legacy]);
  });

  it('finds every write at once, however often the hash was looked up before it', async () => {
    // A store may remember lookups (LevelDocStore does): none may outlive a write.
    await seedDoc(store(), DOC_A, 'a');
    const link = linkFor(DOC_A, 'looked-up', { id: 'looked-up' });
    for (let i = 0; i < 2; i++) assert.equal(await store().findLink(link.tokenHash), null);
    await store().createLink(link);
    assert.deepEqual(await store().findLink(link.tokenHash), link, 'a link found missing before it was created');

    await store().touchLinks([{ docName: DOC_A, linkId: link.id, at: 4000 }]);
    assert.equal((await store().findLink(link.tokenHash))?.lastUsedAt, 4000);

    // A lookup under way while the link is revoked: the next lookup sees the revocation.
    const during = store().findLink(link.tokenHash);
    const revoked = await store().revokeLink(DOC_A, link.id, 5000);
    await during;
    assert.deepEqual(await store().findLink(link.tokenHash), revoked);
    assert.equal(revoked?.revokedAt, 5000);

    // The document id as a link: found as never recorded, then revoked by recording it.
    assert.equal(await store().findLink(sha256Hex(DOC_A)), null);
    const legacy = linkFor(DOC_A, DOC_A, { id: 'legacy', legacy: true, revokedAt: 6000 });
    await store().createLink(legacy);
    assert.deepEqual(await store().findLink(sha256Hex(DOC_A)), legacy);

    await store().trash(DOC_A, 7000);
    assert.deepEqual(await store().findLink(link.tokenHash), revoked, 'links of a trashed document are still found');
    const purging = store().findLink(legacy.tokenHash);
    await store().purge(DOC_A, 8000);
    await purging;
    assert.equal(await store().findLink(link.tokenHash), null, 'a purge takes the links with it');
    assert.equal(await store().findLink(legacy.tokenHash), null);
  });

  it('gives links only to documents that exist and are not purged', async () => {
    await assertRefused(store().createLink(linkFor(DOC_A, 'x')), [{ docName: DOC_A, status: 'missing' }]);
    await seedDoc(store(), DOC_B, 'b');
    await store().trash(DOC_B, 10);
    await store().createLink(linkFor(DOC_B, 'in-trash'));
    await store().purge(DOC_B, 20);
    await assertRefused(store().createLink(linkFor(DOC_B, 'y')), [{ docName: DOC_B, status: 'purged' }]);
    assert.equal(await store().findLink(sha256Hex('x')), null);
    assert.equal(await store().findLink(sha256Hex('y')), null);
  });

  it('rejects malformed links before touching storage', async () => {
    await seedDoc(store(), DOC_A, 'a');
    const good = linkFor(DOC_A, 'good');
    const bad: Array<[string, unknown]> = [
      ['id with a slash', { ...good, id: 'a/b' }],
      ['empty id', { ...good, id: '' }],
      ['long id', { ...good, id: 'x'.repeat(65) }],
      ['role', { ...good, role: 'admin' }],
      ['uppercase hash', { ...good, tokenHash: good.tokenHash.toUpperCase() }],
      ['short hash', { ...good, tokenHash: good.tokenHash.slice(1) }],
      ['label too long', { ...good, label: 'x'.repeat(201) }],
      ['empty label', { ...good, label: '' }],
      ['label with a NUL', { ...good, label: 'a\u0000b' }],
      ['label with a lone surrogate', { ...good, label: 'a\ud800b' }],
      ['negative time', { ...good, createdAt: -1 }],
      ['fractional expiry', { ...good, expiresAt: 1.5 }],
      ['legacy not boolean', { ...good, legacy: 'yes' }],
    ];
    for (const [what, link] of bad) await assert.rejects(store().createLink(link as LinkRecord), RangeError, what);
    await assert.rejects(store().findLink('not-a-hash'), RangeError);
    await assert.rejects(store().revokeLink(DOC_A, 'bad/id', 1), RangeError);
    await assert.rejects(store().revokeLink(DOC_A, 'ok', -5), RangeError);
    await assert.rejects(store().touchLinks([{ docName: DOC_A, linkId: 'ok', at: Number.NaN }]), RangeError);
    assert.deepEqual(await store().listLinks(DOC_A), []);
  });

  it('stores no token: only its hash, and nothing a caller adds to a record', async () => {
    await seedDoc(store(), DOC_A, 'a');
    const { token, raw } = newToken();
    const link = linkFor(DOC_A, token, { label: 'shared with the team' });
    // A careless caller passing the token along must not get it stored.
    await store().createLink({ ...link, token } as LinkRecord);
    await store().touchLinks([{ docName: DOC_A, linkId: link.id, at: 99 }]);
    await store().revokeLink(DOC_A, link.id, 100);
    assert.deepEqual(await store().findLink(link.tokenHash), { ...link, lastUsedAt: 99, revokedAt: 100 });
    const stored = await ctx.rawContents();
    assertPresent(stored, link.tokenHash, 'the token hash');
    assertAbsent(stored, token, 'the token');
    assertAbsent(stored, raw, 'the token’s random bytes');
  });
}
