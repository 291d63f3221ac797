/**
 * Two people on one new document for the network tests: Alice behind a SocketSwitch (so that her
 * connection can be cut or stalled), Bob connected directly. Alice has typed `words`, both pages
 * show them, and Alice's connection is a WebSocket (so that a cut hits the socket itself, not a
 * polling request that happens to be in flight).
 */
import { PAGE_TIMEOUT_MS, waitForText, type Person } from './editor-page.js';
import { providerState } from './page-actions.js';
import type { Scenario } from './scenario.js';
import { SocketSwitch } from './socket-switch.js';
import { waitFor } from '../wait.js';

export interface SwitchedPair {
  readonly docName: string;
  readonly network: SocketSwitch;
  readonly alice: Person;
  readonly bob: Person;
}

export async function openSwitchedPair(scenario: Scenario, words: string): Promise<SwitchedPair> {
  const docName = (await scenario.newDoc()).id;
  const network = new SocketSwitch();
  const alice = await scenario.open(`/d/${docName}`, 'Alice', { prepare: (context) => network.install(context) });
  const bob = await scenario.open(`/d/${docName}`, 'Bob');
  await alice.page.locator('#editor .ProseMirror').click();
  await alice.page.keyboard.type(words);
  await waitForText([alice.page, bob.page], words);
  await waitFor('Alice to upgrade to a WebSocket', async () => (await providerState(alice.page)).transport === 'websocket', { timeoutMs: PAGE_TIMEOUT_MS });
  return { docName, network, alice, bob };
}
