/**
 * Bad sync messages from one connection that has joined a document for edit: payloads that are
 * not bytes, bytes that are not a sync message or not a Yjs update, an update naming a parent
 * that does not exist, and updates over the size limits. Each must get its typed refusal
 * (bad-request, invalid-update, update-too-large) naming the document, or, past the transport's
 * own limit, the end of the offender's connection alone; the honest peers receive nothing
 * because of it and still edit, relay and agree with the server. After the unknown parent, a
 * late joiner and storage hold exactly what the live clients hold.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { snapshotOf } from '../../support/doc-state.js';
import { useTestServer } from '../../support/test-server.js';
import { waitFor, withTimeout } from '../../support/wait.js';
import {
  LIMITS,
  assertAllRefused,
  invalidUpdateAttempts,
  nonBinaryAttempts,
  sendUpdateWithUnknownParent,
  synced,
  useScenes,
  refuseOversizedUpdates,
} from './support.js';

describe('malformed and oversized sync messages from one connection', () => {
  const server = useTestServer({ limits: LIMITS });
  const openScene = useScenes(server);

  it('refuses non-binary sync payloads with bad-request naming the document', async () => {
    const scene = await openScene();
    await assertAllRefused(scene.offender, nonBinaryAttempts('sync', scene.docId));
    await scene.assertUnharmed();
  });

  it('refuses empty, truncated and random-byte updates, framed and raw, with invalid-update', async () => {
    const scene = await openScene();
    await assertAllRefused(scene.offender, invalidUpdateAttempts(scene.docId));
    await scene.assertUnharmed();
  });

  it('keeps later joiners and storage equal to live clients after an update that names an unknown parent', async () => {
    const t = server();
    const scene = await openScene();
    await sendUpdateWithUnknownParent(scene);

    // The victim types on; live clients see it. A client joining now, and storage, must agree.
    const text = scene.honest.doc.getText('t');
    text.insert(text.length, ' typed after the bogus update');
    await withTimeout('the victim edit to be saved', scene.honest.whenSaved(), 10_000);
    await waitFor('the observer to receive the victim edit', () => scene.mirror.text() === text.toString());
    const late = t.provider(scene.docId);
    const reloaded = new Y.Doc();
    try {
      await synced(late, 'a late joiner to sync');
      const stored = await t.server.store.load(scene.docId);
      if (stored !== null) Y.applyUpdate(reloaded, stored.update);
      assert.deepEqual(
        { late: late.doc.getText('t').toString(), stored: reloaded.getText('t').toString() },
        { late: text.toString(), stored: text.toString() },
        'a late joiner or storage lost the victim edit',
      );
      const expected = snapshotOf(scene.honest.doc);
      assert.deepEqual(
        { late: snapshotOf(late.doc), stored: snapshotOf(reloaded), observer: snapshotOf(scene.mirror.doc) },
        { late: expected, stored: expected, observer: expected },
        'a late joiner, storage or the observer holds another document than the victim',
      );
    } finally {
      reloaded.destroy();
      late.destroy();
    }
  });

  it('refuses updates over maxUpdateBytes with update-too-large, accepts one exactly at it, and closes only a connection over the transport limit', async () => {
    await refuseOversizedUpdates(await openScene());
  });
});
