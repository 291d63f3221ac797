/**
 * Shared by the bad-input tests (invariants 3 and 5: a view connection can never change a
 * document, and bad input from one connection never harms another connection or stored data).
 *
 * - `Scene`: one fresh document shared by an honest provider, an honest raw observer (with a
 *   `MirrorDoc`) and a raw offender; `assertUnharmed()` checks that the bad input reached no honest
 *   peer and that both still edit and relay; `useScenes()` closes a case's scenes after it.
 * - The bad inputs themselves, as tables of `Attempt`s (what is sent, and the typed refusal it
 *   must get), so that the themed files and the restart test send exactly the same things.
 * - `Garbage`: seeded generators of malformed sync and awareness messages, for the fuzz.
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import type { DocProvider } from '../../../client/provider.js';
import { newDocId, viewKeyOf } from '../../../shared/doc-id.js';
import type { ErrorCode, QuireErrorPayload } from '../../../shared/errors.js';
import { SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE, encodeSyncMessage, encodeUpdateMessage, type SyncMessageType } from '../../../shared/protocol.js';
import { snapshotOf } from '../../support/doc-state.js';
import { MirrorDoc, RawClient, awarenessUpdate, describeOutcome, refusalCode, type Outcome } from '../../support/raw-client.js';
import { int, pick, type Rng } from '../../support/seeded.js';
import type { TestServer } from '../../support/test-server.js';
import { waitFor, withTimeout } from '../../support/wait.js';

/** The server limits every bad-input server runs with: small updates, so size limits are cheap to hit. */
export const LIMITS = { maxUpdateBytes: 4096 };
/** The presence the honest provider publishes; nothing the offender sends may change it. */
export const HONEST_PRESENCE = { user: { name: 'honest' } };
/** The text the honest provider writes (and saves) before any bad input. */
export const HONEST_START = 'honest start';

// ---------------------------------------------------------------------------------------------
// Small assertion helpers

/** The typed error an outcome carries (from an ack refusal or a `quire-error`), or null. */
function refusalOf(outcome: Outcome): QuireErrorPayload | null {
  if (outcome.via === 'error') return outcome.error;
  if (outcome.via === 'ack' && refusalCode(outcome) !== null) return (outcome.reply as { error: QuireErrorPayload }).error;
  return null;
}

function assertRefused(outcome: Outcome, code: ErrorCode, what: string): void {
  assert.equal(refusalCode(outcome), code, `${what}: expected a ${code} refusal, got ${describeOutcome(outcome)}`);
}

/** Every presence state an awareness holds, as [client id, state] pairs sorted by client id. */
export function presence(awareness: Awareness): [number, unknown][] {
  return [...awareness.getStates()].sort((a, b) => a[0] - b[0]);
}

/** Waits for a provider to sync; a timeout names the provider's last error. */
export async function synced(provider: DocProvider, what: string, timeoutMs = 10_000): Promise<void> {
  try {
    await withTimeout(what, provider.whenSynced(), timeoutMs);
  } catch (error) {
    if (error instanceof Error) error.message += ` (last error ${JSON.stringify(provider.lastError)})`;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Updates, valid and not

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

/** A valid update from a generator on types the honest peers do not use. */
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


// ---------------------------------------------------------------------------------------------
// The scene

/** What the honest peers held when a scene closed, checked again after a restart. */
export interface RecordedDoc {
  readonly docId: string;
  /** `snapshotOf` the honest provider's document. */
  readonly snapshot: string;
  readonly text: string;
}

export interface SceneOptions {
  /** Whether the offender joins the document for edit (default true). */
  readonly offenderJoins?: boolean;
}

/** A fresh document shared by an honest provider, an honest raw observer and an offender. */
export class Scene {
  readonly honestErrors: QuireErrorPayload[] = [];
  /** Index in the observer's received events where the bad input started. */
  private mark = 0;
  private closed: Promise<RecordedDoc> | null = null;

  private constructor(
    readonly server: TestServer,
    readonly docId: string,
    readonly honest: DocProvider,
    readonly observer: RawClient,
    readonly mirror: MirrorDoc,
    readonly offender: RawClient,
  ) {
    honest.on('error', (error) => this.honestErrors.push(error));
  }

  /**
   * Opens a scene on a new document: the honest provider writes and saves `HONEST_START`, the
   * observer joins and sees it and the honest presence, and (unless told otherwise) the offender
   * joins for edit.
   */
  static async open(t: TestServer, options: SceneOptions = {}): Promise<Scene> {
    const docId = await t.createDoc();
    const honest = t.provider(docId);
    honest.awareness.setLocalState(HONEST_PRESENCE);
    const observer = await RawClient.connect(t.url);
    const mirror = new MirrorDoc(observer, docId);
    const offender = await RawClient.connect(t.url).catch(async (error: unknown) => {
      mirror.destroy();
      await observer.close();
      throw error;
    });
    const scene = new Scene(t, docId, honest, observer, mirror, offender);
    try {
      await synced(honest, 'the honest provider to sync');
      honest.doc.getText('t').insert(0, HONEST_START);
      await withTimeout('the honest edit to be saved', honest.whenSaved(), 10_000);
      assert.deepEqual(await observer.join(docId), { ok: true, role: 'edit' });
      await mirror.syncFromServer();
      assert.equal(mirror.text(), HONEST_START);
      await waitFor('the observer to see the honest presence', () => mirror.awareness.getStates().has(honest.doc.clientID));
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
   * edit and relay, and end with the same document as each other and as the server.
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
    await waitFor('the observer to receive the honest edit', () => mirror.text() === text.toString());
    assert.equal(observer.eventsSince(this.mark, 'sync').length, 1, 'exactly one sync message (the honest edit) reached the observer');
    await withTimeout('the honest edit to be saved', honest.whenSaved(), 10_000);
    mirror.doc.getText('t').insert(0, '[observer] ');
    await mirror.saved();
    await waitFor('the provider to receive the observer edit', () => text.toString() === mirror.text());
    assert.equal(snapshotOf(mirror.doc), snapshotOf(honest.doc), 'the provider and the observer hold different documents');
    const served = this.server.server.loadedDoc(this.docId);
    assert.ok(served !== undefined, 'the server no longer has the document loaded');
    assert.equal(snapshotOf(served), snapshotOf(honest.doc), "the server's document differs from the honest peers'");
    this.startBadInput();
  }

  /** Closes every connection of the scene and records the honest content. Idempotent. */
  close(): Promise<RecordedDoc> {
    this.closed ??= (async () => {
      const recorded = { docId: this.docId, snapshot: snapshotOf(this.honest.doc), text: this.honest.doc.getText('t').toString() };
      this.honest.destroy();
      this.mirror.destroy();
      await Promise.all([this.observer.close(), this.offender.close()]);
      return recorded;
    })();
    return this.closed;
  }
}

/**
 * For the enclosing `describe`: a function opening scenes on `server()`, each closed after the
 * case that opened it, whether it passed or not.
 */
export function useScenes(server: () => TestServer): (options?: SceneOptions) => Promise<Scene> {
  const open: Scene[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((scene) => scene.close()));
  });
  return async (options = {}) => {
    const scene = await Scene.open(server(), options);
    open.push(scene);
    return scene;
  };
}

// ---------------------------------------------------------------------------------------------
// Bad input, as attempts and their expected refusals

/** One message an offender sends, and the typed refusal it must get. */
export interface Attempt {
  readonly what: string;
  readonly event: string;
  readonly args: readonly unknown[];
  readonly withAck: boolean;
  /** The refusal it must get, or the refusals it may get. */
  readonly code: ErrorCode | readonly ErrorCode[];
  /** The document name the error must carry, when it must carry one. */
  readonly docName?: string;
}

/** Sends each attempt in order, waiting for its answer, and checks it got its refusal. */
export async function assertAllRefused(client: RawClient, attempts: readonly Attempt[]): Promise<void> {
  for (const attempt of attempts) {
    const outcome = await client.request(attempt.event, attempt.args, { withAck: attempt.withAck });
    if (typeof attempt.code === 'string') assertRefused(outcome, attempt.code, attempt.what);
    else assert.ok((attempt.code as readonly (string | null)[]).includes(refusalCode(outcome)), `${attempt.what}: expected one of ${attempt.code.join(', ')}, got ${describeOutcome(outcome)}`);
    if (attempt.docName !== undefined) assert.equal(refusalOf(outcome)?.docName, attempt.docName, `${attempt.what}: the error names the document`);
  }
}

const ack = (withAck: boolean): string => (withAck ? 'with ack' : 'without ack');

/** Payloads (the arguments after the document name) that are not bytes. */
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

/** `event` (sync or awareness) carrying each non-binary payload, with and without ack: bad-request. */
export function nonBinaryAttempts(event: 'sync' | 'awareness', docId: string): Attempt[] {
  return NON_BINARY.flatMap(([what, payload]) =>
    [true, false].map((withAck) => ({ what: `${event} carrying ${what} (${ack(withAck)})`, event, args: [docId, ...payload], withAck, code: 'bad-request' as const, docName: docId })),
  );
}

/** Byte strings that are not Yjs updates, made from the valid update `real`. */
function notUpdates(real: Uint8Array): [string, Uint8Array][] {
  return [
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
}

/** Messages that are not well-formed sync messages, made from the valid update `real`. */
function badFrames(real: Uint8Array): [string, Uint8Array][] {
  const frame = encodeUpdateMessage(real);
  return [
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
}

/**
 * Empty, truncated and random-byte updates framed as an update and as step 2, malformed frames,
 * and a truncated raw update without ack: invalid-update. Checks first that none of the
 * "updates" decodes.
 */
export function invalidUpdateAttempts(docId: string): Attempt[] {
  const real = generatorUpdate();
  const attempts: Attempt[] = [];
  for (const [what, bytes] of notUpdates(real)) {
    assert.throws(() => Y.decodeUpdate(bytes), `precondition: ${what} is not a Yjs update`);
    for (const type of [SYNC_UPDATE, SYNC_STEP2] as const) {
      const framed = `${what} framed as ${type === SYNC_UPDATE ? 'an update' : 'step 2'}`;
      attempts.push({ what: framed, event: 'sync', args: [docId, encodeSyncMessage(type, bytes)], withAck: true, code: 'invalid-update', docName: docId });
    }
  }
  for (const [what, bytes] of badFrames(real)) {
    attempts.push({ what, event: 'sync', args: [docId, bytes], withAck: true, code: 'invalid-update', docName: docId });
  }
  attempts.push({ what: 'a truncated raw update without ack', event: 'sync', args: [docId, real.slice(0, 3)], withAck: false, code: 'invalid-update', docName: docId });
  return attempts;
}

/**
 * Has the offender send an update at the honest provider's next clock whose item names a parent
 * that does not exist. The server may refuse it (invalid-update, missing-dependencies) or accept
 * it; what must hold afterwards is up to the caller.
 */
export async function sendUpdateWithUnknownParent(scene: Scene): Promise<void> {
  const victim = scene.honest.doc;
  const nextClock = Y.decodeStateVector(Y.encodeStateVector(victim)).get(victim.clientID) ?? 0;
  const bogus = itemWithUnknownParent(victim.clientID, nextClock, 'bogus');
  assert.doesNotThrow(() => Y.decodeUpdate(bogus), 'precondition: the update is well-formed');
  const outcome = await scene.offender.request('sync', [scene.docId, encodeUpdateMessage(bogus)]);
  // Written at the victim's next clock, under the victim's client id: that id is the victim's.
  assert.equal(refusalCode(outcome), 'client-id-not-owned', `the bogus update: got ${describeOutcome(outcome)}`);
}

/** Sync messages over `LIMITS.maxUpdateBytes` (but under the transport's limit): update-too-large. */
export function oversizedUpdateAttempts(docId: string): Attempt[] {
  const limit = LIMITS.maxUpdateBytes;
  const oversized: [string, Uint8Array, boolean][] = [
    ['an update one byte over', syncMessageOfSize(limit + 1, SYNC_UPDATE, 7001), true],
    ['step 2 one byte over', syncMessageOfSize(limit + 1, SYNC_STEP2, 7001), true],
    ['an update of 8000 bytes without ack', syncMessageOfSize(8000, SYNC_UPDATE, 7001), false],
    ['60 000 bytes', new Uint8Array(60_000).fill(0xab), true],
  ];
  return oversized.map(([what, bytes, withAck]) => ({ what, event: 'sync', args: [docId, bytes], withAck, code: 'update-too-large', docName: docId }));
}

/** An honest update exactly at `LIMITS.maxUpdateBytes`, on the Y.Text 'big'. */
export function updateAtLimit(): Uint8Array {
  return syncMessageOfSize(LIMITS.maxUpdateBytes, SYNC_UPDATE, 7002);
}

/** A sync message over the transport's own message limit, which ends the connection. */
export const OVER_TRANSPORT_LIMIT = new Uint8Array(200_000);

/**
 * Oversized updates are refused `update-too-large`, one exactly at the limit goes through, and a
 * message over the transport's own limit ends the offender's connection, and only that.
 */
export async function refuseOversizedUpdates(scene: Scene): Promise<void> {
  await assertAllRefused(scene.offender, oversizedUpdateAttempts(scene.docId));
  await scene.assertUnharmed();
  assert.deepEqual(await scene.observer.sync(scene.docId, updateAtLimit()), { ok: true });
  await waitFor('the provider to receive the update at the limit', () => scene.honest.doc.getText('big').length > 4000);
  await scene.mirror.syncFromServer();
  scene.startBadInput();
  const outcome = await scene.offender.request('sync', [scene.docId, OVER_TRANSPORT_LIMIT]);
  assert.equal(outcome.via, 'disconnect', `a 200 KB message: expected the connection to close, got ${describeOutcome(outcome)}`);
  await scene.assertUnharmed();
}

/** Awareness updates naming the client id `victim` (at awareness clock `clock`), with and without ack: awareness-not-owned. */
export function spoofedPresenceAttempts(docId: string, victim: number, clock: number): Attempt[] {
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
  return spoofs.flatMap(([what, update]) =>
    [false, true].map((withAck) => ({ what: `${what} (${ack(withAck)})`, event: 'awareness', args: [docId, update], withAck, code: 'awareness-not-owned' as const, docName: docId })),
  );
}

/** Awareness states too large, for client ids from `own` on: awareness-too-large. */
export function oversizedPresenceAttempts(docId: string, own: number): Attempt[] {
  const cases: [string, Uint8Array][] = [
    ['a state of 9000 characters', awarenessUpdate([{ clientId: own, clock: 1, state: { name: 'x'.repeat(9000) } }])],
    ['a state of 20 000 characters', awarenessUpdate([{ clientId: own, clock: 1, state: { name: 'x'.repeat(20_000) } }])],
    [
      'four states that together exceed the message limit',
      awarenessUpdate([0, 1, 2, 3].map((i) => ({ clientId: own + i, clock: 1, state: { name: 'x'.repeat(5000) } }))),
    ],
  ];
  return cases.map(([what, update]) => ({ what, event: 'awareness', args: [docId, update], withAck: false, code: 'awareness-too-large', docName: docId }));
}

/** Events the server does not handle, including look-alikes of real ones. */
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

/**
 * Sends each unknown event (without and with ack, and one with a numeric name written raw) on a
 * connection of its own: the parser's allowlist refuses it and that connection is closed.
 */
export async function assertUnknownEventsClose(t: TestServer): Promise<void> {
  const sends: [string, (client: RawClient) => void][] = UNKNOWN_EVENTS.flatMap(([event, args]) =>
    [false, true].map((withAck): [string, (client: RawClient) => void] => [
      `event ${JSON.stringify(event.slice(0, 20))} (${ack(withAck)})`,
      (client) => (withAck ? client.socket.emit(event, ...args, () => undefined) : client.socket.emit(event, ...args)),
    ]),
  );
  sends.push(['a numeric event name', (client) => client.writeRawPacket('2/quire,[7,"x"]')]);
  for (const [what, send] of sends) {
    const offender = await RawClient.connect(t.url);
    try {
      const outcome = await offender.outcomeOf(() => send(offender), `an answer to ${what}`);
      assert.equal(outcome.via, 'disconnect', `${what}: expected the connection to close, got ${describeOutcome(outcome)}`);
    } finally {
      await offender.close();
    }
  }
}

/** Raw Socket.IO packets the parser refuses: each must close the connection that sent it. */
const UNPARSEABLE_PACKETS: readonly string[] = ['2/quire,[]', '2/quire,{}', '2/quire,not json', '2/quire,["disconnect"]', '2/quire,["newListener","sync"]', '9'];

/** Sends each unparseable packet on a connection of its own and checks that connection is closed. */
export async function assertUnparseablePacketsClose(t: TestServer): Promise<void> {
  for (const packet of UNPARSEABLE_PACKETS) {
    const offender = await RawClient.connect(t.url);
    try {
      const outcome = await offender.outcomeOf(() => offender.writeRawPacket(packet), `an answer to ${packet}`);
      assert.equal(outcome.via, 'disconnect', `${packet}: expected the connection to close, got ${describeOutcome(outcome)}`);
    } finally {
      await offender.close();
    }
  }
}

/** The view key of a document (`v.` and its view token), from the links API. */
export async function fetchViewKey(t: TestServer, docId: string): Promise<string> {
  const response = await fetch(`${t.url}/api/docs/${docId}/links`);
  assert.equal(response.status, 200);
  const body = (await response.json()) as { viewUrl: string };
  const match = /^\/v\/([A-Za-z0-9_-]{32})$/.exec(body.viewUrl);
  assert.ok(match, `unexpected view URL ${body.viewUrl}`);
  return viewKeyOf(match[1]!);
}

/**
 * What a view connection (joined as `viewKey` to `docId`) may not send: changes, refused with
 * read-only; garbage, refused with read-only or invalid-update; and changes sent by the
 * document id, which it never joined by, refused with not-joined.
 */
export function viewerAttempts(viewKey: string, docId: string): Attempt[] {
  const real = generatorUpdate();
  const emptyDoc = new Y.Doc();
  const empty = Y.encodeStateAsUpdate(emptyDoc);
  emptyDoc.destroy();
  const attempts: [string, Uint8Array, boolean][] = [
    ['an update', encodeUpdateMessage(real), true],
    ['step 2', encodeSyncMessage(SYNC_STEP2, real), true],
    ['an empty step 2', encodeSyncMessage(SYNC_STEP2, empty), true],
    ['an empty update', encodeUpdateMessage(empty), true],
    ['an update without ack', encodeUpdateMessage(real), false],
  ];
  return [
    ...attempts.map(([what, message, withAck]): Attempt => ({ what: `a view connection sending ${what}`, event: 'sync', args: [viewKey, message], withAck, code: 'read-only', docName: viewKey })),
    { what: 'garbage from a viewer', event: 'sync', args: [viewKey, new Uint8Array([SYNC_UPDATE, 3, 1, 2, 3])], withAck: true, code: ['read-only', 'invalid-update'], docName: viewKey },
    // The document id is not a way around the view role: the viewer never joined by it.
    { what: 'a viewer sending by document id', event: 'sync', args: [docId, encodeUpdateMessage(real)], withAck: true, code: 'not-joined', docName: docId },
  ];
}

/**
 * An update, a step 1 and an awareness update for documents the sender has not joined, among
 * them `joinedByOthers`, which other connections are in: not-joined.
 */
export function notJoinedAttempts(joinedByOthers: string): Attempt[] {
  const update = encodeUpdateMessage(generatorUpdate());
  const presenceUpdate = awarenessUpdate([{ clientId: 99, clock: 1, state: { user: { name: 'ghost' } } }]);
  const names: [string, unknown][] = [
    ['a document others are in', joinedByOthers],
    ['a document nobody is in', newDocId()],
    ['a malformed name', '../x'],
    ['a number', 42],
    ['null', null],
  ];
  return names.flatMap(([what, name]): Attempt[] => {
    const named = typeof name === 'string' ? { docName: name } : {};
    return [
      { what: `an update for ${what}`, event: 'sync', args: [name, update], withAck: true, code: 'not-joined', ...named },
      { what: `step 1 for ${what}`, event: 'sync', args: [name, encodeSyncMessage(SYNC_STEP1, new Uint8Array([0]))], withAck: true, code: 'not-joined', ...named },
      { what: `awareness for ${what}`, event: 'awareness', args: [name, presenceUpdate], withAck: false, code: 'not-joined', ...named },
    ];
  });
}

/**
 * Joins a new document, leaves it, and checks that updates for it and for `sceneDoc` (never
 * joined by `client`) are refused with not-joined.
 */
export async function assertNotJoinedAfterLeave(t: TestServer, client: RawClient, sceneDoc: string): Promise<void> {
  const update = encodeUpdateMessage(generatorUpdate());
  const other = await t.createDoc();
  assert.deepEqual(await client.join(other), { ok: true, role: 'edit' });
  client.emitRaw('leave', other);
  assertRefused(await client.request('sync', [other, update]), 'not-joined', 'an update after leave');
  assertRefused(await client.request('sync', [sceneDoc, update]), 'not-joined', 'an update for the scene document after joining another');
}

/** Document names that are neither a document id nor a view key. */
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

/** Joining each bad name (and '../x' without ack, and no name at all): invalid-doc-name. */
export function badNameAttempts(): Attempt[] {
  return [
    ...BAD_NAMES.map(([what, name]): Attempt => ({ what: `joining ${what}`, event: 'join', args: [name, null], withAck: true, code: 'invalid-doc-name' })),
    { what: 'joining ../x without ack', event: 'join', args: ['../x', null], withAck: false, code: 'invalid-doc-name' },
    { what: 'joining with no name at all', event: 'join', args: [], withAck: true, code: 'invalid-doc-name' },
  ];
}

// ---------------------------------------------------------------------------------------------
// Seeded garbage, for the fuzz

/** The first 64 bytes as hex (and the length when there are more), for failure messages. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.subarray(0, 64)).toString('hex') + (bytes.length > 64 ? `… (${bytes.length} bytes)` : '');
}

/** Seeded generators of bad input; `rng` comes from the test's seed. */
export class Garbage {
  private readonly rng: Rng;
  readonly realUpdates: Uint8Array[] = [];

  constructor(rng: Rng) {
    this.rng = rng;
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
    return int(this.rng, n);
  }

  pick<T>(list: readonly T[]): T {
    return pick(this.rng, list);
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
