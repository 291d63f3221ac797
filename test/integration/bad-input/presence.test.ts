/**
 * Presence (awareness) abuse from one connection that has joined a document for edit: payloads
 * that are not bytes, updates for a client id another connection owns, and states over the size
 * limits. Each must get its typed refusal (bad-request, awareness-not-owned, awareness-too-large)
 * naming the document; the victim's presence stays exactly as it was and under its own control,
 * and the honest peers receive nothing because of it and still edit and relay.
 */
import { describe, it } from 'node:test';
import { useTestServer } from '../../support/test-server.js';
import { waitFor } from '../../support/wait.js';
import { HONEST_PRESENCE, LIMITS, assertAllRefused, nonBinaryAttempts, oversizedPresenceAttempts, spoofedPresenceAttempts, useScenes } from './support.js';

describe('presence abuse from one connection', () => {
  const server = useTestServer({ limits: LIMITS });
  const openScene = useScenes(server);

  it('refuses non-binary awareness payloads with bad-request naming the document', async () => {
    const scene = await openScene();
    await assertAllRefused(scene.offender, nonBinaryAttempts('awareness', scene.docId));
    await scene.assertUnharmed();
  });

  it('refuses awareness for client ids the connection does not own, leaving the victim as it was', async () => {
    const scene = await openScene();
    const victim = scene.honest.doc.clientID;
    const clock = scene.honest.awareness.meta.get(victim)?.clock ?? 0;
    await assertAllRefused(scene.offender, spoofedPresenceAttempts(scene.docId, victim, clock));
    await scene.assertUnharmed();

    // The victim still controls its presence.
    const seenByObserver = (): string => JSON.stringify(scene.mirror.awareness.getStates().get(victim));
    scene.honest.awareness.setLocalStateField('cursor', { anchor: 1, head: 4 });
    await waitFor('the victim update to arrive', () => seenByObserver() === JSON.stringify(scene.honest.awareness.getLocalState()));
    scene.honest.awareness.setLocalState(HONEST_PRESENCE);
    await waitFor('the victim to restore its presence', () => seenByObserver() === JSON.stringify(HONEST_PRESENCE));
    await scene.assertUnharmed();
  });

  it('refuses oversized awareness states with awareness-too-large', async () => {
    const scene = await openScene();
    await assertAllRefused(scene.offender, oversizedPresenceAttempts(scene.docId, scene.honest.doc.clientID + 1));
    await scene.assertUnharmed();
  });
});
