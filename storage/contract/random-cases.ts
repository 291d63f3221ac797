/**
 * Seeded randomised contract cases: appends racing compactions, and a model of a document's whole
 * life (content, links, versions, blobs, trash, purge, restarts) checked against the store. The
 * seed comes from SEED or is random; a failure prints it, and SEED=n replays the run.
 */

import { it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { withSeed } from '../../test/support/seeded.js';
import type { DocStore } from '../doc-store.js';
import type { DocStatus } from '../trash-store.js';
import { DocStatusError } from '../store-errors.js';
import { assertSameState, DOC_A, DOC_B, DOC_C, linkFor, loadOrFail, textOf, tick, versionOf, Writer, type ContractContext } from './contract-helpers.js';

interface DocModel {
  status: DocStatus;
  readonly writer: Writer;
  readonly links: Map<string, { tokenHash: string; revokedAt: number | null; lastUsedAt: number | null }>;
  readonly versions: Map<string, string>;
  readonly blobs: Map<string, number>;
}

export function randomCases(ctx: ContractContext): void {
  const store = (): DocStore => ctx.store();

  it('survives random interleavings of appends and compactions (seeded)', async () => {
    await withSeed(async (seed, next) => {
      const ids = [DOC_A, DOC_B, DOC_C];
      const writers = ids.map(() => new Writer());
      const running: Promise<unknown>[] = [];
      for (let step = 0; step < 120; step += 1) {
        const which = Math.floor(next() * ids.length);
        const writer = writers[which];
        const docName = ids[which];
        assert.ok(writer && docName);
        const roll = next();
        if (roll < 0.15) {
          running.push(store().compact(docName));
        } else if (roll < 0.25 && writer.text.length > 2) {
          writer.text.delete(Math.floor(next() * (writer.text.length - 1)), 1);
          running.push(store().append(writer.take().map((update) => ({ docName, update }))));
        } else {
          writer.insert(Math.floor(next() * (writer.text.length + 1)), String.fromCharCode(97 + (step % 26)));
          running.push(store().append(writer.take().map((update) => ({ docName, update }))));
        }
        if (next() < 0.3) await tick();
      }
      await Promise.all(running);
      for (const [index, docName] of ids.entries()) {
        const writer = writers[index];
        assert.ok(writer);
        if (writer.updates.length === 0) continue;
        assertSameState(await loadOrFail(store(), docName), writer.doc, `${docName} with SEED=${seed}`);
      }
    });
  });

  it('agrees with a model of documents’ whole lives under random operations (seeded)', async () => {
    await withSeed(async (seed, next) => {
      const ids = [DOC_A, DOC_B, DOC_C];
      const models = new Map<string, DocModel>(
        ids.map((docName) => [docName, { status: 'missing', writer: new Writer(), links: new Map(), versions: new Map(), blobs: new Map() }]),
      );
      let clock = 1000;
      let serial = 0;
      const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(next() * items.length)];
      /** Runs a write the model says is allowed, or expects a DocStatusError for it. */
      const write = async (model: DocModel, allowed: boolean, call: () => Promise<unknown>): Promise<boolean> => {
        if (allowed) {
          await call();
          return true;
        }
        await assert.rejects(call(), DocStatusError, `[SEED=${seed}] a write to a ${model.status} document must be refused`);
        return false;
      };

      for (let step = 0; step < 160; step += 1) {
        const docName = pick(ids) ?? DOC_A;
        const model = models.get(docName);
        assert.ok(model);
        const holds = model.status === 'live' || model.status === 'trashed';
        clock += 1 + Math.floor(next() * 5);
        serial += 1;
        const roll = next();
        if (roll < 0.3) {
          model.writer.insert(Math.floor(next() * (model.writer.text.length + 1)), String.fromCharCode(97 + (step % 26)));
          const entries = model.writer.entries(docName);
          if (await write(model, model.status !== 'purged', () => store().append(entries))) {
            if (model.status === 'missing') model.status = 'live';
          }
        } else if (roll < 0.36) {
          await store().compact(docName);
        } else if (roll < 0.44) {
          if (await write(model, holds, () => store().trash(docName, clock))) model.status = 'trashed';
        } else if (roll < 0.5) {
          if (await write(model, holds, () => store().untrash(docName))) model.status = 'live';
        } else if (roll < 0.53) {
          await store().purge(docName, clock);
          model.status = 'purged';
          model.links.clear();
          model.versions.clear();
          model.blobs.clear();
        } else if (roll < 0.63) {
          const link = linkFor(docName, `token ${seed} ${serial}`, { id: `l${serial}`, createdAt: clock });
          if (await write(model, holds, () => store().createLink(link))) model.links.set(link.id, { tokenHash: link.tokenHash, revokedAt: null, lastUsedAt: null });
        } else if (roll < 0.68) {
          const linkId = pick([...model.links.keys()]) ?? 'none';
          const revoked = await store().revokeLink(docName, linkId, clock);
          const known = model.links.get(linkId);
          assert.equal(revoked !== null, known !== undefined);
          if (known !== undefined) known.revokedAt ??= clock;
        } else if (roll < 0.73) {
          const linkId = pick([...model.links.keys()]) ?? 'none';
          await store().touchLinks([{ docName, linkId, at: clock }]);
          const known = model.links.get(linkId);
          if (known !== undefined) known.lastUsedAt = clock;
        } else if (roll < 0.82) {
          const snapshot = Y.encodeStateAsUpdate(model.writer.doc);
          const version = versionOf(docName, `v${serial}`, clock);
          if (await write(model, holds, () => store().saveVersion(version, snapshot))) model.versions.set(version.id, model.writer.text.toString());
        } else if (roll < 0.86) {
          const doomed = [pick([...model.versions.keys()]) ?? 'none', 'none'];
          const expected = doomed.filter((id) => model.versions.delete(id)).length;
          assert.equal(await store().deleteVersions(docName, doomed), expected);
        } else if (roll < 0.93) {
          const size = 1 + Math.floor(next() * 2000);
          const blob = { id: `b${serial}`, contentType: 'image/png', bytes: new Uint8Array(size).fill(serial % 256), createdAt: clock };
          if (await write(model, holds, () => store().putBlob(docName, blob))) model.blobs.set(blob.id, size);
        } else if (roll < 0.97) {
          const blobId = pick([...model.blobs.keys()]) ?? 'none';
          assert.equal(await store().deleteBlob(docName, blobId), model.blobs.delete(blobId));
        } else {
          await ctx.reopen();
        }
        if (step % 40 === 39) await check(store(), models, seed);
      }
      await check(store(), models, seed);
    });
  });
}

async function check(store: DocStore, models: ReadonlyMap<string, DocModel>, seed: number): Promise<void> {
  const live = [...models].filter(([, model]) => model.status === 'live').map(([docName]) => docName);
  assert.deepEqual((await store.list()).map((doc) => doc.docName), live.sort(), `[SEED=${seed}] list`);
  const trashed = [...models].filter(([, model]) => model.status === 'trashed').map(([docName]) => docName);
  assert.deepEqual((await store.listTrash()).map((entry) => entry.docName).sort(), trashed.sort(), `[SEED=${seed}] listTrash`);
  for (const [docName, model] of models) {
    const where = `[SEED=${seed}] ${docName}`;
    assert.equal(await store.status(docName), model.status, where);
    if (model.status === 'live' || model.status === 'trashed') assertSameState(await loadOrFail(store, docName), model.writer.doc, where);
    else assert.equal(await store.load(docName), null, where);
    const links = await store.listLinks(docName);
    assert.deepEqual(
      links.map((link) => [link.id, link.revokedAt, link.lastUsedAt]),
      [...model.links].map(([id, link]) => [id, link.revokedAt, link.lastUsedAt]),
      `${where} links`,
    );
    for (const [, link] of model.links) assert.equal((await store.findLink(link.tokenHash))?.docName, docName, where);
    const versions = await store.listVersions(docName);
    assert.deepEqual(versions.map((version) => version.id).sort(), [...model.versions.keys()].sort(), `${where} versions`);
    for (const [id, text] of model.versions) {
      const loaded = await store.loadVersion(docName, id);
      assert.equal(textOf(loaded?.snapshot ?? new Uint8Array([0, 0])), text, `${where} version ${id}`);
    }
    assert.deepEqual(
      (await store.listBlobs(docName)).map((blob) => [blob.id, blob.sizeBytes]),
      [...model.blobs],
      `${where} blobs`,
    );
  }
}
