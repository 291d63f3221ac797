/**
 * A loaded document: its Y.Doc, its Awareness, and the members in it.
 *
 * The invariant: every change to the document that did not come from storage is relayed to every
 * member that does not hold it yet, appended to storage, and durable before the client change
 * that caused it is acknowledged. Each change carries a tagged origin that decides the details:
 * - a Member (a client connection): broadcast to the other members, published on the room bus at
 *   once, and appended;
 * - BUS_ORIGIN (another node received it, maybe not stored yet): broadcast to local members and
 *   appended too (idempotent), not republished;
 * - CATCH_UP_ORIGIN (another node's answer to a sync request, maybe not stored yet): the same;
 * - STORAGE_ORIGIN (loading): nothing, it is stored already;
 * - anything else is a change Yjs derived itself while integrating one of the above, such as the
 *   deletion of formatting markers that became redundant (`cleanupYTextAfterTransaction` runs in
 *   a transaction of its own, origin null, inside the same `applyUpdate`): broadcast to every
 *   member, the one whose change caused it included (its own cleanup may differ), published, and
 *   appended.
 *
 * The changes an apply produces are held back until the apply returns: when Yjs throws midway,
 * nothing of it is relayed or stored, and the room is given up (`onBroken`) so that it is rebuilt
 * from storage; its document can no longer be trusted.
 */
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import { FRAGMENT_NAME } from '../../document/fragment.js';
import type { DocumentShape } from '../../document/shape.js';
import { QuireError } from '../../shared/errors.js';
import { mayEdit } from '../../shared/events.js';
import type { Limits } from '../../shared/limits.js';
import { decodeAwarenessUpdate, encodeSyncMessage, encodeSyncStep1, encodeSyncStep2, encodeUpdateMessage, isWellFormedStateVector, SYNC_STEP2 } from '../../shared/protocol.js';
import type { QuireObserver } from './hooks.js';
import { isMember, type Member } from './member.js';
import { MemberGroups } from './member-groups.js';
import type { RoomBus } from './room-bus.js';
import type { ClientIdOwners } from './client-ids.js';
import type { StructLedger } from './struct-ledger.js';
import { IntegrateDeadlineError, integrateLimitMs, withIntegrateDeadline } from './integrate-deadline.js';
import { checkPlacedAsSent } from './placed-as-sent.js';
import { checkUpdate, leastStructs } from './update-check.js';
import type { UpdateWriter } from './update-writer.js';

/**
 * The refusal of a change that broke its room: Yjs threw on it, or placed it otherwise than its
 * sender could have typed it (placed-as-sent.ts; honest undo can cause this, see the README's
 * Known limits), both `misplaced`; or it outlived its integration deadline (integrate-deadline.ts:
 * `too-slow`, nearly always a crafted change). Nothing of it was relayed or stored, and the room
 * is being rebuilt, so its members go through a resync; the sender's copy of the document holds
 * the change and no longer fits the server's. Its sender's network is charged for it
 * (network-hold-offs.ts).
 */
export class ChangeBrokeRoom extends QuireError {
  constructor(readonly reason: 'misplaced' | 'too-slow') {
    const what = reason === 'too-slow' ? 'took too long to apply' : 'could not be applied as it was made';
    super('change-not-applied', `The change ${what} and was not saved; the document is being reloaded from storage. This copy of the document no longer fits the server's: load it again from the server.`);
  }
}

export const BUS_ORIGIN = Symbol('room-bus');
/** Catch-up from another node (a bus sync reply): broadcast locally and stored, never republished. */
export const CATCH_UP_ORIGIN = Symbol('room-bus-catch-up');
export const STORAGE_ORIGIN = Symbol('storage');

export interface RoomOptions {
  readonly writer: UpdateWriter;
  readonly limits: Limits;
  /** Where changes and presence go to reach the other nodes. */
  readonly bus: RoomBus;
  readonly observer: Pick<QuireObserver, 'changeRelayed'>;
  /** What the editor's fragment may hold. */
  readonly shape: DocumentShape;
  /** Yjs threw while integrating a change: the room's document can no longer be trusted. */
  readonly onBroken: (room: Room, error: unknown) => void;
  /** The structs all rooms hold together, against the server-wide limit. */
  readonly ledger: StructLedger;
  /** Which session introduced which Yjs client id. */
  readonly clientIds: ClientIdOwners;
}

/** Whether a client's change is its handshake (sync step 2) or a new change (update). */
export type ChangeKind = 'step2' | 'update';

/** What a sender may still spend on changes, in structs and deletions (a connection's token bucket). */
export interface StructBudget {
  /** Whether `cost` could be paid now; takes nothing. */
  has(cost: number): boolean;
  /** Pays `cost` if it can; returns whether it did. */
  take(cost: number): boolean;
  /** Pays `cost` for work done, even into debt (later changes wait until it is paid off). */
  charge(cost: number): void;
}

const UNLIMITED: StructBudget = { has: () => true, take: () => true, charge: () => undefined };

/**
 * The struct budget's price of a millisecond of applying a change. Honest changes take about 3 µs
 * per struct, so they pay for their time with their structs; at the default rate of 20,000 structs
 * a second a connection can keep the server applying for about 100 ms of every second.
 */
const STRUCTS_PER_APPLY_MS = 200;
/** Applying time every change has free (0.1 ms): a keystroke's fixed cost is not charged. */
const FREE_APPLY_STRUCTS = 20;

/** How many deletion ranges the document already holds cost as much as one new struct or deletion. */
const KNOWN_DELETIONS_PER_STRUCT = 4;

interface Captured {
  readonly update: Uint8Array;
  readonly origin: unknown;
}

export class Room {
  readonly docName: string;
  readonly doc: Y.Doc;
  /** The document's delete set, for `verify`; null once the document changed. */
  private heldDeletes: Y.Snapshot['ds'] | null = null;
  /**
   * The whole document as one update, and the answer to a step 1 with an empty state vector that
   * carries it (the update is its tail: one copy); null once the document changed.
   */
  private whole: { readonly update: Uint8Array; readonly answer: Uint8Array } | null = null;
  /** The server's step 1 (its state vector), sent to every member that joins; null once the document changed. */
  private step1: Uint8Array | null = null;
  readonly awareness: Awareness;
  private readonly members = new Set<Member>();
  /** The members as relays reach them (see member-groups.ts). */
  private readonly groups = new MemberGroups();
  private readonly awarenessOwners = new Map<number, Member>();
  /** Presence changes of this event-loop turn, not sent yet (see onAwarenessUpdate). */
  private presence: PresenceBatch = emptyPresenceBatch();
  private readonly options: RoomOptions;
  /** Upper bound of the encoded document size: bytes loaded plus bytes of every change since. */
  private sizeEstimate = 0;
  /** The estimate when the size was last measured exactly. */
  private sizeMeasuredAt = -Infinity;
  /** Structs in the document's store, counted on load and raised by every change since. */
  private structCount = 0;
  /** Log entries stored since the last compaction, as far as this process knows. */
  logEntries = 0;
  /**
   * Milliseconds Yjs spent integrating what storage holds of the document, as this room saw it:
   * its load and every change since, or the last merge and every change since (see
   * mergeEstimateMs).
   */
  private integratedMs = 0;
  /** Changes produced by the apply running now, held back until it returns. */
  private capturing: Captured[] | null = null;
  private broken = false;

  constructor(docName: string, doc: Y.Doc, options: RoomOptions) {
    this.docName = docName;
    this.doc = doc;
    this.options = options;
    // The editor's fragment must exist with its type before any update names it.
    doc.getXmlFragment(FRAGMENT_NAME);
    this.awareness = new Awareness(doc);
    this.awareness.setLocalState(null);
    doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
  }

  get memberCount(): number {
    return this.members.size;
  }

  /** True once Yjs threw while integrating a change; the room is being rebuilt. */
  get isBroken(): boolean {
    return this.broken;
  }

  /** The members now (a copy). */
  currentMembers(): Member[] {
    return [...this.members];
  }

  /** Adds a member and starts its handshake: the server's step 1 and the current presence. */
  addMember(member: Member): void {
    this.members.add(member);
    this.groups.add(member);
    this.step1 ??= encodeSyncStep1(this.doc);
    member.connection.sendSync(member.link, this.step1);
    const states = this.awareness.getStates();
    if (states.size > 0) {
      member.connection.sendAwareness(member.link, encodeAwarenessUpdate(this.awareness, [...states.keys()]));
    }
  }

  /**
   * About how long merging the stored document for a compaction would take: merging integrates
   * the snapshot and the log again, which is what loading the document and applying every change
   * since took here. A document crafted to be slow to integrate, one change at a time, each
   * within its own deadline, is costly to merge in one go: this is how the server tells it apart
   * from an ordinary small one without decoding it.
   */
  get mergeEstimateMs(): number {
    return this.integratedMs;
  }

  /**
   * After a compaction merged the document in `mergedMs` (on the event loop, the time its slices
   * took; in a worker, wall time, which includes waiting for it and maybe starting it: an
   * overestimate, which a later merge corrects): the estimate starts again from that, plus what
   * changes integrated since `mark` (the estimate when the compaction began) took.
   */
  merged(mergedMs: number, mark: number): void {
    this.integratedMs = mergedMs + Math.max(0, this.integratedMs - mark);
  }

  /** Removes a member and the presence it controlled (everyone else sees it disappear). */
  removeMember(member: Member): void {
    if (!this.members.delete(member)) return;
    this.groups.remove(member);
    const ids = [...member.awarenessIds].filter((id) => this.awarenessOwners.get(id) === member);
    for (const id of ids) this.awarenessOwners.delete(id);
    if (ids.length > 0 && !this.broken) removeAwarenessStates(this.awareness, ids, member);
  }

  /** What a client's step 1 asks for: the step 2 answering it (what the client lacks). */
  answerStep1(stateVector: Uint8Array): Uint8Array {
    if (!isWellFormedStateVector(stateVector)) {
      throw new QuireError('invalid-update', 'Sync step 1 does not carry a well-formed state vector.');
    }
    // A client with nothing yet (a new page, everyone after a restart) asks for the whole
    // document: encoded once until the document changes, however many ask.
    if (stateVector.length === 1 && stateVector[0] === 0) return this.wholeDocument().answer;
    return encodeSyncStep2(this.doc, stateVector);
  }

  /**
   * The whole document as one update, encoded once until the document changes: what a client with
   * nothing yet is sent, and what an export of the open document starts from (encoding the 311 KB
   * automerge-paper document takes the event loop 2–5 ms, and an export link may be asked again
   * and again).
   */
  encodedState(): Uint8Array {
    return this.wholeDocument().update;
  }

  private wholeDocument(): { readonly update: Uint8Array; readonly answer: Uint8Array } {
    if (this.whole === null) {
      const update = Y.encodeStateAsUpdate(this.doc);
      const answer = encodeSyncMessage(SYNC_STEP2, update);
      this.whole = { update: answer.subarray(answer.length - update.length), answer };
    }
    return this.whole;
  }

  /**
   * Applies a client's change; the promise it returns resolves once everything the change caused
   * is durable. A refusal is thrown at once, in the caller's turn, as a QuireError (so that what
   * a change that broke the room costs its sender is settled before the next message of the same
   * read is looked at); nothing of a refused change is applied, stored or relayed.
   *
   * Only what Yjs integrated is stored, never the client's bytes as sent: a change that alters
   * nothing is acknowledged once everything queued for the document before it is durable (what
   * it holds is in memory, so it came from storage or is queued). Yjs parks the parts of an update
   * whose dependencies it lacks and mixes them into every later encoding, where bogus ones could
   * hide real items; they are dropped again. An update that leaves such parts is refused
   * (`missing-dependencies`), while a step 2 is not: what it cannot integrate is what the client
   * itself holds pending, and its ack covers what the client's document really holds.
   * `budget` is what the sender may spend on changes (structs and deletions): what an update
   * declares it holds is checked against it and the document's cap before the update is decoded,
   * its whole cost taken from it once checked.
   */
  applyClientChange(member: Member, update: Uint8Array, kind: ChangeKind, budget: StructBudget = UNLIMITED): Promise<void> {
    if (!mayEdit(member.role)) {
      throw new QuireError('read-only', 'This connection has view-only access; the document cannot be changed through it.');
    }
    if (this.broken) throw new QuireError('resync', 'The document is being reloaded from storage; join it again.');
    const limits = this.options.limits;
    const least = leastStructs(update, limits);
    if (!budget.has(least)) throw new QuireError('rate-limited', 'Too many changes too fast from this connection; slow down and resend.');
    this.checkRoom(least);
    const checked = checkUpdate(this.doc, update, limits, this.options.shape);
    if (!budget.take(checked.cost)) throw new QuireError('rate-limited', 'Too many changes too fast from this connection; slow down and resend.');
    // A lookup each, not a change: paid at a fraction, and after the fact, so that a handshake
    // carrying a long-edited document's whole delete set goes through.
    const knownDeletionCharge = Math.ceil(checked.knownDeletions / KNOWN_DELETIONS_PER_STRUCT);
    budget.charge(knownDeletionCharge);
    this.checkRoom(checked.cost);
    this.checkSize(update.length);
    const foreign = this.foreignWriters(member, checked.writers);
    if (foreign.length > 0) {
      if (kind === 'update') {
        throw new QuireError('client-id-not-owned', `Yjs client ${foreign[0]} belongs to another client; write under a client id of your own.`);
      }
      // A handshake may carry other clients' changes this server relayed but lost (it was killed
      // before storing them): only their owner may bring those back. Whatever of the sender's own
      // builds on them stays with the sender until then (its verification finds it missing).
      update = withoutClients(update, foreign);
    }
    // Plain typing cannot fail to integrate or take long (integrates-at-once.ts): it goes to the
    // other nodes and the readers before it is applied, one apply sooner, and is stored as below.
    const relayedFirst = kind === 'update' && checked.integratesAtOnce ? member : null;
    if (relayedFirst !== null) this.relay(update, member);

    const store = this.doc.store;
    const pendingBefore = { structs: store.pendingStructs, ds: store.pendingDs };
    let outlivedDeadline = false;
    const applyStarted = performance.now();
    const before = new Map<number, number>();
    for (const client of checked.writers.keys()) before.set(client, Y.getState(store, client));
    const captured = this.integrate(() => {
      try {
        withIntegrateDeadline(integrateLimitMs(checked.cost), () => Y.applyUpdate(this.doc, update, member));
      } catch (error) {
        outlivedDeadline = error instanceof IntegrateDeadlineError;
        throw error;
      }
      checkPlacedAsSent(this.doc, before);
    });
    // What applying took beyond what the change paid for (Yjs's cleanups can walk a whole text
    // for one formatting item): the sender pays the excess, after the fact.
    const took = Math.round((performance.now() - applyStarted) * STRUCTS_PER_APPLY_MS);
    const paid = checked.cost + knownDeletionCharge + FREE_APPLY_STRUCTS;
    if (took > paid) budget.charge(took - paid);
    const leftPending = store.pendingStructs !== pendingBefore.structs || store.pendingDs !== pendingBefore.ds;
    if (leftPending) {
      store.pendingStructs = pendingBefore.structs;
      store.pendingDs = pendingBefore.ds;
    }
    // Outliving the deadline: crafted to make Yjs scan far more than it carries (see integrate-deadline.ts).
    if (captured === null) throw new ChangeBrokeRoom(outlivedDeadline ? 'too-slow' : 'misplaced');
    this.setStructCount(this.structCount + checked.cost);
    // A handshake may carry other clients' changes (relayed to the sender earlier): only a live
    // change says who introduced an id.
    if (kind === 'update') this.claimWriters(member, checked.writers);
    const writes = this.process(captured, relayedFirst);
    if (leftPending && kind === 'update') {
      // What did integrate is relayed and stored like any change; the sender learns the rest is missing.
      this.storeUnawaited(writes);
      throw new QuireError('missing-dependencies', 'The update depends on changes the server does not have; run the handshake again to send them.');
    }
    if (writes.length === 0) return this.options.writer.settled(this.docName);
    return Promise.all(writes).then(() => undefined);
  }

  /**
   * Applies what storage holds. Whatever Yjs derives from it while integrating (formatting
   * cleanups) is a new change and is stored like one. Throws when Yjs cannot integrate it.
   */
  applyStored(stored: { parts: readonly Uint8Array[]; storedBytes: number; logEntries: number }): void {
    // Entry by entry, each in a transaction of its own: merging a long log into one update first,
    // or applying it in one transaction, costs several times as much (one big transaction merges
    // its delete set into the struct arrays one splice at a time).
    const apply = () => stored.parts.forEach((part) => Y.applyUpdate(this.doc, part, STORAGE_ORIGIN));
    const captured = this.integrate(apply, false);
    if (captured === null) throw new Error('Yjs could not integrate the stored document.');
    this.storeUnawaited(this.process(captured));
    this.sizeEstimate += stored.storedBytes;
    this.logEntries += stored.logEntries;
    this.setStructCount(countStructs(this.doc));
  }

  /** Applies a change another node received first (and stored). */
  applyBusUpdate(update: Uint8Array): void {
    this.applyFromNode(update, BUS_ORIGIN);
  }

  /** Applies another node's answer to a sync request; it may be stored nowhere yet. */
  applyCatchUp(update: Uint8Array): void {
    this.applyFromNode(update, CATCH_UP_ORIGIN);
  }

  applyBusAwareness(update: Uint8Array): void {
    if (!this.broken) applyAwarenessUpdate(this.awareness, update, BUS_ORIGIN);
  }

  /** Applies a member's awareness update after checking it only touches client ids it controls. */
  applyClientAwareness(member: Member, update: Uint8Array): void {
    const limits = this.options.limits;
    if (update.length > limits.maxAwarenessBytes) {
      throw new QuireError('awareness-too-large', `Awareness updates are limited to ${limits.maxAwarenessBytes} bytes.`);
    }
    const entries = decodeAwarenessUpdate(update);
    if (entries === null) throw new QuireError('invalid-awareness', 'The awareness update is malformed.');
    let newIds = 0;
    for (const entry of entries) {
      if (entry.stateJson.length > limits.maxAwarenessStateChars) {
        throw new QuireError('awareness-too-large', `An awareness state is limited to ${limits.maxAwarenessStateChars} characters.`);
      }
      // Ownership is per node: a state another node relayed has no local owner, and a client
      // that failed over from a dead node must be able to take its own id back at once. So may a
      // client whose old connection dropped without a word (it proves it is the same session).
      const owner = this.awarenessOwners.get(entry.clientId);
      if (owner !== undefined && owner !== member && owner.session !== member.session) {
        throw new QuireError('awareness-not-owned', `Awareness client ${entry.clientId} belongs to another connection.`);
      }
      if (owner !== member) newIds++;
    }
    if (member.awarenessIds.size + newIds > limits.maxAwarenessClientsPerConnection) {
      throw new QuireError('invalid-awareness', `A connection may control at most ${limits.maxAwarenessClientsPerConnection} awareness clients per document.`);
    }
    if (this.broken) return;
    for (const entry of entries) {
      this.awarenessOwners.get(entry.clientId)?.awarenessIds.delete(entry.clientId);
      this.awarenessOwners.set(entry.clientId, member);
      member.awarenessIds.add(entry.clientId);
    }
    applyAwarenessUpdate(this.awareness, update, member);
  }

  destroy(): void {
    if (this.presence.flush !== null) clearImmediate(this.presence.flush);
    this.presence = emptyPresenceBatch();
    this.setStructCount(0);
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.awareness.destroy();
    this.doc.destroy();
    this.members.clear();
    this.groups.clear();
    this.awarenessOwners.clear();
  }

  /**
   * Whether the server durably holds everything in a client's snapshot (its state vector and
   * delete set); when not, the server's state vector, so that the client can send what is
   * missing. Answers once every change in memory now is durable.
   */
  async verify(snapshotBytes: Uint8Array): Promise<{ covered: true } | { covered: false; stateVector: Uint8Array }> {
    let snapshot: Y.Snapshot;
    try {
      snapshot = Y.decodeSnapshot(snapshotBytes);
    } catch {
      throw new QuireError('invalid-update', 'The snapshot to verify is not a well-formed Yjs snapshot.');
    }
    // The document's delete set takes a walk over every struct: kept until the document changes.
    this.heldDeletes ??= Y.createDeleteSetFromStructStore(this.doc.store);
    const covered = coversStateVector(Y.decodeStateVector(Y.encodeStateVector(this.doc)), snapshot.sv) && coversDeleteSet(this.heldDeletes, snapshot.ds);
    const stateVector = covered ? null : Y.encodeStateVector(this.doc);
    // What memory holds now came from storage or is queued for it: wait until it is written.
    await this.options.writer.settled(this.docName);
    return stateVector === null ? { covered: true } : { covered: false, stateVector };
  }

  /** The client ids among `writers` that another session introduced. */
  private foreignWriters(member: Member, writers: ReadonlyMap<number, number>): number[] {
    const foreign: number[] = [];
    for (const clientId of writers.keys()) {
      const owner = this.options.clientIds.owner(this.docName, clientId);
      if (owner !== undefined && owner !== member.session) foreign.push(clientId);
    }
    return foreign;
  }

  /**
   * Client ids a joining client says are its own (its document's, before it sends its offline
   * work in the handshake). Only ids nobody owns and of which this document holds nothing yet
   * are claimed: an id already written here cannot be taken over by saying so.
   */
  declareClientIds(member: Member, clientIds: readonly number[]): void {
    for (const clientId of clientIds) {
      if (this.doc.store.clients.has(clientId)) continue;
      if (this.options.clientIds.owner(this.docName, clientId) === undefined) this.options.clientIds.claim(this.docName, clientId, member.session);
    }
  }

  /** Records the client ids a change introduced (its first struct at clock 0) as its session's. */
  private claimWriters(member: Member, writers: ReadonlyMap<number, number>): void {
    for (const [clientId, firstClock] of writers) {
      if (firstClock === 0 && this.options.clientIds.owner(this.docName, clientId) === undefined) {
        this.options.clientIds.claim(this.docName, clientId, member.session);
      }
    }
  }

  /** Refuses a change of `cost` structs when the document or the server cannot hold that many more. */
  private checkRoom(cost: number): void {
    const limits = this.options.limits;
    if (this.structCount + cost <= limits.maxStructsPerDoc && this.options.ledger.fits(cost)) return;
    this.setStructCount(countStructs(this.doc));
    if (this.structCount + cost > limits.maxStructsPerDoc) {
      throw new QuireError('doc-too-large', `The document holds ${this.structCount} structs, the most it may hold is ${limits.maxStructsPerDoc}; the change was not applied.`);
    }
    if (!this.options.ledger.fits(cost)) {
      throw new QuireError('busy', 'The server holds as many documents in memory as it may; try again later.');
    }
  }

  private setStructCount(count: number): void {
    this.options.ledger.adjust(this.structCount, count);
    this.structCount = count;
  }

  /**
   * Refuses a change that would grow the document past its size limit. The estimate only grows
   * (bytes loaded plus bytes of every change), so it is measured exactly before anything is
   * refused, but at most once per 1/32 of the limit it grows by: near the limit, refusals must
   * not re-encode the whole document each time.
   */
  private checkSize(bytes: number): void {
    const max = this.options.limits.maxDocBytes;
    if (this.sizeEstimate + bytes <= max) return;
    if (this.sizeEstimate - this.sizeMeasuredAt >= max / 32) {
      this.sizeEstimate = Y.encodeStateAsUpdate(this.doc).length;
      this.sizeMeasuredAt = this.sizeEstimate;
    }
    if (this.sizeEstimate + bytes > max) {
      throw new QuireError('doc-too-large', `The document has reached its size limit of ${max} bytes; the change was not applied.`);
    }
  }

  /** Applies a change from another node; if Yjs throws, the room is given up. */
  private applyFromNode(update: Uint8Array, origin: typeof BUS_ORIGIN | typeof CATCH_UP_ORIGIN): void {
    if (this.broken) return;
    const captured = this.integrate(() => Y.applyUpdate(this.doc, update, origin));
    if (captured === null) return;
    this.storeUnawaited(this.process(captured));
    this.setStructCount(countStructs(this.doc));
  }

  /**
   * Writes nobody waits for: a change from another node, and the cleanups Yjs derives while a
   * document loads or such a change applies. One refused (the writer closing while a room loads, storage down) is
   * the writer's to report, and nothing acknowledged is lost: Yjs derives the same cleanup again
   * from what storage holds the next time the document loads. Unhandled, such a refusal was an
   * unhandled rejection (seen once in a full test run, a room loading as its server closed).
   */
  private storeUnawaited(writes: readonly Promise<void>[]): void {
    for (const written of writes) written.catch(() => undefined);
  }

  /**
   * Runs an apply, holding back the changes it produces. Returns them, or null when Yjs threw;
   * then the room is broken and, when `report` is set, given up to be rebuilt from storage.
   */
  private integrate(apply: () => void, report = true): Captured[] | null {
    const captured: Captured[] = [];
    this.capturing = captured;
    const started = performance.now();
    try {
      apply();
      return captured;
    } catch (error) {
      this.broken = true;
      if (report) this.options.onBroken(this, error);
      return null;
    } finally {
      this.capturing = null;
      this.integratedMs += performance.now() - started;
    }
  }

  /**
   * Relays, appends and publishes held-back changes; returns their durable writes. The change of
   * `relayedFirst` (a member) went out before it was applied: it is only appended.
   */
  private process(captured: readonly Captured[], relayedFirst: Member | null = null): Promise<void>[] {
    const writes: Promise<void>[] = [];
    for (const { update, origin } of captured) {
      const written = this.handle(update, origin, relayedFirst !== null && origin === relayedFirst);
      if (written !== null) writes.push(written);
    }
    return writes;
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    this.heldDeletes = null;
    this.whole = null;
    this.step1 = null;
    if (this.capturing !== null) this.capturing.push({ update, origin });
    else this.handle(update, origin);
  };

  /** What a change's origin decides; returns its durable write, or null when it is not stored here. */
  private handle(update: Uint8Array, origin: unknown, relayed = false): Promise<void> | null {
    if (origin === STORAGE_ORIGIN) return null;
    this.sizeEstimate += update.length;
    if (!relayed) this.relay(update, origin);
    this.logEntries++;
    // A change from another node is stored here too, in case that node has not stored it and
    // dies first (its failure to store is that node's to report: see storeUnawaited).
    return this.options.writer.append(this.docName, update);
  }

  /** Sends a change to the other nodes (unless it came from one) and to the members but its sender. */
  private relay(update: Uint8Array, origin: unknown): void {
    // Other nodes get a change at once (first: writing to the local members takes a while when
    // they are many), before it is durable anywhere; so every node that applies a change stores
    // it too (appends are idempotent: a change stored twice loads as once). A node that dies
    // before storing a change it published leaves it stored by every node that relayed it, and a
    // node acknowledges its own clients' changes only once everything it relayed before them is
    // durable (its writer is first in, first out), so nobody is told "saved" for work that builds
    // on a change no storage holds.
    if (origin !== BUS_ORIGIN && origin !== CATCH_UP_ORIGIN) this.options.bus.publishUpdate(this.docName, update);
    const fromClient = isMember(origin) ? origin : null;
    this.broadcast(encodeUpdateMessage(update), fromClient, 'sync');
  }

  /**
   * Presence changes are sent out once per event-loop turn, all of a turn's changes in one update:
   * when many people join at once (or a server restarts and everyone comes back), each member gets
   * one message per turn instead of one per person, and a change reaches the others a turn later.
   */
  private readonly onAwarenessUpdate = (
    change: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const fromBus = origin === BUS_ORIGIN;
    const fromClient = isMember(origin) ? origin : null;
    for (const ids of [change.added, change.updated, change.removed]) {
      for (const id of ids) {
        this.presence.ids.add(id);
        if (!fromBus) this.presence.ownIds.add(id);
      }
    }
    if (this.presence.ids.size === 0) return;
    this.presence.origins.add(fromClient);
    this.presence.flush ??= setImmediate(this.flushPresence);
  };

  private readonly flushPresence = (): void => {
    const batch = this.presence;
    const { ids, ownIds } = batch;
    this.presence = emptyPresenceBatch();
    if (this.broken || ids.size === 0) return;
    // A member is spared the batch only when it holds nothing but that member's own changes.
    this.broadcast(encodeAwarenessUpdate(this.awareness, [...ids]), soleSender(batch), 'awareness');
    if (ownIds.size > 0) this.options.bus.publishAwareness(this.docName, encodeAwarenessUpdate(this.awareness, [...ownIds]));
  };

  /** Sends to every member but `except`, grouped by transport and name so each group encodes once. */
  private broadcast(payload: Uint8Array, except: Member | null, kind: 'sync' | 'awareness'): void {
    const recipients = this.groups.forEachGroup(except, (transport, name, connections, leaveOut) => {
      if (kind === 'sync') transport.sendSyncToMany(connections, name, payload, leaveOut);
      else transport.sendAwarenessToMany(connections, name, payload, leaveOut);
    });
    if (kind === 'sync' && recipients > 0) this.options.observer.changeRelayed?.({ docName: this.docName, recipients, bytes: payload.length });
  }
}

/** The presence changes of one event-loop turn. */
interface PresenceBatch {
  /** Awareness client ids whose state changed. */
  readonly ids: Set<number>;
  /** Those changed here rather than on another node (only they go on the bus). */
  readonly ownIds: Set<number>;
  /** Where the changes came from: their members, and null for changes from elsewhere (the bus, a leave). */
  readonly origins: Set<Member | null>;
  flush: NodeJS.Immediate | null;
}

function emptyPresenceBatch(): PresenceBatch {
  return { ids: new Set(), ownIds: new Set(), origins: new Set(), flush: null };
}

/** The member a presence batch need not go back to: the only one its changes came from, if any. */
function soleSender(batch: PresenceBatch): Member | null {
  if (batch.origins.size !== 1) return null;
  const [only] = batch.origins;
  return only ?? null;
}

/** Structs the document's store holds now: a sum over its clients, cheap. */
function countStructs(doc: Y.Doc): number {
  let count = 0;
  for (const structs of doc.store.clients.values()) count += structs.length;
  return count;
}

/** Whether `held` has every clock `wanted` has, for every client. */
function coversStateVector(held: Map<number, number>, wanted: Map<number, number>): boolean {
  for (const [client, clock] of wanted) if ((held.get(client) ?? 0) < clock) return false;
  return true;
}

/** Whether every range `wanted` deletes is deleted in `held` (whose ranges are sorted and merged). */
function coversDeleteSet(held: Y.Snapshot['ds'], wanted: Y.Snapshot['ds']): boolean {
  for (const [client, ranges] of wanted.clients) {
    const have = held.clients.get(client) ?? [];
    for (const range of ranges) {
      // `held` is sorted and merged (made from the struct store), so one range can cover it.
      const item = have[firstRangeEndingAfter(have, range.clock)];
      if (item === undefined || item.clock > range.clock || item.clock + item.len < range.clock + range.len) return false;
    }
  }
  return true;
}

/** Index of the first of sorted, disjoint ranges that ends after `clock` (binary search). */
function firstRangeEndingAfter(ranges: ReadonlyArray<{ clock: number; len: number }>, clock: number): number {
  let low = 0;
  let high = ranges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const item = ranges[middle]!;
    if (item.clock + item.len <= clock) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** `update` without any struct of the given clients (its deletions stay). */
function withoutClients(update: Uint8Array, clients: readonly number[]): Uint8Array {
  const beyondEverything = new Map(clients.map((client) => [client, Number.MAX_SAFE_INTEGER]));
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, beyondEverything.size);
  for (const [client, clock] of beyondEverything) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, clock);
  }
  return Y.diffUpdate(update, encoding.toUint8Array(encoder));
}
