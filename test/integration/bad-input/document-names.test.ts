/**
 * Document names as an attack surface, from one connection: joining names that are neither a
 * document id nor a view key (path-like, overlong, control characters, other types) must be
 * refused with invalid-doc-name and leave the data dir, its parent, storage and the loaded rooms
 * exactly as they were; sending for a document the connection has not joined (or has left) must
 * be refused with not-joined. Either way the honest peers of the document receive nothing
 * because of it and still edit and relay.
 */
import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { makeTempDir, useTestServer } from '../../support/test-server.js';
import { LIMITS, assertAllRefused, assertNotJoinedAfterLeave, badNameAttempts, notJoinedAttempts, useScenes } from './support.js';

async function listTree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}

describe('malformed document names', () => {
  // The data dir sits in a temp dir of its own, so that writes next to it (a path escaping the
  // data dir) show too.
  let root: string | null = null;
  const server = useTestServer(async () => {
    root = await makeTempDir('quire-bad-names-');
    return { dataDir: path.join(root, 'data'), limits: LIMITS };
  });
  after(async () => {
    if (root !== null) await rm(root, { recursive: true, force: true });
  });
  const openScene = useScenes(server);

  it('refuses malformed, overlong and path-like document names and stores nothing for them', async () => {
    const t = server();
    const scene = await openScene({ offenderJoins: false });
    assert.ok(root !== null);
    const filesBefore = await listTree(root);
    const docsBefore = (await t.server.store.list()).map((d) => d.docName);
    const roomsBefore = t.server.roomsLoaded;
    await assertAllRefused(scene.offender, badNameAttempts());
    assert.deepEqual(await listTree(root), filesBefore, 'the data dir (or its parent) changed');
    assert.deepEqual((await t.server.store.list()).map((d) => d.docName), docsBefore, 'storage gained documents');
    assert.equal(t.server.roomsLoaded, roomsBefore, 'rooms were loaded for bad names');
    await scene.assertUnharmed();
  });
});

describe('messages for documents not joined', () => {
  const server = useTestServer({ limits: LIMITS });
  const openScene = useScenes(server);

  it('refuses messages for documents not joined, or left, with not-joined', async () => {
    const scene = await openScene({ offenderJoins: false });
    await assertAllRefused(scene.offender, notJoinedAttempts(scene.docId));
    await assertNotJoinedAfterLeave(server(), scene.offender, scene.docId);
    await scene.assertUnharmed();
  });
});
