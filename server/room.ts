/**
 * A loaded document: its Y.Doc, its Awareness, and the connections in it. Every change to the doc
 * carries a tagged origin that decides what happens to it:
 * - a Member (a client connection): broadcast to the other members, appended to storage, published
 *   on the room bus;
 * - BUS_ORIGIN (another node applied and stored it first): broadcast to local members only;
 * - CATCH_UP_ORIGIN (another node's answer to a sync request, maybe not stored yet): broadcast to
 *   local members and appended to storage, not republished;
 * - anything else (loading from storage): nothing.
 */
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import type { Role } from '../shared/events.js';
import { QuireError } from '../shared/errors.js';
import type { Limits } from '../shared/limits.js';
import {
  decodeAwarenessUpdate,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdateMessage,
  isWellFormedStateVector,
  isWellFormedUpdate,
} from '../shared/protocol.js';
import type { Connection, Transport } from './connection.js';
import type { UpdateWriter } from './update-writer.js';

/** A connection's presence in one room. Used as the Yjs origin of the changes it makes. */
export class Member {
  /** Awareness client ids this member controls. */
  readonly awarenessIds = new Set<number>();
  constructor(
    readonly connection: Connection,
    readonly docId: string,
    /** The name the client joined with (document id or view key); every message to it uses it. */
    readonly name: string,
    readonly role: Role,
    /** The view token it joined with, for revocation; null when it joined by document id. */
    readonly viewToken: string | null,
  ) {}
}

export const BUS_ORIGIN = Symbol('room-bus');
/** Catch-up from another node (a bus sync reply): broadcast locally and stored, never republished. */
export const CATCH_UP_ORIGIN = Symbol('room-bus-catch-up');
export const STORAGE_ORIGIN = Symbol('storage');

/** Hooks the room calls for changes that leave the process. */
export interface RoomHooks {
  /** A client's change was applied: publish it to the other nodes. */
  readonly publishUpdate?: (docId: string, update: Uint8Array) => void;
  readonly publishAwareness?: (docId: string, update: Uint8Array) => void;
  /** Counts and sizes of what was relayed, for metrics. */
  readonly onRelayed?: (recipients: number, bytes: number) => void;
}

export class Room {
  readonly docId: string;
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  private readonly members = new Set<Member>();
  private readonly awarenessOwners = new Map<number, Member>();
  private readonly writer: UpdateWriter;
  private readonly limits: Limits;
  private readonly hooks: RoomHooks;
  /** Upper bound of the encoded document size: bytes loaded plus bytes of every change since. */
  private sizeEstimate: number;
  /** Log entries stored since the last compaction, as far as this process knows. */
  logEntries: number;
  /** Changes produced by the update being applied right now, if any. */
  private capturing: Promise<void>[] | null = null;

  constructor(docId: string, doc: Y.Doc, init: { writer: UpdateWriter; limits: Limits; hooks?: RoomHooks; storedBytes: number; logEntries: number }) {
    this.docId = docId;
    this.doc = doc;
    this.writer = init.writer;
    this.limits = init.limits;
    this.hooks = init.hooks ?? {};
    this.sizeEstimate = init.storedBytes;
    this.logEntries = init.logEntries;
    this.awareness = new Awareness(doc);
    this.awareness.setLocalState(null);
    doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
  }

  get memberCount(): number {
    return this.members.size;
  }

  get isEmpty(): boolean {
    return this.members.size === 0;
  }

  membersSnapshot(): Member[] {
    return [...this.members];
  }

  /** Adds a member and starts its handshake: the server's step 1 and the current presence. */
  addMember(member: Member): void {
    this.members.add(member);
    member.connection.sendSync(member.name, encodeSyncStep1(this.doc));
    const states = this.awareness.getStates();
    if (states.size > 0) {
      member.connection.sendAwareness(member.name, encodeAwarenessUpdate(this.awareness, [...states.keys()]));
    }
  }

  /** Removes a member and the presence it controlled (everyone else sees it disappear). */
  removeMember(member: Member): void {
    if (!this.members.delete(member)) return;
    const ids = [...member.awarenessIds].filter((id) => this.awarenessOwners.get(id) === member);
    for (const id of ids) this.awarenessOwners.delete(id);
    if (ids.length > 0) removeAwarenessStates(this.awareness, ids, member);
  }

  /** Answers a client's step 1 with what it lacks. */
  answerStep1(member: Member, stateVector: Uint8Array): void {
    if (!isWellFormedStateVector(stateVector)) {
      throw new QuireError('invalid-update', 'Sync step 1 does not carry a well-formed state vector.');
    }
    member.connection.sendSync(member.name, encodeSyncStep2(this.doc, stateVector));
  }

  /**
   * Applies a client's change (step 2 or update) and resolves once everything it contains is
   * durable. Rejects with a QuireError when the change is refused; nothing is then applied,
   * stored or broadcast. Only what Yjs actually integrated is ever stored, never the client's
   * bytes as sent: an update that changes nothing is acknowledged once everything queued for the
   * document before it is durable (what it holds is in memory, so it came from storage or is queued).
   */
  async applyClientChange(member: Member, update: Uint8Array): Promise<void> {
    if (member.role !== 'edit') {
      throw new QuireError('read-only', 'This connection has view-only access; the document cannot be changed through it.');
    }
    if (!isWellFormedUpdate(update)) {
      throw new QuireError('invalid-update', 'The update is not a well-formed Yjs update.');
    }
    if (this.sizeEstimate + update.length > this.limits.maxDocBytes) {
      // The estimate only grows; measure the real size before refusing anything.
      this.sizeEstimate = Y.encodeStateAsUpdate(this.doc).length;
      if (this.sizeEstimate + update.length > this.limits.maxDocBytes) {
        throw new QuireError('doc-too-large', `The document has reached its size limit of ${this.limits.maxDocBytes} bytes; the change was not applied.`);
      }
    }
    const writes: Promise<void>[] = [];
    this.capturing = writes;
    let failure: unknown = null;
    // Yjs parks the parts of an update whose dependencies it lacks in the store's pending fields
    // and mixes them into every later encoding, where bogus ones can hide real items. A client's
    // update must integrate entirely; what it left pending is dropped again.
    const store = this.doc.store;
    const pendingBefore = { structs: store.pendingStructs, ds: store.pendingDs };
    try {
      Y.applyUpdate(this.doc, update, member);
    } catch (error) {
      failure = error;
    } finally {
      this.capturing = null;
    }
    const leftPending = store.pendingStructs !== pendingBefore.structs || store.pendingDs !== pendingBefore.ds;
    if (leftPending) {
      store.pendingStructs = pendingBefore.structs;
      store.pendingDs = pendingBefore.ds;
      if (failure === null) {
        throw new QuireError('missing-dependencies', 'The update depends on changes the server does not have; send those first.');
      }
    }
    // Whatever part of a failing update got integrated was broadcast and stored like any other
    // change, so every replica still agrees; the sender learns its update was refused.
    if (failure !== null) {
      throw new QuireError('invalid-update', 'The update could not be applied to the document.');
    }
    if (writes.length === 0) await this.writer.settled(this.docId);
    else await Promise.all(writes);
  }

  /** Applies a change another node received first. */
  applyBusUpdate(update: Uint8Array): void {
    Y.applyUpdate(this.doc, update, BUS_ORIGIN);
  }

  applyBusAwareness(update: Uint8Array): void {
    applyAwarenessUpdate(this.awareness, update, BUS_ORIGIN);
  }

  /** Applies a member's awareness update after checking it only touches client ids it controls. */
  applyClientAwareness(member: Member, update: Uint8Array): void {
    if (update.length > this.limits.maxAwarenessBytes) {
      throw new QuireError('awareness-too-large', `Awareness updates are limited to ${this.limits.maxAwarenessBytes} bytes.`);
    }
    const entries = decodeAwarenessUpdate(update);
    if (entries === null) throw new QuireError('invalid-awareness', 'The awareness update is malformed.');
    let newIds = 0;
    for (const entry of entries) {
      if (entry.stateJson.length > this.limits.maxAwarenessStateChars) {
        throw new QuireError('awareness-too-large', `An awareness state is limited to ${this.limits.maxAwarenessStateChars} characters.`);
      }
      // Ownership is per node: a state another node relayed has no local owner, and a client
      // that failed over from a dead node must be able to take its own id back at once.
      const owner = this.awarenessOwners.get(entry.clientId);
      if (owner !== undefined && owner !== member) {
        throw new QuireError('awareness-not-owned', `Awareness client ${entry.clientId} belongs to another connection.`);
      }
      if (owner === undefined) newIds++;
    }
    if (member.awarenessIds.size + newIds > this.limits.maxAwarenessClientsPerConnection) {
      throw new QuireError('invalid-awareness', `A connection may control at most ${this.limits.maxAwarenessClientsPerConnection} awareness clients per document.`);
    }
    for (const entry of entries) {
      this.awarenessOwners.set(entry.clientId, member);
      member.awarenessIds.add(entry.clientId);
    }
    applyAwarenessUpdate(this.awareness, update, member);
  }

  /** Removes every member, telling each why. Used when the document is deleted. */
  evictAll(sendKicked: (member: Member) => void): Member[] {
    const evicted = [...this.members];
    for (const member of evicted) {
      sendKicked(member);
      this.removeMember(member);
    }
    return evicted;
  }

  destroy(): void {
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.awareness.destroy();
    this.doc.destroy();
    this.members.clear();
    this.awarenessOwners.clear();
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    const fromClient = isMember(origin) ? origin : null;
    if (fromClient === null && origin !== BUS_ORIGIN && origin !== CATCH_UP_ORIGIN) return;
    this.sizeEstimate += update.length;
    this.broadcast(encodeUpdateMessage(update), fromClient, 'sync');
    if (origin === CATCH_UP_ORIGIN) {
      // The node that sent it may not have stored it yet, and may die before it does. (A closed
      // writer refuses it during shutdown; the sender still has it then.)
      this.logEntries++;
      this.writer.append(this.docId, update).catch(() => undefined);
    }
    if (fromClient !== null) {
      this.logEntries++;
      const written = this.writer.append(this.docId, update);
      this.capturing?.push(written);
      // Other nodes learn a change only once it is durable. A node that dies before storing it
      // leaves it only with its own clients, whose handshake with the next node carries it again.
      const publish = this.hooks.publishUpdate;
      if (publish !== undefined) written.then(() => publish(this.docId, update), () => undefined);
    }
  };

  private readonly onAwarenessUpdate = (
    change: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const changed = [...change.added, ...change.updated, ...change.removed];
    if (changed.length === 0) return;
    const update = encodeAwarenessUpdate(this.awareness, changed);
    const fromClient = isMember(origin) ? origin : null;
    this.broadcast(update, fromClient, 'awareness');
    if (origin !== BUS_ORIGIN) this.hooks.publishAwareness?.(this.docId, update);
  };

  /** Sends to every member but `except`, grouped by transport and name so each group encodes once. */
  private broadcast(payload: Uint8Array, except: Member | null, kind: 'sync' | 'awareness'): void {
    const groups = new Map<Transport, Map<string, Connection[]>>();
    let recipients = 0;
    for (const member of this.members) {
      if (member === except) continue;
      const transport = member.connection.transport;
      let byName = groups.get(transport);
      if (byName === undefined) groups.set(transport, (byName = new Map()));
      const list = byName.get(member.name);
      if (list === undefined) byName.set(member.name, [member.connection]);
      else list.push(member.connection);
      recipients++;
    }
    for (const [transport, byName] of groups) {
      for (const [name, connections] of byName) {
        if (kind === 'sync') transport.sendSyncToMany(connections, name, payload);
        else transport.sendAwarenessToMany(connections, name, payload);
      }
    }
    if (kind === 'sync') this.hooks.onRelayed?.(recipients, payload.length);
  }
}

function isMember(origin: unknown): origin is Member {
  return origin instanceof Member;
}
