/**
 * Invariant 3: a view connection can never change a document. A raw client joins by the view
 * link and gets the view role; it can read the document and keeps receiving edits, but every
 * change it sends (update, step 2, even empty ones, with or without ack) is refused with
 * read-only, garbage with read-only or invalid-update, and changes sent by the document id it
 * never joined by with not-joined. The honest peers receive nothing because of it and still
 * edit and relay.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MirrorDoc } from '../../support/raw-client.js';
import { useTestServer } from '../../support/test-server.js';
import { waitFor } from '../../support/wait.js';
import { HONEST_START, LIMITS, assertAllRefused, useScenes, fetchViewKey, viewerAttempts } from './support.js';

describe('a view connection', () => {
  const server = useTestServer({ limits: LIMITS });
  const openScene = useScenes(server);

  it('lets a view connection read but refuses its updates and step 2 with read-only', async () => {
    const scene = await openScene({ offenderJoins: false });
    const viewer = scene.offender;
    const viewKey = await fetchViewKey(server(), scene.docId);
    const viewMirror = new MirrorDoc(viewer, viewKey);
    try {
      assert.deepEqual(await viewer.join(viewKey), { ok: true, role: 'view' });
      await viewMirror.syncFromServer();
      assert.equal(viewMirror.text(), HONEST_START);
      await assertAllRefused(viewer, viewerAttempts(viewKey, scene.docId));
      await scene.assertUnharmed();
      await waitFor('the viewer to keep receiving edits', () => viewMirror.text() === scene.honest.doc.getText('t').toString());
      assert.deepEqual(viewMirror.problems, []);
    } finally {
      viewMirror.destroy();
    }
    await scene.assertUnharmed();
  });
});
