/**
 * Presence (y-protocols awareness) through a real server: it reaches the others, follows every
 * change, disappears when its connection goes (cleanly or not), comes back after a reconnect,
 * reaches late joiners, and only the connection that owns a client id can set or remove it
 * (invariant 4).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { DocProvider } from '../../client/provider.js';
import { RawClient, awarenessUpdate, describeOutcome, refusalCode } from '../support/raw-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { waitFor, withTimeout } from '../support/wait.js';

/** A TCP relay to the server whose connections can be cut with a reset, as a dropped network does. */
interface Relay {
  readonly port: number;
  /** Stops accepting and resets every open connection at once. */
  cut(): Promise<void>;
}

async function startRelay(targetPort: number, port = 0): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    async cut() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.resetAndDestroy();
      await closed;
    },
  };
}

function stateOf(provider: DocProvider, clientId: number): unknown {
  return provider.awareness.getStates().get(clientId);
}

/** The states a provider sees from others (its own left out), sorted by client id. */
function othersSeenBy(provider: DocProvider): [number, unknown][] {
  return [...provider.awareness.getStates()].filter(([id]) => id !== provider.doc.clientID).sort((a, b) => a[0] - b[0]);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * How long a presence may take to appear or disappear through the server. Generous for a busy
 * machine, yet well below what y-protocols does by itself (it renews a local state after 15 s and
 * drops a silent one after 30 s), so what the test waits for cannot come from those timers.
 */
const PRESENCE_TIMEOUT_MS = 8000;

describe('awareness', () => {
  let t: TestServer;
  const raws = new Set<RawClient>();
  const connectRaw = async (): Promise<RawClient> => {
    const client = await RawClient.connect(t.url);
    raws.add(client);
    return client;
  };
  const synced = (...providers: DocProvider[]): Promise<unknown> =>
    withTimeout('providers to sync', Promise.all(providers.map((p) => p.whenSynced())), 10_000);

  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await Promise.all([...raws].map((client) => client.close()));
    await t.close();
  });

  it('shows presence to others, follows its changes, and removes it on destroy and on disconnect', async () => {
    const docName = await t.createDoc();
    const a = t.provider(docName);
    const b = t.provider(docName);
    const c = t.provider(docName);
    await synced(a, b, c);
    const ada = { user: { name: 'Ada', color: '#c00' } };
    a.awareness.setLocalState(ada);
    await waitFor('b and c to see a', () => same(stateOf(b, a.doc.clientID), ada) && same(stateOf(c, a.doc.clientID), ada));
    a.awareness.setLocalStateField('cursor', { anchor: 2, head: 5 });
    const moved = { ...ada, cursor: { anchor: 2, head: 5 } };
    await waitFor('b to see the cursor move', () => same(stateOf(b, a.doc.clientID), moved));

    const aId = a.doc.clientID;
    a.destroy();
    await waitFor('a to disappear after destroy', () => !b.awareness.getStates().has(aId) && !c.awareness.getStates().has(aId), PRESENCE_TIMEOUT_MS);

    // disconnect() leaves without clearing the local state first: the server removes it.
    const bId = b.doc.clientID;
    b.awareness.setLocalState({ user: { name: 'Bea' } });
    await waitFor('c to see b', () => same(stateOf(c, bId), { user: { name: 'Bea' } }));
    b.disconnect();
    await waitFor('b to disappear after disconnect', () => !c.awareness.getStates().has(bId), PRESENCE_TIMEOUT_MS);
  });

  it('removes presence when the connection is reset, and shows it again after reconnecting', async () => {
    const docName = await t.createDoc();
    let relay = await startRelay(t.port);
    const a = new DocProvider(`http://127.0.0.1:${relay.port}`, docName, new Y.Doc(), { transports: ['websocket'], reconnectDelayMs: 100, reconnectDelayMaxMs: 300 });
    try {
      const b = t.provider(docName);
      const ada = { user: { name: 'Ada' } };
      a.awareness.setLocalState(ada);
      await synced(a, b);
      const aId = a.doc.clientID;
      await waitFor('b to see a', () => same(stateOf(b, aId), ada));

      await relay.cut();
      await waitFor('a to disappear after its connection was reset', () => !b.awareness.getStates().has(aId), PRESENCE_TIMEOUT_MS);
      await waitFor('a to notice the reset', () => a.status !== 'synced');

      relay = await startRelay(t.port, relay.port);
      await withTimeout('a to reconnect', a.whenSynced(), 10_000);
      await waitFor('a to reappear for b after reconnecting', () => same(stateOf(b, aId), ada), PRESENCE_TIMEOUT_MS);
    } finally {
      a.destroy();
      await relay.cut();
    }
  });

  it('removes exactly the client ids a connection controlled when it leaves or closes', async () => {
    const docName = await t.createDoc();
    const watcher = t.provider(docName);
    await synced(watcher);
    const first = await connectRaw();
    const second = await connectRaw();
    assert.deepEqual(await first.join(docName), { ok: true, role: 'edit' });
    assert.deepEqual(await second.join(docName), { ok: true, role: 'edit' });
    const base = watcher.doc.clientID + 1000;
    first.emitRaw('awareness', docName, awarenessUpdate([
      { clientId: base + 1, clock: 1, state: { user: { name: 'first, tab 1' } } },
      { clientId: base + 2, clock: 1, state: { user: { name: 'first, tab 2' } } },
    ]));
    second.emitRaw('awareness', docName, awarenessUpdate([{ clientId: base + 3, clock: 1, state: { user: { name: 'second' } } }]));
    await waitFor('the watcher to see three presences', () => othersSeenBy(watcher).length === 3);

    first.emitRaw('leave', docName);
    await waitFor('the first connection presences to disappear after leave', () => othersSeenBy(watcher).length === 1, PRESENCE_TIMEOUT_MS);
    assert.deepEqual(othersSeenBy(watcher), [[base + 3, { user: { name: 'second' } }]]);

    await second.close();
    await waitFor('the second connection presence to disappear after close', () => othersSeenBy(watcher).length === 0, PRESENCE_TIMEOUT_MS);
    assert.deepEqual([...first.errorsSince(0), ...second.errorsSince(0)], []);
  });

  it('sends a burst of presence changes on as fewer messages that end on the latest state, never back to their sender', async () => {
    const docName = await t.createDoc();
    const watcher = t.provider(docName);
    await synced(watcher);
    const sender = await connectRaw();
    const observer = await connectRaw();
    assert.deepEqual(await sender.join(docName), { ok: true, role: 'edit' });
    assert.deepEqual(await observer.join(docName), { ok: true, role: 'edit' });
    const [senderMark, observerMark] = [sender.received.length, observer.received.length];
    const id = watcher.doc.clientID + 2000;
    const burst = 40;
    for (let clock = 1; clock <= burst; clock++) sender.emitRaw('awareness', docName, awarenessUpdate([{ clientId: id, clock, state: { cursor: clock } }]));
    await waitFor('the watcher to see the last state of the burst', () => same(stateOf(watcher, id), { cursor: burst }));
    const relayed = observer.eventsSince(observerMark, 'awareness').length;
    assert.ok(relayed >= 1 && relayed < burst, `${burst} changes in a burst reached the observer as ${relayed} messages`);
    assert.equal(sender.eventsSince(senderMark, 'awareness').length, 0, 'the sender got its own changes back');
    assert.deepEqual([...sender.errorsSince(0), ...observer.errorsSince(0)], []);
  });

  it('refuses to let a connection set or remove presence it does not own', async () => {
    const docName = await t.createDoc();
    const victim = t.provider(docName);
    const watcher = t.provider(docName);
    const ada = { user: { name: 'Ada' } };
    victim.awareness.setLocalState(ada);
    await synced(victim, watcher);
    const vId = victim.doc.clientID;
    await waitFor('the watcher to see the victim', () => same(stateOf(watcher, vId), ada));
    const clock = victim.awareness.meta.get(vId)?.clock ?? 0;

    const offender = await connectRaw();
    assert.deepEqual(await offender.join(docName), { ok: true, role: 'edit' });
    const spoofs = [
      awarenessUpdate([{ clientId: vId, clock: clock + 1, state: { user: { name: 'Mallory' } } }]),
      awarenessUpdate([{ clientId: vId, clock: clock + 1, state: null }]),
    ];
    for (const spoof of spoofs) {
      const outcome = await offender.request('awareness', [docName, spoof], { withAck: false });
      assert.equal(refusalCode(outcome), 'awareness-not-owned', `spoofing the victim: got ${describeOutcome(outcome)}`);
    }
    // The offender leaving must not take the victim's presence with it either.
    await offender.close();
    victim.awareness.setLocalStateField('cursor', { anchor: 1, head: 1 });
    await waitFor('the victim update to arrive', () => same(stateOf(watcher, vId), { ...ada, cursor: { anchor: 1, head: 1 } }));
    assert.equal(victim.lastError, null);
    assert.equal(watcher.lastError, null);
  });

  it('serves a late joiner the presence of everyone still there', async () => {
    const docName = await t.createDoc();
    const a = t.provider(docName);
    const b = t.provider(docName);
    const gone = t.provider(docName);
    a.awareness.setLocalState({ user: { name: 'Ada' } });
    b.awareness.setLocalState({ user: { name: 'Bea' } });
    gone.awareness.setLocalState({ user: { name: 'Gus' } });
    await synced(a, b, gone);
    await waitFor('a to see b and gus', () => othersSeenBy(a).length === 2);
    b.awareness.setLocalStateField('cursor', { anchor: 3, head: 3 });
    const goneId = gone.doc.clientID;
    gone.destroy();
    await waitFor('gus to leave', () => !a.awareness.getStates().has(goneId));

    const late = t.provider(docName);
    await synced(late);
    const expected = [
      [a.doc.clientID, { user: { name: 'Ada' } }],
      [b.doc.clientID, { user: { name: 'Bea' }, cursor: { anchor: 3, head: 3 } }],
    ].sort((x, y) => (x[0] as number) - (y[0] as number));
    await waitFor('the late joiner to see a and b', () => same(othersSeenBy(late), expected), PRESENCE_TIMEOUT_MS);
  });

  it('keeps presence within its document', async () => {
    const one = await t.createDoc();
    const two = await t.createDoc();
    const inOne = t.provider(one);
    const inTwo = t.provider(two);
    await synced(inOne, inTwo);
    const both = await connectRaw();
    assert.deepEqual(await both.join(one), { ok: true, role: 'edit' });
    assert.deepEqual(await both.join(two), { ok: true, role: 'edit' });
    const id = inOne.doc.clientID + 7;
    both.emitRaw('awareness', one, awarenessUpdate([{ clientId: id, clock: 1, state: { user: { name: 'only in one' } } }]));
    await waitFor('the first document to see the presence', () => same(stateOf(inOne, id), { user: { name: 'only in one' } }));
    // Messages of one connection are handled in order, so once the second document shows this
    // later presence, anything misrouted from the first would have arrived before it.
    both.emitRaw('awareness', two, awarenessUpdate([{ clientId: id + 1, clock: 1, state: { user: { name: 'in two' } } }]));
    await waitFor('the second document to see its own presence', () => inTwo.awareness.getStates().has(id + 1));
    assert.equal(inTwo.awareness.getStates().has(id), false, 'presence leaked into another document');
    assert.equal(inOne.awareness.getStates().has(id + 1), false, 'presence leaked into another document');
    assert.deepEqual(both.errorsSince(0), []);
  });
});
