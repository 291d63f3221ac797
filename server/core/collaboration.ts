/**
 * The transport-agnostic heart of the server: joins, leaves, sync and awareness messages of every
 * connection, checked and routed to rooms. Transports decode their framing, call these methods
 * with plain values, and deliver the replies.
 */
import { QuireError, type QuireErrorPayload } from '../../shared/errors.js';
import { mayEdit, type JoinReply, type SaveReply, type VerifyReply } from '../../shared/events.js';
import type { Limits } from '../../shared/limits.js';
import { SYNC_STEP1, SYNC_STEP2, decodeSyncMessage } from '../../shared/protocol.js';
import type { Access } from './access.js';
import { docTag, linkTag, viewTokenTag, type Connection } from './connection.js';
import { ExpiryWatch } from './expiry-watch.js';
import { stampName } from './stamped-presence.js';
import type { QuireObserver } from './hooks.js';
import { createHash } from 'node:crypto';
import { Member } from './member.js';
import { NetworkHoldOffs } from './network-hold-offs.js';
import { ChangeBrokeRoom, type Room } from './room.js';
import { TokenBucket } from './token-bucket.js';
import type { RoomRegistry } from './room-registry.js';

export interface CollaborationOptions {
  readonly registry: RoomRegistry;
  readonly access: Access;
  readonly limits: Limits;
  /** Compact a document's storage once this many log entries have accumulated. */
  readonly compactAfterEntries: number;
  readonly observer: Required<QuireObserver>;
  /** Per-connection rate limits on document changes and awareness messages. */
  readonly rateLimit?: Partial<RateLimitOptions>;
  /** A connection that has joined nothing this long after opening is closed. Default 10 s; 0 = never. */
  readonly joinTimeoutMs?: number;
  /** The clock link expiries are measured against. Default Date.now. */
  readonly now?: () => number;
}

/**
 * What one connection may cost per second, as token buckets. Bytes count what a message causes,
 * not only its size: the answer to a sync step 1, and a presence update times the members it
 * reaches. Structs count the Yjs structs and deletions of the changes it sends (the work of
 * applying them).
 */
export interface RateLimitOptions {
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
  readonly bytesPerSecond: number;
  readonly byteBurst: number;
  readonly structsPerSecond: number;
  readonly structBurst: number;
  /** Presence bytes times the members they reach: presence is small, so its budget is too. */
  readonly presenceBytesPerSecond: number;
  readonly presenceByteBurst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  messagesPerSecond: 200,
  messageBurst: 2000,
  bytesPerSecond: 2 * 1024 * 1024,
  byteBurst: 16 * 1024 * 1024,
  structsPerSecond: 20_000,
  structBurst: 100_000,
  presenceBytesPerSecond: 64 * 1024,
  presenceByteBurst: 256 * 1024,
};

/**
 * What a join costs from a connection's message budget: with the defaults (200 messages a second,
 * 2,000 at once) 10 joins a second, 100 at once (a connection may hold 64 documents). A budget
 * configured smaller pays at most a tenth of its burst per join, so a join always fits.
 */
const JOIN_COST = 20;

/** Rate-limited refusals in one second after which a connection is closed. */
const MAX_THROTTLED_PER_SECOND = 200;

interface ConnectionState {
  readonly members: Map<string, Member>;
  /** Joins in flight, by link, so a repeated join waits for the first. */
  readonly joining: Map<string, Promise<JoinReply>>;
  readonly messages: TokenBucket;
  readonly bytes: TokenBucket;
  readonly structs: TokenBucket;
  readonly presence: TokenBucket;
  closed: boolean;
  /** Rate-limited refusals in the current second (see MAX_THROTTLED_PER_SECOND). */
  throttled: { second: number; count: number };
}

export class Collaboration {
  private readonly options: CollaborationOptions;
  private readonly connections = new Map<Connection, ConnectionState>();
  /** Networks whose changes broke rooms, and which of them are held off for it. */
  private readonly holdOffs: NetworkHoldOffs;

  /** Memberships through links that expire: ended when they do, open or not. */
  private readonly expiries: ExpiryWatch<Member>;
  /** What a join takes from the message budget (see JOIN_COST). */
  private readonly joinCost: number;
  /** Connections that have joined nothing yet, until they must have (joinTimeoutMs). */
  private readonly joinDeadlines: ExpiryWatch<Connection>;
  private readonly joinTimeoutMs: number;
  private readonly now: () => number;

  constructor(options: CollaborationOptions) {
    this.options = options;
    const burst = options.rateLimit?.messageBurst ?? DEFAULT_RATE_LIMIT.messageBurst;
    this.joinCost = Math.min(JOIN_COST, Math.max(1, Math.floor(burst / 10)));
    options.registry.onBroken((room) => this.sendAway(room));
    this.now = options.now ?? Date.now;
    this.holdOffs = new NetworkHoldOffs(this.now);
    this.expiries = new ExpiryWatch(this.now, (member) => this.expire(member));
    this.joinTimeoutMs = options.joinTimeoutMs ?? 10_000;
    // A time to join is a duration: measured on the monotonic clock, not the (injectable) wall clock.
    this.joinDeadlines = new ExpiryWatch(monotonicNow, (connection) => this.joinedNothing(connection), Math.min(250, Math.max(10, this.joinTimeoutMs / 4)));
  }

  /** Stops watching expiries (the server is closing). */
  stop(): void {
    this.expiries.stop();
    this.joinDeadlines.stop();
  }

  /**
   * A connection's time to join ran out: it is closed unless it joined something or is joining. A
   * join in flight may yet fail: the connection is looked at again at the next sweep, until its
   * joins are through (a join that succeeds stops the watch).
   */
  private joinedNothing(connection: Connection): void {
    const state = this.connections.get(connection);
    if (state === undefined || state.members.size > 0 || state.closed) return;
    if (state.joining.size > 0) {
      this.joinDeadlines.watch(connection, monotonicNow());
      return;
    }
    this.reportError(connection, new QuireError('bad-request', `No document was joined within ${this.joinTimeoutMs} ms; closing the connection.`));
    connection.close();
  }

  /** A member's link expired: it is told so and removed from the document. */
  private expire(member: Member): void {
    const state = this.connections.get(member.connection);
    if (state === undefined || state.members.get(member.link) !== member) return;
    const error = new QuireError('link-expired', 'This link has expired; ask whoever shared it for a new one.');
    member.connection.sendKicked(member.link, error.toPayload(member.link));
    this.removeMember(state, member);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Registers a new connection. */
  open(connection: Connection): void {
    const rate: RateLimitOptions = { ...DEFAULT_RATE_LIMIT, ...this.options.rateLimit };
    const state: ConnectionState = {
      members: new Map(),
      joining: new Map(),
      messages: new TokenBucket(rate.messagesPerSecond, rate.messageBurst),
      bytes: new TokenBucket(rate.bytesPerSecond, rate.byteBurst),
      structs: new TokenBucket(rate.structsPerSecond, rate.structBurst),
      presence: new TokenBucket(rate.presenceBytesPerSecond, rate.presenceByteBurst),
      closed: false,
      throttled: { second: 0, count: 0 },
    };
    if (this.joinTimeoutMs > 0) this.joinDeadlines.watch(connection, monotonicNow() + this.joinTimeoutMs);
    this.connections.set(connection, state);
  }

  /** Refuses joins of a document while it is being deleted. */
  readonly deleting = new Set<string>();

  /** Number of connections in a document on this node. */
  presentCount(docName: string): number {
    return this.options.registry.peek(docName)?.memberCount ?? 0;
  }

  /**
   * Joins a document. `respond` receives the reply; on success the handshake (the server's step 1
   * and the current presence) is sent right after it, in that order.
   */
  async join(connection: Connection, link: unknown, token: unknown, options: unknown, respond: (reply: JoinReply) => void): Promise<void> {
    const state = this.connections.get(connection);
    if (state === undefined || state.closed) {
      respond({ ok: false, error: new QuireError('bad-request', 'The connection is closed.').toPayload() });
      return;
    }
    if (typeof link === 'string') {
      const existing = state.members.get(link);
      if (existing) {
        respond({ ok: true, role: existing.role });
        return;
      }
      const inFlight = state.joining.get(link);
      if (inFlight) {
        respond(await inFlight);
        return;
      }
    }
    // Settled once the reply is out and the member is in its room (its handshake sent): what a
    // repeated join, and a sync message sent right behind the join, wait for.
    const settled = this.joinOnce(connection, state, link, token, options).then((result) => {
      if (typeof link === 'string') state.joining.delete(link);
      respond(result.reply);
      if (result.member && state.members.get(result.member.link) === result.member) {
        result.member.room.addMember(result.member);
      }
      return result.reply;
    });
    if (typeof link === 'string') state.joining.set(link, settled);
    await settled;
  }

  leave(connection: Connection, link: unknown): void {
    const state = this.connections.get(connection);
    if (state === undefined || typeof link !== 'string') return;
    const member = state.members.get(link);
    if (member === undefined) return;
    this.removeMember(state, member);
  }

  /** Handles a sync message; the returned promise resolves to the reply for its ack. */
  async sync(connection: Connection, link: unknown, message: Uint8Array | null): Promise<SaveReply> {
    try {
      // A client may send its step 1 right behind its join, saving a round trip: it is handled
      // once the join is through.
      const joining = typeof link === 'string' ? this.connections.get(connection)?.joining.get(link) : undefined;
      if (joining !== undefined) await joining;
      const member = this.memberFor(connection, link);
      const state = this.stateOf(connection);
      if (message === null) throw new QuireError('bad-request', 'A sync message must be binary (a Uint8Array).');
      if (message.length > this.options.limits.maxUpdateBytes) {
        throw new QuireError('update-too-large', `Updates are limited to ${this.options.limits.maxUpdateBytes} bytes; this one has ${message.length}.`);
      }
      if (!state.bytes.solvent || !(state.messages.take(1) && state.bytes.take(message.length))) {
        throw new QuireError('rate-limited', 'Too many changes too fast from this connection; slow down and resend.');
      }
      const decoded = decodeSyncMessage(message);
      if (decoded === null) throw new QuireError('invalid-update', 'The bytes are not a y-protocols sync message.');
      const room = member.room;
      if (decoded.type === SYNC_STEP1) {
        // The answer can be the whole document: it is paid for, after the fact, from the byte budget.
        const answer = room.answerStep1(decoded.payload);
        state.bytes.charge(answer.length);
        member.connection.sendSync(member.link, answer);
        return { ok: true };
      }
      if (this.holdOffs.heldOff(connection.remoteAddress)) {
        throw new QuireError('rate-limited', 'Changes from this network broke documents on this server; its changes are refused for a while.');
      }
      let durable: Promise<void>;
      try {
        durable = room.applyClientChange(member, decoded.payload, decoded.type === SYNC_STEP2 ? 'step2' : 'update', state.structs);
      } catch (error) {
        // Refusals come in this turn: a network a change held off is held off before the next
        // message of the same read (which may be for another document) is looked at. Once the
        // refusal has gone out, the connection is closed.
        if (error instanceof ChangeBrokeRoom && this.holdOffs.brokeRoom(connection.remoteAddress) > 0) setImmediate(() => connection.close());
        throw error;
      }
      await durable;
      this.options.observer.changeAccepted({ docName: room.docName, bytes: decoded.payload.length });
      if (room.logEntries >= this.options.compactAfterEntries) void this.options.registry.scheduleCompaction(room.docName);
      return { ok: true };
    } catch (error) {
      return this.refusal(connection, error, link);
    }
  }

  awareness(connection: Connection, link: unknown, update: Uint8Array | null): void {
    try {
      const member = this.memberFor(connection, link);
      const state = this.stateOf(connection);
      if (update === null) throw new QuireError('bad-request', 'An awareness update must be binary (a Uint8Array).');
      if (!state.presence.solvent || !state.messages.take(1)) throw new QuireError('rate-limited', 'Too many presence updates too fast from this connection.');
      const room = member.room;
      room.applyClientAwareness(member, member.stampedName === null ? update : stampName(update, member.stampedName));
      // Presence fans out to every member: the sender pays for each copy.
      state.presence.charge(update.length * Math.max(1, room.memberCount - 1));
    } catch (error) {
      const refusal = this.toQuireError(error);
      this.reportError(connection, refusal, typeof link === 'string' ? link : undefined);
      if (refusal.code === 'rate-limited') this.noteThrottled(connection);
    }
  }

  /**
   * Answers a client asking whether the server durably holds everything it holds (its snapshot):
   * the reply comes once what the server holds in memory is written.
   */
  async verify(connection: Connection, link: unknown, snapshot: Uint8Array | null): Promise<VerifyReply> {
    try {
      const member = this.memberFor(connection, link);
      const state = this.stateOf(connection);
      if (snapshot === null) throw new QuireError('bad-request', 'A snapshot must be binary (a Uint8Array).');
      if (snapshot.length > this.options.limits.maxUpdateBytes) throw new QuireError('update-too-large', `A snapshot is limited to ${this.options.limits.maxUpdateBytes} bytes.`);
      if (!state.bytes.solvent || !(state.messages.take(1) && state.bytes.take(snapshot.length))) {
        throw new QuireError('rate-limited', 'Too many messages too fast from this connection; slow down and ask again.');
      }
      const answer = await member.room.verify(snapshot);
      return answer.covered ? { ok: true, covered: true } : { ok: true, covered: false, stateVector: answer.stateVector };
    } catch (error) {
      return this.refusal(connection, error, link);
    }
  }

  /** Sends a typed error to one connection (refusals that have no ack to travel in). */
  reportError(connection: Connection, error: QuireError, docName?: string): void {
    const payload = error.toPayload(docName);
    this.options.observer.clientRefused({ connectionId: connection.id, docName, code: payload.code, message: payload.message });
    connection.sendError(payload);
  }

  /** Forgets a connection: leaves every room it was in. */
  close(connection: Connection): void {
    const state = this.connections.get(connection);
    if (state === undefined) return;
    state.closed = true;
    this.joinDeadlines.forget(connection);
    for (const member of [...state.members.values()]) this.removeMember(state, member);
    this.connections.delete(connection);
  }

  private async joinOnce(connection: Connection, state: ConnectionState, link: unknown, token: unknown, options: unknown): Promise<{ reply: JoinReply; member?: Member }> {
    try {
      // A join costs a storage read or more (the link, the document): it is paid for as JOIN_COST
      // messages, so a flood of joins (of documents that do not exist, say) is refused early.
      if (!state.messages.take(this.joinCost)) throw new QuireError('rate-limited', 'Too many joins too fast from this connection; wait a moment and join again.');
      const session = sessionOf(options, connection);
      const declaredIds = clientIdsOf(options);
      // This join is not counted in `joining` yet.
      if (state.members.size + state.joining.size >= this.options.limits.maxDocsPerConnection) {
        throw new QuireError('too-many-docs', `A connection may join at most ${this.options.limits.maxDocsPerConnection} documents.`);
      }
      const grant = await this.options.access.resolve({ link, token, headers: connection.headers, via: 'socket', address: connection.remoteAddress });
      const docName = grant.docName;
      if (typeof link !== 'string') throw new QuireError('invalid-doc-name', 'The document name must be a string.');
      if (this.deleting.has(docName)) throw new QuireError('doc-deleted', 'This document is being deleted.');
      const room = await this.options.registry.acquire(docName);
      if (state.closed) {
        this.options.registry.release(room);
        throw new QuireError('bad-request', 'The connection closed while joining.');
      }
      const member = new Member(connection, room, link, grant.role, grant.viewToken, session, grant.author, grant.linkId, grant.stampedName);
      if (mayEdit(grant.role)) room.declareClientIds(member, declaredIds);
      state.members.set(link, member);
      this.joinDeadlines.forget(connection);
      connection.addTag(docTag(docName), link);
      if (grant.viewToken !== null) connection.addTag(viewTokenTag(grant.viewToken));
      if (grant.linkId !== null) connection.addTag(linkTag(docName, grant.linkId), link);
      if (grant.expiresAt !== null) this.expiries.watch(member, grant.expiresAt);
      return { reply: { ok: true, role: grant.role }, member };
    } catch (error) {
      return { reply: this.refusal(connection, error, link) };
    }
  }

  private stateOf(connection: Connection): ConnectionState {
    const state = this.connections.get(connection);
    if (state === undefined) throw new QuireError('bad-request', 'The connection is closed.');
    return state;
  }

  private memberFor(connection: Connection, link: unknown): Member {
    const member = typeof link === 'string' ? this.connections.get(connection)?.members.get(link) : undefined;
    if (member === undefined) throw new QuireError('not-joined', 'Join the document before sending messages for it.');
    return member;
  }

  private removeMember(state: ConnectionState, member: Member): void {
    state.members.delete(member.link);
    if (member.viewToken !== null) member.connection.removeTag(viewTokenTag(member.viewToken));
    if (member.linkId !== null) member.connection.removeTag(linkTag(member.docName, member.linkId));
    this.expiries.forget(member);
    let stillInDoc = false;
    for (const other of state.members.values()) if (other.docName === member.docName) stillInDoc = true;
    if (!stillInDoc) member.connection.removeTag(docTag(member.docName));
    member.room.removeMember(member);
    this.options.registry.release(member.room);
  }

  /**
   * A room broke (Yjs threw while integrating a change): its members are told to join again,
   * which loads the document afresh from storage; their unsaved changes travel in the handshake.
   */
  private sendAway(room: Room): void {
    const error = new QuireError('resync', 'The server reloaded the document from storage; join it again.');
    for (const member of room.currentMembers()) {
      const state = this.connections.get(member.connection);
      member.connection.sendKicked(member.link, error.toPayload(member.link));
      if (state !== undefined && state.members.get(member.link) === member) this.removeMember(state, member);
    }
  }

  private toQuireError(error: unknown): QuireError {
    if (error instanceof QuireError) return error;
    this.options.observer.internalError({ what: 'message', error });
    return new QuireError('internal', 'The server failed to handle the message.');
  }

  /** The reply refusing a message, reported to the observer. */
  private refusal(connection: Connection, error: unknown, link: unknown): { ok: false; error: QuireErrorPayload } {
    const docName = typeof link === 'string' ? link : undefined;
    const payload = this.toQuireError(error).toPayload(docName);
    this.options.observer.clientRefused({ connectionId: connection.id, docName, code: payload.code, message: payload.message });
    if (payload.code === 'rate-limited') this.noteThrottled(connection);
    return { ok: false, error: payload };
  }

  /**
   * A connection that goes on sending after its budget is spent makes the server answer every
   * message with a refusal (a write each): past MAX_THROTTLED_PER_SECOND such refusals in one
   * second it is told so and closed. Honest clients back off long before.
   */
  private noteThrottled(connection: Connection): void {
    const state = this.connections.get(connection);
    if (state === undefined || state.closed) return;
    const second = Math.floor(this.now() / 1000);
    if (state.throttled.second !== second) state.throttled = { second, count: 0 };
    if (++state.throttled.count !== MAX_THROTTLED_PER_SECOND) return;
    this.reportError(connection, new QuireError('rate-limited', `Over ${MAX_THROTTLED_PER_SECOND} messages in a second were refused for going too fast; closing the connection.`));
    connection.close();
  }
}

const monotonicNow = (): number => performance.now();

/** At most this many Yjs client ids may be declared at a join. */
const MAX_DECLARED_CLIENT_IDS = 8;

/** The Yjs client ids a joining client declares as its own (join option `clientIds`). */
function clientIdsOf(options: unknown): number[] {
  if (typeof options !== 'object' || options === null) return [];
  const ids = (options as { clientIds?: unknown }).clientIds;
  if (ids === undefined) return [];
  if (!Array.isArray(ids) || ids.length > MAX_DECLARED_CLIENT_IDS || !ids.every((id) => Number.isInteger(id) && id >= 0 && id <= 0xffffffff)) {
    throw new QuireError('bad-request', `The client ids must be a list of at most ${MAX_DECLARED_CLIENT_IDS} whole numbers from 0 to 2^32 − 1.`);
  }
  return ids as number[];
}

/** A session secret: URL-safe, long enough to be unguessable, short enough to be cheap. */
const SESSION_SECRET = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * Who a joining client is: the hash of the session secret it sent (the same across its
 * connections), or, without one, a session of this connection alone.
 */
function sessionOf(options: unknown, connection: Connection): string {
  if (options === undefined || options === null) return `connection:${connection.id}`;
  if (typeof options !== 'object') throw new QuireError('bad-request', 'The join options must be an object.');
  const secret = (options as { session?: unknown }).session;
  if (secret === undefined) return `connection:${connection.id}`;
  if (typeof secret !== 'string' || !SESSION_SECRET.test(secret)) {
    throw new QuireError('bad-request', 'The session must be 16 to 128 characters of A-Z a-z 0-9 _ -.');
  }
  return createHash('sha256').update(secret).digest('hex');
}
