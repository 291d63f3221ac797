/**
 * Invariant 5, for stored data: bad input of every kind the other bad-input files send (non-binary
 * payloads, malformed, oversized and unknown-parent updates, spoofed and oversized presence,
 * unknown events, unparseable packets, writes from a view connection, messages for documents not
 * joined), each on a document of its own that the honest peers keep editing, must leave storage
 * holding exactly the honest content: after a restart, every document loads as the same full
 * Yjs snapshot (state vector and delete set) and text the honest peers held when they left.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { snapshotOf } from '../../support/doc-state.js';
import { useTestServer } from '../../support/test-server.js';
import { waitFor, withTimeout } from '../../support/wait.js';
import {
  LIMITS,
  assertAllRefused,
  assertNotJoinedAfterLeave,
  assertUnknownEventsClose,
  assertUnparseablePacketsClose,
  invalidUpdateAttempts,
  nonBinaryAttempts,
  notJoinedAttempts,
  oversizedPresenceAttempts,
  sendUpdateWithUnknownParent,
  spoofedPresenceAttempts,
  synced,
  useScenes,
  fetchViewKey,
  viewerAttempts,
  type RecordedDoc,
  type Scene,
  type SceneOptions,
  refuseOversizedUpdates,
} from './support.js';

describe('honest content across a restart after bad input', () => {
  const server = useTestServer({ limits: LIMITS });
  const openScene = useScenes(server);

  it('keeps exactly the honest content of every document that got bad input across a restart', async () => {
    const t = server();
    /** What is sent to each document; each ends with the honest peers having edited after it. */
    const attacks: [string, SceneOptions, (scene: Scene) => Promise<void>][] = [
      [
        'non-binary payloads',
        {},
        async (scene) => {
          await assertAllRefused(scene.offender, [...nonBinaryAttempts('sync', scene.docId), ...nonBinaryAttempts('awareness', scene.docId)]);
          await scene.assertUnharmed();
        },
      ],
      [
        'malformed updates',
        {},
        async (scene) => {
          await assertAllRefused(scene.offender, invalidUpdateAttempts(scene.docId));
          await scene.assertUnharmed();
        },
      ],
      [
        'an update naming an unknown parent',
        {},
        async (scene) => {
          await sendUpdateWithUnknownParent(scene);
          const text = scene.honest.doc.getText('t');
          text.insert(text.length, ' typed after the bogus update');
          await withTimeout('the victim edit to be saved', scene.honest.whenSaved(), 10_000);
          await waitFor('the observer to receive the victim edit', () => scene.mirror.text() === text.toString());
        },
      ],
      [
        'oversized updates',
        {},
        refuseOversizedUpdates,
      ],
      [
        'spoofed and oversized presence',
        {},
        async (scene) => {
          const victim = scene.honest.doc.clientID;
          const clock = scene.honest.awareness.meta.get(victim)?.clock ?? 0;
          await assertAllRefused(scene.offender, [...spoofedPresenceAttempts(scene.docId, victim, clock), ...oversizedPresenceAttempts(scene.docId, victim + 1)]);
          await scene.assertUnharmed();
        },
      ],
      [
        'unknown events and unparseable packets',
        {},
        async (scene) => {
          await assertUnknownEventsClose(t);
          await assertUnparseablePacketsClose(t);
          await scene.assertUnharmed();
        },
      ],
      [
        'writes from a view connection',
        { offenderJoins: false },
        async (scene) => {
          const viewKey = await fetchViewKey(t, scene.docId);
          assert.deepEqual(await scene.offender.join(viewKey), { ok: true, role: 'view' });
          await assertAllRefused(scene.offender, viewerAttempts(viewKey, scene.docId));
          await scene.assertUnharmed();
        },
      ],
      [
        'messages for documents not joined',
        { offenderJoins: false },
        async (scene) => {
          await assertAllRefused(scene.offender, notJoinedAttempts(scene.docId));
          await assertNotJoinedAfterLeave(t, scene.offender, scene.docId);
          await scene.assertUnharmed();
        },
      ],
    ];

    const recorded: (RecordedDoc & { readonly what: string })[] = [];
    for (const [what, options, attack] of attacks) {
      const scene = await openScene(options);
      await attack(scene);
      recorded.push({ what, ...(await scene.close()) });
    }

    await t.restart();
    for (const doc of recorded) {
      const fresh = t.provider(doc.docId);
      try {
        await synced(fresh, `the document that got ${doc.what} to load after the restart`);
        assert.equal(fresh.doc.getText('t').toString(), doc.text, `the text of the document that got ${doc.what} changed`);
        assert.equal(snapshotOf(fresh.doc), doc.snapshot, `the document that got ${doc.what} differs from what the honest peers held`);
      } finally {
        fresh.destroy();
      }
    }
  });
});
