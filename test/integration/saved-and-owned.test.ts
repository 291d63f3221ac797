/**
 * What "saved" means and who owns what, on a real server with real providers:
 * - saved never lies: content that came from elsewhere than this server (an offline copy) is not
 *   saved until the server confirmed it holds it, structs and deletions alike;
 * - a change refused with missing-dependencies heals by itself (the provider sends what the
 *   server lacks) without resending the same bytes forever;
 * - a client whose old connection dropped without a word takes its presence back at once, by its
 *   session; another session may not;
 * - a Yjs client id belongs to the session that introduced it: nobody else may write under it,
 *   so a person's offline work can never vanish as a "duplicate" of someone else's forgery;
 * - the provider goes on when Yjs gives its document a new client id.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { DocProvider } from '../../client/provider.js';
import { encodeUpdateMessage } from '../../shared/protocol.js';
import { snapshotOf } from '../support/doc-state.js';
import { RawClient, refusalCode } from '../support/raw-client.js';
import { useTestServer } from '../support/test-server.js';
import { sleep, waitFor, withTimeout } from '../support/wait.js';

const OFFLINE_COPY = Symbol('offline copy');

type SyncSend = DocProvider['channel']['sync'];

/** Puts `through` between a provider and its channel: it sees each sync message sent, and passes it on with `send` (or not). */
function interceptSyncs(provider: DocProvider, through: (send: SyncSend, ...args: Parameters<SyncSend>) => void): void {
  const send: SyncSend = provider.channel.sync.bind(provider.channel);
  provider.channel.sync = (...args: Parameters<SyncSend>) => through(send, ...args);
  // A change goes out through syncUpdate: seen here as the sync of its update message.
  provider.channel.syncUpdate = (docName, update, ack) => through(send, docName, encodeUpdateMessage(update), ack);
}

async function storedSnapshot(store: { load(docName: string): Promise<{ update: Uint8Array } | null> }, docName: string): Promise<string> {
  const stored = await store.load(docName);
  assert.ok(stored !== null);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, stored.update);
  try {
    return snapshotOf(doc);
  } finally {
    doc.destroy();
  }
}

describe('saved and owned', () => {
  const t = useTestServer();

  it('does not call content from an offline copy saved until the server holds it, deletions included', async () => {
    const docName = await t().createDoc();
    // What an offline copy holds: text written and partly deleted elsewhere, never sent here.
    const elsewhere = new Y.Doc();
    elsewhere.getText('t').insert(0, 'kept on this device, trimmed');
    elsewhere.getText('t').delete(19, 9);
    const provider = t().provider(docName, { untrackedOrigins: [OFFLINE_COPY] });
    await provider.whenSynced();
    await provider.whenSaved();
    assert.equal(provider.isSaved, true);
    Y.applyUpdate(provider.doc, Y.encodeStateAsUpdate(elsewhere), OFFLINE_COPY);
    assert.equal(provider.unsavedCount, 0, 'no change of this page is waiting');
    assert.equal(provider.isSaved, false, 'but the server has not confirmed the offline copy');
    await withTimeout('the offline copy to be saved', provider.whenSaved(), 10_000);
    assert.equal(provider.isSaved, true);
    assert.equal(await storedSnapshot(t().server.store, docName), snapshotOf(provider.doc), 'storage holds everything, deletions too');
  });

  it('sends no step 2 that would carry nothing, and is saved all the same; a page with work of its own sends one', async () => {
    const docName = await t().createDoc();
    const author = t().provider(docName);
    await author.whenSynced();
    author.doc.getText('t').insert(0, 'hello');
    await author.whenSaved();
    /** The kinds of sync message a provider sends: 0 step 1, 1 step 2, 2 update. */
    const recordKinds = (provider: DocProvider): number[] => {
      const kinds: number[] = [];
      interceptSyncs(provider, (send, ...args) => {
        kinds.push(args[1][0]!);
        send(...args);
      });
      return kinds;
    };
    // A page that holds nothing of the document: its step 2 would be empty.
    const reader = t().provider(docName, { connect: false });
    const readerKinds = recordKinds(reader);
    let verifications = 0;
    const verify = reader.channel.verify.bind(reader.channel);
    reader.channel.verify = (...args: Parameters<typeof verify>) => {
      verifications++;
      verify(...args);
    };
    reader.connect();
    await reader.whenSynced();
    // What the server sent is verified as durable before the page says saved.
    await withTimeout('the reader to be saved', reader.whenSaved(), 10_000);
    await sleep(300);
    assert.deepEqual(readerKinds, [0], 'only its step 1');
    assert.equal(reader.doc.getText('t').toString(), 'hello');
    assert.equal(reader.isSaved, true);
    assert.ok(verifications >= 1, 'what the server sent was verified before the page said saved');
    reader.doc.getText('t').insert(5, ' world');
    await withTimeout('the reader\'s change to be saved', reader.whenSaved(), 10_000);
    assert.deepEqual(readerKinds, [0, 2]);
    // A page with work the server lacks sends it in its step 2.
    const offline = t().provider(docName, { connect: false });
    const offlineKinds = recordKinds(offline);
    offline.doc.getText('t').insert(0, 'offline: ');
    offline.connect();
    await withTimeout('the offline work to be saved', offline.whenSynced().then(() => offline.whenSaved()), 10_000);
    assert.ok(offlineKinds.includes(1), `it sent a step 2 (${offlineKinds.join(', ')})`);
    await waitFor('everyone to converge', () => snapshotOf(author.doc) === snapshotOf(offline.doc) && snapshotOf(reader.doc) === snapshotOf(offline.doc), 10_000);
    assert.equal(await storedSnapshot(t().server.store, docName), snapshotOf(offline.doc), 'storage holds everything');
  });

  it('clears a step 2 whose ack was lost with the next handshake\'s, though that one carries nothing new', async () => {
    const docName = await t().createDoc();
    const elsewhere = new Y.Doc();
    elsewhere.getText('t').insert(0, 'kept on this device');
    const provider = t().provider(docName, { untrackedOrigins: [OFFLINE_COPY], connect: false });
    Y.applyUpdate(provider.doc, Y.encodeStateAsUpdate(elsewhere), OFFLINE_COPY);
    // The first step 2 arrives and is stored, but its ack is lost (as when the connection drops
    // right after): its ledger entry stays, and only another step 2's ack can clear it.
    let lost = false;
    interceptSyncs(provider, (send, ...args) => {
      if (!lost && args[1][0] === 1) {
        lost = true;
        send(args[0], args[1], () => undefined);
        return;
      }
      send(...args);
    });
    provider.connect();
    await provider.whenSynced();
    await waitFor('storage to hold the offline copy', async () => (await storedSnapshot(t().server.store, docName)) === snapshotOf(provider.doc), 10_000);
    provider.reconnect();
    await withTimeout('the page to be saved after the next handshake', provider.whenSaved(), 10_000);
    assert.equal(provider.isSaved, true);
  });

  it('heals a change refused with missing-dependencies, without resending it forever', async () => {
    const docName = await t().createDoc();
    const provider = t().provider(docName, { untrackedOrigins: [OFFLINE_COPY] });
    await provider.whenSynced();
    const elsewhere = new Y.Doc();
    elsewhere.getText('t').insert(0, 'abc');
    Y.applyUpdate(provider.doc, Y.encodeStateAsUpdate(elsewhere), OFFLINE_COPY);
    const errors: string[] = [];
    provider.on('error', (error) => errors.push(error.code));
    let syncs = 0;
    interceptSyncs(provider, (send, ...args) => {
      syncs++;
      send(...args);
    });
    // Typed right after "abc": this change builds on the offline copy the server lacks.
    provider.doc.getText('t').insert(3, 'def');
    await withTimeout('the change to be saved', provider.whenSaved(), 10_000);
    assert.ok(errors.includes('missing-dependencies'), `the server refused it first (${errors.join(', ')})`);
    assert.ok(syncs <= 4, `it took ${syncs} sync messages`);
    const late = t().provider(docName);
    await late.whenSynced();
    assert.equal(late.doc.getText('t').toString(), 'abcdef');
  });

  it('lets a client whose old connection is still open take its presence back by its session, and nobody else', async () => {
    const docName = await t().createDoc();
    const observer = t().provider(docName);
    const doc = new Y.Doc();
    const session = 'same-client-session-0001';
    const before = new DocProvider(t().url, docName, doc, { transports: ['websocket'], session });
    before.awareness.setLocalState({ user: { name: 'Ann' } });
    await before.whenSynced();
    await waitFor('the observer to see Ann', () => [...observer.awareness.getStates().values()].some((s) => (s as { user?: { name?: string } }).user?.name === 'Ann'));
    // The same client again, on a new connection, while the old one has not closed yet (a
    // network drop without FIN): its presence must be its own at once.
    const awareness = new Awareness(doc);
    const after = new DocProvider(t().url, docName, doc, { transports: ['websocket'], session, awareness });
    const errors: string[] = [];
    after.on('error', (error) => errors.push(error.code));
    await after.whenSynced();
    awareness.setLocalState({ user: { name: 'Ann again' } });
    await waitFor('the observer to see the new state', () => [...observer.awareness.getStates().values()].some((s) => (s as { user?: { name?: string } }).user?.name === 'Ann again'));
    assert.deepEqual(errors, []);
    // Another session may not touch it.
    const intruder = await RawClient.connect(t().url);
    try {
      assert.deepEqual(await intruder.join(docName), { ok: true, role: 'edit' });
      const clock = (awareness.meta.get(doc.clientID)?.clock ?? 0) + 5;
      const outcome = await intruder.outcomeOf(() => intruder.emitRaw('awareness', docName, spoof(doc.clientID, clock)), 'an answer to the spoof');
      assert.equal(refusalCode(outcome), 'awareness-not-owned');
    } finally {
      await intruder.close();
      before.destroy();
      after.destroy();
      // An awareness the test made itself keeps a timer running until destroyed.
      awareness.destroy();
    }
  });

  it('refuses a change written under another client\'s id, so that client\'s offline work is kept', async () => {
    const docName = await t().createDoc();
    const alice = t().provider(docName);
    await alice.whenSynced();
    alice.doc.getText('t').insert(0, 'Alice was here. ');
    await alice.whenSaved();
    alice.disconnect();
    alice.doc.getText('t').insert(16, 'Written offline.');
    // Mallory writes at Alice's next clock, under Alice's client id.
    const mallory = await RawClient.connect(t().url);
    try {
      assert.deepEqual(await mallory.join(docName), { ok: true, role: 'edit' });
      const stateBefore = Y.encodeStateVector(t().server.loadedDoc(docName)!);
      const aliceAtServer = Y.decodeStateVector(stateBefore).get(alice.doc.clientID) ?? 0;
      const forgery = new Y.Doc();
      Y.applyUpdate(forgery, Y.encodeStateAsUpdate(t().server.loadedDoc(docName)!));
      // (Set after the state arrived: Yjs picks a new id when a remote change uses its own.)
      forgery.clientID = alice.doc.clientID;
      forgery.getText('t').insert(0, 'FORGED ');
      const bytes = Y.encodeStateAsUpdate(forgery, stateBefore);
      assert.equal(Y.decodeUpdate(bytes).structs[0]?.id.clock, aliceAtServer, 'precondition: at Alice\'s next clock');
      const reply = await mallory.sync(docName, encodeUpdateMessage(bytes));
      assert.equal(reply.ok ? 'ok' : reply.error.code, 'client-id-not-owned');
    } finally {
      await mallory.close();
    }
    alice.connect();
    await alice.whenSynced();
    await withTimeout('Alice\'s offline work to be saved', alice.whenSaved(), 10_000);
    const late = t().provider(docName);
    await late.whenSynced();
    assert.equal(late.doc.getText('t').toString(), 'Alice was here. Written offline.');
    assert.equal(snapshotOf(late.doc), snapshotOf(alice.doc));
  });

  it('lets a client save its own work when another client brought part of it first in a handshake', async () => {
    const docName = await t().createDoc();
    // Ann writes offline; Ben got her first words another way (as after a server that relayed
    // them and was killed before storing them) and connects first.
    const ann = t().provider(docName);
    ann.disconnect();
    ann.doc.getText('t').insert(0, 'Ann wrote this. ');
    const ben = t().provider(docName, { untrackedOrigins: [OFFLINE_COPY] });
    Y.applyUpdate(ben.doc, Y.encodeStateAsUpdate(ann.doc), OFFLINE_COPY);
    await ben.whenSynced();
    await withTimeout('Ben\'s copy to be saved', ben.whenSaved(), 10_000);
    ann.doc.getText('t').insert(16, 'And this later.');
    ann.connect();
    await ann.whenSynced();
    await withTimeout('Ann\'s own work to be saved', ann.whenSaved(), 10_000);
    ann.doc.getText('t').insert(0, 'Live: ');
    await withTimeout('Ann\'s live change to be saved', ann.whenSaved(), 10_000);
    const late = t().provider(docName);
    await late.whenSynced();
    assert.equal(late.doc.getText('t').toString(), 'Live: Ann wrote this. And this later.');
    assert.equal(snapshotOf(late.doc), snapshotOf(ann.doc));
  });

  it('goes on when Yjs gives the document a new client id: edits saved, presence sent, destroy clean', async () => {
    const docName = await t().createDoc();
    const observer = t().provider(docName);
    const provider = t().provider(docName);
    provider.awareness.setLocalState({ user: { name: 'Bo' } });
    await provider.whenSynced();
    provider.doc.getText('t').insert(0, 'before ');
    await provider.whenSaved();
    // What Yjs does when it sees another client writing under its id.
    provider.doc.clientID = 0x1234567;
    provider.doc.getText('t').insert(7, 'after');
    await withTimeout('the edit under the new id to be saved', provider.whenSaved(), 10_000);
    provider.awareness.setLocalState({ user: { name: 'Bo, still' } });
    await waitFor('the observer to see the new presence', () => [...observer.awareness.getStates().values()].some((s) => (s as { user?: { name?: string } }).user?.name === 'Bo, still'));
    assert.doesNotThrow(() => provider.destroy());
    await waitFor('the observer to see Bo leave', () => ![...observer.awareness.getStates().values()].some((s) => (s as { user?: { name?: string } }).user?.name?.startsWith('Bo') === true));
    assert.equal(observer.doc.getText('t').toString(), 'before after');
  });
});

/** An awareness update for `clientId` at clock `clock`, as an intruder would make one. */
function spoof(clientId: number, clock: number): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  const awareness = new Awareness(doc);
  try {
    awareness.setLocalState({ user: { name: 'intruder' } });
    const meta = awareness.meta.get(clientId);
    if (meta !== undefined) meta.clock = clock;
    return encodeAwarenessUpdate(awareness, [clientId]);
  } finally {
    awareness.destroy();
    doc.destroy();
  }
}
