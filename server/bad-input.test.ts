/**
 * Invariants 3 and 5: a view connection can never change a document, and bad input from one
 * connection never harms another connection or stored data. A raw Socket.IO client (the offender)
 * sends what no honest client would. Each case runs in a scene: an honest provider and an honest
 * raw observer share the document with the offender. Afterwards the offender got the specific
 * typed error, the observer received nothing because of it, both honest peers still edit and
 * relay, and (in the last test) a restarted server serves exactly the honest content.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import type { DocProvider } from '../client/provider.js';
import { newDocId } from '../shared/doc-id.js';
import type { ErrorCode, QuireErrorPayload } from '../shared/errors.js';
import { SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE, encodeSyncMessage, encodeUpdateMessage, type SyncMessageType } from '../shared/protocol.js';
import { MirrorDoc, RawClient, awarenessUpdate, describeOutcome, refusalCode, withTimeout, type Outcome } from './test-support/raw-client.js';
import { prng, startTestServer, testSeed, waitFor, type TestServer } from './test-support/test-server.js';

const LIMITS = { maxUpdateBytes: 4096 };
const HONEST_PRESENCE = { user: { name: 'honest' } };

/** What the honest peers hold at the end of a case, checked again after a restart. */
interface RecordedDoc {
  readonly docId: string;
  readonly state: Uint8Array;
  readonly text: string;
}

function assertRefused(outcome: Outcome, code: ErrorCode, what: string): void {
  assert.equal(refusalCode(outcome), code, `${what}: expected a ${code} refusal, got ${describeOutcome(outcome)}`);
}

function presence(awareness: Awareness): [number, unknown][] {
  return [...awareness.getStates()].sort((a, b) => a[0] - b[0]);
}

function sameDoc(a: Y.Doc, b: Y.Doc): boolean {
  return Y.equalSnapshots(Y.snapshot(a), Y.snapshot(b));
}

/** A valid update of one text insertion whose sync message is exactly `size` bytes. */
function syncMessageOfSize(size: number, type: SyncMessageType, clientId: number): Uint8Array {
  for (let length = Math.max(0, size - 64); length < size; length++) {
    const doc = new Y.Doc();
    doc.clientID = clientId;
    doc.getText('big').insert(0, 'x'.repeat(length));
    const message = encodeSyncMessage(type, Y.encodeStateAsUpdate(doc));
    doc.destroy();
    if (message.length === size) return message;
  }
  throw new RangeError(`No single insertion makes a sync message of exactly ${size} bytes.`);
}

function generatorUpdate(): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, 'generated text that is not honest');
  doc.getMap('m').set('key', { nested: [1, 2, 3] });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

/**
 * A Yjs (v1) update of one string item at `client`/`clock` whose parent is the id of an item
 * that does not exist. It decodes fine; Yjs keeps it pending, waiting for that parent.
 */
function itemWithUnknownParent(client: number, clock: number, text: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1); // one client
  encoding.writeVarUint(encoder, 1); // one struct
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, clock);
  encoding.writeUint8(encoder, 4); // ContentString, no origins, no parentSub
  encoding.writeVarUint(encoder, 0); // the parent is an item id, not a root type name
  encoding.writeVarUint(encoder, 90); // parent client nobody uses
  encoding.writeVarUint(encoder, 102); // parent clock
  encoding.writeVarString(encoder, text);
  encoding.writeVarUint(encoder, 0); // empty delete set
  return encoding.toUint8Array(encoder);
}

/** A document shared by an honest provider, an honest raw observer and an offender. */
class Scene {
  readonly honestErrors: QuireErrorPayload[] = [];
  /** Index in the observer's received events where the bad input started. */
  private mark = 0;
  private closed: Promise<RecordedDoc> | null = null;

  private constructor(
    readonly docId: string,
    readonly honest: DocProvider,
    readonly observer: RawClient,
    readonly mirror: MirrorDoc,
    readonly offender: RawClient,
  ) {
    honest.on('error', (error) => this.honestErrors.push(error));
  }

  static async open(t: TestServer, options: { offenderJoins?: boolean } = {}): Promise<Scene> {
    const docId = newDocId();
    const honest = t.provider(docId);
    honest.awareness.setLocalState(HONEST_PRESENCE);
    const observer = await RawClient.connect(t.url);
    const mirror = new MirrorDoc(observer, docId);
    const offender = await RawClient.connect(t.url).catch(async (error: unknown) => {
      mirror.destroy();
      await observer.close();
      throw error;
    });
    const scene = new Scene(docId, honest, observer, mirror, offender);
    try {
      await withTimeout(honest.whenSynced(), 10_000, 'the honest provider to sync');
      honest.doc.getText('t').insert(0, 'honest start');
      await withTimeout(honest.whenSaved(), 10_000, 'the honest edit to be saved');
      assert.deepEqual(await observer.join(docId), { ok: true, role: 'edit' });
      await mirror.syncFromServer();
      assert.equal(mirror.text(), 'honest start');
      await waitFor(() => mirror.awareness.getStates().has(honest.doc.clientID), 'the observer to see the honest presence');
      if (options.offenderJoins ?? true) assert.deepEqual(await offender.join(docId), { ok: true, role: 'edit' });
    } catch (error) {
      await scene.close();
      throw error;
    }
    scene.startBadInput();
    return scene;
  }

  /** Marks the point after which the observer must receive nothing caused by the offender. */
  startBadInput(): void {
    this.mark = this.observer.received.length;
  }

  /**
   * Checks that nothing reached the honest peers since `startBadInput`, then that both still
   * edit and relay, and end with equal documents.
   */
  async assertUnharmed(): Promise<void> {
    const { observer, mirror, honest } = this;
    // Awareness events are left out: the honest provider renews its presence every 15 s.
    const noise = observer.eventsSince(this.mark).filter((e) => e.event !== 'awareness');
    assert.deepEqual(noise.map((e) => `${e.event} ${JSON.stringify(e.args).slice(0, 200)}`), [], 'the observer received something because of the bad input');
    assert.deepEqual(presence(mirror.awareness), [[honest.doc.clientID, HONEST_PRESENCE]], 'the observer sees exactly the honest presence');
    assert.deepEqual(mirror.problems, []);
    assert.deepEqual(this.honestErrors, [], 'the honest provider was told about errors');
    assert.ok(observer.connected, 'the observer was disconnected');
    assert.equal(honest.status, 'synced');

    const text = honest.doc.getText('t');
    text.insert(text.length, ' +relayed');
    await waitFor(() => mirror.text() === text.toString(), 'the observer to receive the honest edit');
    assert.equal(observer.eventsSince(this.mark, 'sync').length, 1, 'exactly one sync message (the honest edit) reached the observer');
    await withTimeout(honest.whenSaved(), 10_000, 'the honest edit to be saved');
    mirror.doc.getText('t').insert(0, '[observer] ');
    await mirror.saved();
    await waitFor(() => text.toString() === mirror.text(), 'the provider to receive the observer edit');
    assert.ok(sameDoc(honest.doc, mirror.doc), 'the provider and the observer hold different documents');
    this.startBadInput();
  }

  /** Closes every connection of the scene and records the honest content. Idempotent. */
  close(): Promise<RecordedDoc> {
    this.closed ??= (async () => {
      const recorded = { docId: this.docId, state: Y.encodeStateAsUpdate(this.honest.doc), text: this.honest.doc.getText('t').toString() };
      this.honest.destroy();
      this.mirror.destroy();
      await Promise.all([this.observer.close(), this.offender.close()]);
      return recorded;
    })();
    return this.closed;
  }
}

const NON_BINARY: readonly [string, readonly unknown[]][] = [
  ['a string', ['AgEA']],
  ['a number', [42]],
  ['a plain object shaped like a Buffer', [{ type: 'Buffer', data: [2, 2, 0, 0] }]],
  ['an object holding bytes', [{ bytes: new Uint8Array([2, 2, 0, 0]) }]],
  ['an array of numbers', [[2, 2, 0, 0]]],
  ['null', [null]],
  ['a boolean', [true]],
  ['nothing', []],
];

const BAD_NAMES: readonly [string, unknown][] = [
  ['../x', '../x'],
  ['..%2F', '..%2F'],
  ['a\\b', 'a\\b'],
  ['a relative path ending in an id', '../../../../tmp/AAAAAAAAAAAAAAAAAAAAAA'],
  ['a storage key', 'd/AAAAAAAAAAAAAAAAAAAAAA/l'],
  ['an id followed by NUL', 'AAAAAAAAAAAAAAAAAAAAAA\u0000'],
  ['NUL alone', '\u0000'],
  ['10 KB of id characters', 'a'.repeat(10 * 1024)],
  ['65 id characters', 'a'.repeat(65)],
  ['15 id characters', 'a'.repeat(15)],
  ['the empty string', ''],
  ['an id with a dot', 'AAAAAAAAAA.AAAAAAAAAAA'],
  ['an id followed by a newline', 'AAAAAAAAAAAAAAAAAAAAAA\n'],
  ['full-width letters', 'Ａ'.repeat(22)],
  ['a view key with a short token', 'v.AAAAAAAAAAAAAAAAAAAAAA'],
  ['a view key with a path', 'v.../../AAAAAAAAAAAAAAAAAAAAAAAA'],
  ['a bare view prefix', 'v.'],
  ['a number', 1234567890123456],
  ['null', null],
  ['an object', { id: 'AAAAAAAAAAAAAAAAAAAAAA' }],
  ['an array', ['AAAAAAAAAAAAAAAAAAAAAA']],
  ['a boolean', true],
];

const UNKNOWN_EVENTS: readonly [string, readonly unknown[]][] = [
  ['hack', []],
  ['hack', ['AAAAAAAAAAAAAAAAAAAAAA', new Uint8Array([2, 2, 0, 0])]],
  ['Sync', ['AAAAAAAAAAAAAAAAAAAAAA', new Uint8Array([2, 2, 0, 0])]],
  ['join ', ['AAAAAAAAAAAAAAAAAAAAAA', null]],
  ['quire-error', [{ code: 'internal', message: 'spoofed' }]],
  ['kicked', ['AAAAAAAAAAAAAAAAAAAAAA', { code: 'doc-deleted', message: 'spoofed' }]],
  ['error', ['boom']],
  ['__proto__', []],
  ['constructor', []],
  ['hasOwnProperty', ['join']],
  ['x'.repeat(1000), []],
];

async function listTree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}

async function viewTokenOf(t: TestServer, docId: string): Promise<string> {
  const response = await fetch(`${t.url}/api/docs/${docId}/links`);
  assert.equal(response.status, 200);
  const body = (await response.json()) as { viewUrl: string };
  const match = /^\/v\/([A-Za-z0-9_-]{32})$/.exec(body.viewUrl);
  assert.ok(match, `unexpected view URL ${body.viewUrl}`);
  return match[1]!;
}

describe('bad input from one connection', () => {
  let t: TestServer;
  const scenes: Scene[] = [];
  const recorded: RecordedDoc[] = [];
  const openScene = async (options?: { offenderJoins?: boolean }): Promise<Scene> => {
    const scene = await Scene.open(t, options);
    scenes.push(scene);
    return scene;
  };
  const finish = async (scene: Scene): Promise<void> => {
    await scene.assertUnharmed();
    recorded.push(await scene.close());
  };

  before(async () => {
    t = await startTestServer({ limits: LIMITS });
  });
  after(async () => {
    await Promise.all(scenes.map((scene) => scene.close()));
    await t.close();
  });

  it('refuses non-binary sync payloads with bad-request', async () => {
    const scene = await openScene();
    for (const [what, payload] of NON_BINARY) {
      for (const withAck of [true, false]) {
        const outcome = await scene.offender.request('sync', [scene.docId, ...payload], { withAck });
        assertRefused(outcome, 'bad-request', `sync carrying ${what} (${withAck ? 'with' : 'without'} ack)`);
        if (outcome.via === 'error') assert.equal(outcome.error.doc, scene.docId, 'the error names the document');
      }
    }
    await finish(scene);
  });

  it('refuses non-binary awareness payloads with bad-request', async () => {
    const scene = await openScene();
    for (const [what, payload] of NON_BINARY) {
      for (const withAck of [true, false]) {
        const outcome = await scene.offender.request('awareness', [scene.docId, ...payload], { withAck });
        assertRefused(outcome, 'bad-request', `awareness carrying ${what} (${withAck ? 'with' : 'without'} ack)`);
      }
    }
    await finish(scene);
  });

  it('refuses empty, truncated and random-byte updates, framed and raw, with invalid-update', async () => {
    const scene = await openScene();
    const real = generatorUpdate();
    const frame = encodeUpdateMessage(real);
    const notUpdates: [string, Uint8Array][] = [
      ['an empty update', new Uint8Array(0)],
      ['a one-byte update', new Uint8Array([0])],
      ['an update cut after 1 byte', real.slice(0, 1)],
      ['an update cut after 3 bytes', real.slice(0, 3)],
      ['an update cut in half', real.slice(0, real.length >> 1)],
      ['an update missing its last byte', real.slice(0, -1)],
      ['a varint that never ends', new Uint8Array(12).fill(0xff)],
      ['text', new TextEncoder().encode('not a yjs update at all')],
      ['a struct count with nothing after it', new Uint8Array([9])],
    ];
    for (const [what, bytes] of notUpdates) {
      assert.throws(() => Y.decodeUpdate(bytes), `precondition: ${what} is not a Yjs update`);
      for (const type of [SYNC_UPDATE, SYNC_STEP2] as const) {
        const outcome = await scene.offender.request('sync', [scene.docId, encodeSyncMessage(type, bytes)]);
        assertRefused(outcome, 'invalid-update', `${what} framed as ${type === SYNC_UPDATE ? 'an update' : 'step 2'}`);
      }
    }
    const badFrames: [string, Uint8Array][] = [
      ['an empty message', new Uint8Array(0)],
      ['a message type alone', new Uint8Array([SYNC_UPDATE])],
      ['a payload shorter than its length', new Uint8Array([SYNC_UPDATE, 5, 0, 0])],
      ['an unknown message type', new Uint8Array([3, 2, 0, 0])],
      ['a huge message type', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 2, 0, 0])],
      ['a frame with a trailing byte', new Uint8Array([...frame, 0])],
      ['a frame missing its last byte', frame.slice(0, -1)],
      ['a bare Yjs update without a frame', real],
      ['text', new TextEncoder().encode('not a sync message')],
      ['step 1 with a malformed state vector', encodeSyncMessage(SYNC_STEP1, new Uint8Array([5, 1]))],
      ['step 1 with a truncated varint', encodeSyncMessage(SYNC_STEP1, new Uint8Array([1, 0x80]))],
    ];
    for (const [what, bytes] of badFrames) {
      assertRefused(await scene.offender.request('sync', [scene.docId, bytes]), 'invalid-update', what);
    }
    assertRefused(await scene.offender.request('sync', [scene.docId, real.slice(0, 3)], { withAck: false }), 'invalid-update', 'a truncated raw update without ack');
    await finish(scene);
  });

  it('keeps later joiners and storage equal to live clients after an update that names an unknown parent', async () => {
    const scene = await openScene();
    const text = scene.honest.doc.getText('t');
    const victim = scene.honest.doc.clientID;
    const nextClock = Y.decodeStateVector(Y.encodeStateVector(scene.honest.doc)).get(victim) ?? 0;
    const bogus = itemWithUnknownParent(victim, nextClock, 'bogus');
    assert.doesNotThrow(() => Y.decodeUpdate(bogus), 'precondition: the update is well-formed');
    const outcome = await scene.offender.request('sync', [scene.docId, encodeUpdateMessage(bogus)]);
    assert.ok(['invalid-update', 'missing-dependencies', null].includes(refusalCode(outcome)), `the bogus update: got ${describeOutcome(outcome)}`);

    // The victim types on; live clients see it. A client joining now, and storage, must agree.
    text.insert(text.length, ' typed after the bogus update');
    await withTimeout(scene.honest.whenSaved(), 10_000, 'the victim edit to be saved');
    await waitFor(() => scene.mirror.text() === text.toString(), 'the observer to receive the victim edit');
    const late = t.provider(scene.docId);
    await withTimeout(late.whenSynced(), 10_000, 'a late joiner to sync');
    const stored = await t.server.store.load(scene.docId);
    const reloaded = new Y.Doc();
    if (stored !== null) Y.applyUpdate(reloaded, stored.update);
    assert.deepEqual(
      { late: late.doc.getText('t').toString(), stored: reloaded.getText('t').toString() },
      { late: text.toString(), stored: text.toString() },
      'a late joiner or storage lost the victim edit',
    );
    reloaded.destroy();
    late.destroy();
    recorded.push(await scene.close());
  });

  it('refuses updates over maxUpdateBytes with update-too-large and accepts one exactly at it', async () => {
    const scene = await openScene();
    const limit = LIMITS.maxUpdateBytes;
    const oversized: [string, Uint8Array, boolean][] = [
      ['an update one byte over', syncMessageOfSize(limit + 1, SYNC_UPDATE, 7001), true],
      ['step 2 one byte over', syncMessageOfSize(limit + 1, SYNC_STEP2, 7001), true],
      ['an update of 8000 bytes without ack', syncMessageOfSize(8000, SYNC_UPDATE, 7001), false],
      ['60 000 bytes', new Uint8Array(60_000).fill(0xab), true],
    ];
    for (const [what, bytes, withAck] of oversized) {
      assertRefused(await scene.offender.request('sync', [scene.docId, bytes], { withAck }), 'update-too-large', what);
    }
    await scene.assertUnharmed();

    // An honest update exactly at the limit goes through, from the observer to the provider.
    const atLimit = syncMessageOfSize(limit, SYNC_UPDATE, 7002);
    assert.deepEqual(await scene.observer.sync(scene.docId, atLimit), { ok: true });
    await waitFor(() => scene.honest.doc.getText('big').length > 4000, 'the provider to receive the update at the limit');
    await scene.mirror.syncFromServer();
    scene.startBadInput();

    // A message over the transport's own limit ends the offender's connection, and only that.
    const outcome = await scene.offender.request('sync', [scene.docId, new Uint8Array(200_000)]);
    assert.equal(outcome.via, 'disconnect', `a 200 KB message: expected the connection to close, got ${describeOutcome(outcome)}`);
    await finish(scene);
  });

  it('refuses awareness for client ids the connection does not own, leaving the victim as it was', async () => {
    const scene = await openScene();
    const victim = scene.honest.doc.clientID;
    const clock = scene.honest.awareness.meta.get(victim)?.clock ?? 0;
    const own = victim + 1;
    const spoofs: [string, Uint8Array][] = [
      ['a new state for the victim', awarenessUpdate([{ clientId: victim, clock: clock + 1, state: { user: { name: 'evil' } } }])],
      ['a far-future state for the victim', awarenessUpdate([{ clientId: victim, clock: clock + 1000, state: { user: { name: 'evil' } } }])],
      ['removing the victim', awarenessUpdate([{ clientId: victim, clock: clock + 1, state: null }])],
      [
        'its own state together with the victim',
        awarenessUpdate([
          { clientId: own, clock: 1, state: { user: { name: 'offender' } } },
          { clientId: victim, clock: clock + 1, state: { user: { name: 'evil' } } },
        ]),
      ],
    ];
    for (const [what, update] of spoofs) {
      for (const withAck of [false, true]) {
        assertRefused(await scene.offender.request('awareness', [scene.docId, update], { withAck }), 'awareness-not-owned', what);
      }
    }
    await scene.assertUnharmed();
    // The victim still controls its presence.
    scene.honest.awareness.setLocalStateField('cursor', { anchor: 1, head: 4 });
    await waitFor(() => JSON.stringify(scene.mirror.awareness.getStates().get(victim)) === JSON.stringify(scene.honest.awareness.getLocalState()), 'the victim update to arrive');
    scene.honest.awareness.setLocalState(HONEST_PRESENCE);
    await waitFor(() => JSON.stringify(scene.mirror.awareness.getStates().get(victim)) === JSON.stringify(HONEST_PRESENCE), 'the victim to restore its presence');
    await finish(scene);
  });

  it('refuses oversized awareness states with awareness-too-large', async () => {
    const scene = await openScene();
    const own = scene.honest.doc.clientID + 1;
    const cases: [string, Uint8Array][] = [
      ['a state of 9000 characters', awarenessUpdate([{ clientId: own, clock: 1, state: { name: 'x'.repeat(9000) } }])],
      ['a state of 20 000 characters', awarenessUpdate([{ clientId: own, clock: 1, state: { name: 'x'.repeat(20_000) } }])],
      [
        'four states that together exceed the message limit',
        awarenessUpdate([0, 1, 2, 3].map((i) => ({ clientId: own + i, clock: 1, state: { name: 'x'.repeat(5000) } }))),
      ],
    ];
    for (const [what, update] of cases) {
      assertRefused(await scene.offender.request('awareness', [scene.docId, update], { withAck: false }), 'awareness-too-large', what);
    }
    await finish(scene);
  });

  it('refuses unknown events with unknown-event', async () => {
    const scene = await openScene();
    for (const [event, args] of UNKNOWN_EVENTS) {
      for (const withAck of [false, true]) {
        assertRefused(await scene.offender.request(event, args, { withAck }), 'unknown-event', `event ${JSON.stringify(event.slice(0, 20))}`);
      }
    }
    const numeric = await scene.offender.outcomeOf(() => scene.offender.writeRawPacket('2/quire,[7,"x"]'), 'an answer to a numeric event name');
    assertRefused(numeric, 'unknown-event', 'a numeric event name');
    await finish(scene);
  });

  it('closes only the offending connection on packets Socket.IO cannot parse', async () => {
    const scene = await openScene();
    const packets = ['2/quire,[]', '2/quire,{}', '2/quire,not json', '2/quire,["disconnect"]', '2/quire,["newListener","sync"]', '9'];
    for (const packet of packets) {
      const offender = await RawClient.connect(t.url);
      try {
        const outcome = await offender.outcomeOf(() => offender.writeRawPacket(packet), `an answer to ${packet}`);
        assert.equal(outcome.via, 'disconnect', `${packet}: expected the connection to close, got ${describeOutcome(outcome)}`);
      } finally {
        await offender.close();
      }
    }
    await finish(scene);
  });

  it('lets a view connection read but refuses its updates and step 2 with read-only', async () => {
    const scene = await openScene({ offenderJoins: false });
    const token = await viewTokenOf(t, scene.docId);
    const viewKey = `v.${token}`;
    const viewer = scene.offender;
    const viewMirror = new MirrorDoc(viewer, viewKey);
    try {
      assert.deepEqual(await viewer.join(viewKey), { ok: true, role: 'view' });
      await viewMirror.syncFromServer();
      assert.equal(viewMirror.text(), 'honest start');
      const real = generatorUpdate();
      const empty = Y.encodeStateAsUpdate(new Y.Doc());
      const attempts: [string, Uint8Array, boolean][] = [
        ['an update', encodeUpdateMessage(real), true],
        ['step 2', encodeSyncMessage(SYNC_STEP2, real), true],
        ['an empty step 2', encodeSyncMessage(SYNC_STEP2, empty), true],
        ['an empty update', encodeUpdateMessage(empty), true],
        ['an update without ack', encodeUpdateMessage(real), false],
      ];
      for (const [what, message, withAck] of attempts) {
        assertRefused(await viewer.request('sync', [viewKey, message], { withAck }), 'read-only', `a view connection sending ${what}`);
      }
      const garbage = await viewer.request('sync', [viewKey, new Uint8Array([SYNC_UPDATE, 3, 1, 2, 3])]);
      assert.ok(['read-only', 'invalid-update'].includes(refusalCode(garbage) ?? ''), `garbage from a viewer: got ${describeOutcome(garbage)}`);
      // The document id is not a way around the view role: the viewer never joined by it.
      assertRefused(await viewer.request('sync', [scene.docId, encodeUpdateMessage(real)]), 'not-joined', 'a viewer sending by document id');
      await scene.assertUnharmed();
      await waitFor(() => viewMirror.text() === scene.honest.doc.getText('t').toString(), 'the viewer to keep receiving edits');
      assert.deepEqual(viewMirror.problems, []);
    } finally {
      viewMirror.destroy();
    }
    await finish(scene);
  });

  it('refuses messages for documents not joined with not-joined', async () => {
    const scene = await openScene({ offenderJoins: false });
    const offender = scene.offender;
    const update = encodeUpdateMessage(generatorUpdate());
    const presenceUpdate = awarenessUpdate([{ clientId: 99, clock: 1, state: { user: { name: 'ghost' } } }]);
    const names: [string, unknown][] = [
      ['a document others are in', scene.docId],
      ['a document nobody is in', newDocId()],
      ['a malformed name', '../x'],
      ['a number', 42],
      ['null', null],
    ];
    for (const [what, name] of names) {
      assertRefused(await offender.request('sync', [name, update]), 'not-joined', `an update for ${what}`);
      assertRefused(await offender.request('sync', [name, encodeSyncMessage(SYNC_STEP1, new Uint8Array([0]))]), 'not-joined', `step 1 for ${what}`);
      assertRefused(await offender.request('awareness', [name, presenceUpdate], { withAck: false }), 'not-joined', `awareness for ${what}`);
    }
    // After leaving, the document is no longer joined.
    const other = newDocId();
    assert.deepEqual(await offender.join(other), { ok: true, role: 'edit' });
    offender.emitRaw('leave', other);
    assertRefused(await offender.request('sync', [other, update]), 'not-joined', 'an update after leave');
    assertRefused(await offender.request('sync', [scene.docId, update]), 'not-joined', 'an update for the scene document after joining another');
    await finish(scene);
  });

  it('refuses malformed, overlong and path-like document names and stores nothing for them', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'quire-bad-names-'));
    const named = await startTestServer({ dataDir: path.join(root, 'data'), limits: LIMITS });
    let scene: Scene | null = null;
    try {
      scene = await Scene.open(named, { offenderJoins: false });
      const filesBefore = await listTree(root);
      const docsBefore = (await named.server.store.list()).map((d) => d.docId);
      const roomsBefore = named.server.roomsLoaded;
      for (const [what, name] of BAD_NAMES) {
        const outcome = await scene.offender.request('join', [name, null]);
        assertRefused(outcome, 'invalid-doc-name', `joining ${what}`);
      }
      assertRefused(await scene.offender.request('join', ['../x', null], { withAck: false }), 'invalid-doc-name', 'joining ../x without ack');
      assertRefused(await scene.offender.request('join', []), 'invalid-doc-name', 'joining with no name at all');
      assert.deepEqual(await listTree(root), filesBefore, 'the data dir (or its parent) changed');
      assert.deepEqual((await named.server.store.list()).map((d) => d.docId), docsBefore, 'storage gained documents');
      assert.equal(named.server.roomsLoaded, roomsBefore, 'rooms were loaded for bad names');
      await scene.assertUnharmed();
    } finally {
      await scene?.close();
      await named.close();
      await rm(root, { recursive: true, force: true });
    }
  });

  it('keeps exactly the honest content of every document across a restart', async () => {
    assert.ok(recorded.length > 0, 'no case recorded its document');
    await t.restart();
    for (const doc of recorded) {
      const fresh = t.provider(doc.docId);
      await withTimeout(fresh.whenSynced(), 10_000, () => `${doc.docId} to load after the restart (last error ${JSON.stringify(fresh.lastError)})`);
      const expected = new Y.Doc();
      Y.applyUpdate(expected, doc.state);
      assert.equal(fresh.doc.getText('t').toString(), doc.text);
      assert.ok(sameDoc(fresh.doc, expected), `document ${doc.docId} differs from what the honest peers held`);
      expected.destroy();
      fresh.destroy();
    }
  });
});

/** Seeded generators of bad input; `rand` comes from the test's seed. */
class Garbage {
  private readonly rand: () => number;
  readonly realUpdates: Uint8Array[] = [];

  constructor(rand: () => number) {
    this.rand = rand;
    // Real updates from a generator with its own client id, on types the honest peers do not use.
    const doc = new Y.Doc();
    doc.clientID = 1_000_000 + this.int(1_000_000_000);
    doc.on('update', (update: Uint8Array) => this.realUpdates.push(update));
    for (let i = 0; i < 60; i++) {
      const text = doc.getText('f');
      switch (this.int(5)) {
        case 0:
          text.insert(this.int(text.length + 1), 'généré ✓ '.slice(0, 1 + this.int(9)));
          break;
        case 1:
          if (text.length > 0) text.delete(this.int(text.length), 1 + this.int(3));
          break;
        case 2:
          doc.getMap('m').set(`k${this.int(5)}`, this.pick([42, 'text', { nested: [1, 'two', null] }, new Uint8Array([1, 2, 3]), true]));
          break;
        case 3:
          doc.getArray('a').push([this.int(100), 'item']);
          break;
        default: {
          const element = new Y.XmlElement('paragraph');
          element.setAttribute('level', String(this.int(3)));
          element.insert(0, [new Y.XmlText('xml')]);
          doc.getXmlFragment('x').insert(0, [element]);
        }
      }
    }
    this.realUpdates.push(Y.encodeStateAsUpdate(doc));
    doc.destroy();
  }

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }

  bytes(length: number): Uint8Array {
    return Uint8Array.from({ length }, () => this.int(256));
  }

  /** Mostly short lengths, sometimes a few hundred bytes. */
  length(): number {
    return this.int(10) === 0 ? 40 + this.int(400) : this.int(40);
  }

  truncate(bytes: Uint8Array): Uint8Array {
    return bytes.slice(0, this.int(bytes.length));
  }

  flip(bytes: Uint8Array): Uint8Array {
    const copy = bytes.slice();
    for (let flips = 1 + this.int(4); flips > 0 && copy.length > 0; flips--) copy[this.int(copy.length)]! ^= 1 << this.int(8);
    return copy;
  }

  /** One sync message: random, truncated, bit-flipped, or a valid frame around garbage. */
  syncMessage(): { readonly kind: string; readonly bytes: Uint8Array } {
    if (this.int(400) === 0) return { kind: 'oversized', bytes: this.bytes(LIMITS.maxUpdateBytes + 1 + this.int(2000)) };
    const real = this.pick(this.realUpdates);
    const changeType = this.pick([SYNC_STEP2, SYNC_UPDATE] as const);
    switch (this.int(8)) {
      case 0:
        return { kind: 'random bytes', bytes: this.bytes(this.length()) };
      case 1:
        return { kind: 'random update in a frame', bytes: encodeSyncMessage(changeType, this.bytes(this.length())) };
      case 2:
        return { kind: 'random state vector in step 1', bytes: encodeSyncMessage(SYNC_STEP1, this.bytes(this.length())) };
      case 3:
        return { kind: 'truncated update in a frame', bytes: encodeSyncMessage(changeType, this.truncate(real)) };
      case 4:
        return { kind: 'bit-flipped update in a frame', bytes: encodeSyncMessage(changeType, this.flip(real)) };
      case 5:
        return { kind: 'truncated frame', bytes: this.truncate(encodeSyncMessage(changeType, real)) };
      case 6:
        return { kind: 'bit-flipped frame', bytes: this.flip(encodeSyncMessage(changeType, real)) };
      default: {
        const spliced = real.slice();
        const at = this.int(spliced.length);
        spliced.set(this.bytes(Math.min(spliced.length - at, 1 + this.int(8))), at);
        return { kind: 'update with random bytes spliced in', bytes: encodeSyncMessage(changeType, spliced) };
      }
    }
  }

  /** One awareness message naming `ids` (the victim's among them) with states good and bad. */
  awarenessMessage(ids: readonly number[]): Uint8Array {
    if (this.int(6) === 0) return this.bytes(this.length());
    const encoder = encoding.createEncoder();
    const count = this.int(4);
    encoding.writeVarUint(encoder, count);
    for (let i = 0; i < count; i++) {
      encoding.writeVarUint(encoder, this.int(20) === 0 ? this.int(2 ** 32) : this.pick(ids));
      encoding.writeVarUint(encoder, this.int(1000));
      const state = this.pick([
        () => JSON.stringify({ user: { name: `fuzz ${this.int(100)}` }, cursor: this.int(50) }),
        () => 'null',
        () => JSON.stringify({ name: 'x'.repeat(this.int(12_000)) }),
        () => '{"unterminated": ',
        () => new TextDecoder().decode(this.bytes(this.int(20))),
      ]);
      encoding.writeVarString(encoder, state());
    }
    const message = encoding.toUint8Array(encoder);
    return this.int(8) === 0 ? this.flip(message) : this.int(8) === 0 ? this.truncate(message) : message;
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.subarray(0, 64)).toString('hex') + (bytes.length > 64 ? `… (${bytes.length} bytes)` : '');
}

describe('seeded fuzz of bad input', () => {
  let t: TestServer;
  const scenes: Scene[] = [];
  const seed = testSeed();
  const withSeed = async (context: TestContext, body: () => Promise<void>): Promise<void> => {
    context.diagnostic(`SEED=${seed}`);
    try {
      await body();
    } catch (error) {
      console.error(`bad-input fuzz failed; replay with SEED=${seed}`);
      throw error;
    }
  };

  before(async () => {
    // Thousands of messages from one connection: the rate limits are lifted, as they are not
    // what this suite tests.
    const unlimited = { messagesPerSecond: 1e9, messageBurst: 1e9, bytesPerSecond: 1e12, byteBurst: 1e12 };
    t = await startTestServer({ limits: LIMITS, rateLimit: unlimited });
  });
  after(async () => {
    await Promise.all(scenes.map((scene) => scene.close()));
    await t.close();
  });

  it('answers 10 000 malformed sync messages with a typed error or keeps every replica consistent', { timeout: 60_000 }, (context) =>
    withSeed(context, async () => {
      const garbage = new Garbage(prng(seed));
      const scene = await Scene.open(t);
      scenes.push(scene);
      const tally = new Map<string, number>();
      const wrong: string[] = [];
      for (let sent = 0; sent < 10_000; ) {
        const batch = Array.from({ length: 250 }, () => garbage.syncMessage());
        const replies = await Promise.all(batch.map((input) => scene.offender.ack('sync', [scene.docId, input.bytes], 15_000)));
        replies.forEach((reply, i) => {
          const input = batch[i]!;
          const code = refusalCode({ via: 'ack', reply }) ?? (JSON.stringify(reply) === '{"ok":true}' ? 'ok' : `malformed reply ${JSON.stringify(reply)}`);
          tally.set(code, (tally.get(code) ?? 0) + 1);
          const expected = input.bytes.length > LIMITS.maxUpdateBytes ? ['update-too-large'] : ['ok', 'invalid-update', 'missing-dependencies'];
          if (!expected.includes(code)) wrong.push(`${input.kind} ${hex(input.bytes)} → ${code}`);
        });
        sent += batch.length;
      }
      const summary = JSON.stringify(Object.fromEntries(tally));
      assert.deepEqual(wrong.slice(0, 5), [], `inputs answered wrongly (${wrong.length} in all; tally ${summary})`);
      assert.ok((tally.get('invalid-update') ?? 0) > 1000, `too few inputs refused to be meaningful: ${summary}`);
      assert.ok(scene.offender.connected, 'the offender was disconnected for typed errors');

      // Whatever was accepted reached everyone: the honest peers and the server agree.
      assert.deepEqual(scene.observer.errorsSince(0), []);
      assert.deepEqual(scene.mirror.problems, []);
      assert.deepEqual(scene.honestErrors, []);
      const text = scene.honest.doc.getText('t');
      text.insert(text.length, ' +after fuzz');
      await waitFor(() => scene.mirror.text() === text.toString(), 'the observer to receive the honest edit');
      scene.mirror.doc.getText('t').insert(0, '[observer] ');
      await scene.mirror.saved();
      await waitFor(() => scene.mirror.text() === text.toString(), 'the provider to receive the observer edit');
      await withTimeout(scene.honest.whenSaved(), 10_000, 'the honest edit to be saved');
      const mismatches: string[] = [];
      if (!sameDoc(scene.honest.doc, scene.mirror.doc)) mismatches.push('the provider and the observer diverged');
      const serverDoc = t.server.loadedDoc(scene.docId);
      if (serverDoc === undefined || !sameDoc(serverDoc, scene.honest.doc)) mismatches.push('the server document differs from the clients');
      const live = t.provider(scene.docId);
      await withTimeout(live.whenSynced(), 10_000, () => `a new client to sync (last error ${JSON.stringify(live.lastError)})`);
      if (!sameDoc(live.doc, scene.honest.doc)) mismatches.push('a client joining now gets another document than the connected clients hold');
      live.destroy();

      const recorded = await scene.close();
      await t.restart();
      const reloaded = t.provider(scene.docId);
      try {
        await withTimeout(reloaded.whenSynced(), 10_000, () => `the document to load after a restart (last error ${JSON.stringify(reloaded.lastError)})`);
        const expected = new Y.Doc();
        Y.applyUpdate(expected, recorded.state);
        if (reloaded.doc.getText('t').toString() !== recorded.text) mismatches.push('the text reloaded from storage differs');
        if (!sameDoc(reloaded.doc, expected)) mismatches.push('the document reloaded from storage differs from what the clients held');
        expected.destroy();
      } catch (error) {
        mismatches.push(error instanceof Error ? error.message : String(error));
      } finally {
        reloaded.destroy();
      }
      assert.deepEqual(mismatches, [], `replicas disagree after the fuzz (tally ${summary})`);
    }),
  );

  it('answers 3 000 malformed awareness messages with typed errors and never touches the victim', { timeout: 60_000 }, (context) =>
    withSeed(context, async () => {
      const garbage = new Garbage(prng(seed ^ 0x5eed));
      const scene = await Scene.open(t);
      scenes.push(scene);
      const victim = scene.honest.doc.clientID;
      const own = [1, 2, 3, 4, 5, 6].map((i) => victim + i);
      const barrier = encodeSyncMessage(SYNC_STEP1, Y.encodeStateVector(scene.mirror.doc));
      for (let sent = 0; sent < 3000; sent += 300) {
        for (let i = 0; i < 300; i++) scene.offender.emitRaw('awareness', scene.docId, garbage.awarenessMessage([victim, ...own]));
        // The server handles one connection's events in order: once this ack is back, all were handled.
        assert.deepEqual(await scene.offender.ack('sync', [scene.docId, barrier], 15_000), { ok: true });
      }
      const codes = new Set(scene.offender.errorsSince(0).map((error) => error.code));
      assert.ok(codes.size > 0, 'nothing was refused');
      for (const code of codes) assert.ok(['invalid-awareness', 'awareness-too-large', 'awareness-not-owned'].includes(code), `unexpected code ${code}`);

      assert.deepEqual(scene.mirror.awareness.getStates().get(victim), HONEST_PRESENCE, 'the victim presence changed');
      const others = [...scene.mirror.awareness.getStates().keys()].filter((id) => id !== victim);
      assert.ok(others.length <= 4, `the offender controls ${others.length} awareness ids`);
      await scene.offender.close();
      await waitFor(() => scene.mirror.awareness.getStates().size === 1, 'the offender presence to disappear');
      assert.deepEqual(presence(scene.mirror.awareness), [[victim, HONEST_PRESENCE]]);
      assert.deepEqual(scene.mirror.problems, []);
      assert.deepEqual(scene.honestErrors, []);
      await scene.close();
    }),
  );
});
