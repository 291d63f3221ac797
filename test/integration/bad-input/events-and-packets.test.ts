/**
 * Events and packets no honest client sends: event names the server does not handle (look-alikes
 * of real ones, reserved and prototype names, a numeric name, a 1000-character name) and raw
 * Socket.IO packets the parser refuses must close the connection that sent them, and only that one. The honest peers of a document receive nothing
 * because of either and still edit and relay.
 */
import { describe, it } from 'node:test';
import { useTestServer } from '../../support/test-server.js';
import { LIMITS, assertUnknownEventsClose, assertUnparseablePacketsClose, useScenes } from './support.js';

describe('unknown events and unparseable packets', () => {
  const server = useTestServer({ limits: LIMITS });
  const openScene = useScenes(server);

  it('closes only the offending connection on events outside the allowlist', async () => {
    const scene = await openScene();
    await assertUnknownEventsClose(server());
    await scene.assertUnharmed();
  });

  it('closes only the offending connection on packets Socket.IO cannot parse', async () => {
    const scene = await openScene();
    await assertUnparseablePacketsClose(server());
    await scene.assertUnharmed();
  });
});
