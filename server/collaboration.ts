/**
 * The transport-agnostic heart of the server: joins, leaves, sync and awareness messages of every
 * connection, checked and routed to rooms. Transports decode their framing, call these methods
 * with plain values, and deliver the replies.
 */
import { parseDocName } from '../shared/doc-id.js';
import { QuireError, type QuireErrorPayload } from '../shared/errors.js';
import type { JoinReply, Role, SaveReply } from '../shared/events.js';
import type { Limits } from '../shared/limits.js';
import { SYNC_STEP1, decodeSyncMessage } from '../shared/protocol.js';
import type { DocStore } from '../storage/doc-store.js';
import { docTag, viewTokenTag, type Connection } from './connection.js';
import { Member } from './room.js';
import { TokenBucket } from './token-bucket.js';
import type { RoomRegistry } from './room-registry.js';

/**
 * An operator's authentication hook. Called for joins by document id; returns the role to grant,
 * or null to refuse. Without one, knowing a document id grants `edit`.
 */
export type TokenVerifier = (request: { docId: string; token: string | null; connection: Connection }) => Promise<Role | null> | Role | null;

export interface CollaborationOptions {
  readonly registry: RoomRegistry;
  readonly store: DocStore;
  readonly limits: Limits;
  /** Compact a document's storage once this many log entries have accumulated. */
  readonly compactAfterEntries: number;
  readonly verifyToken?: TokenVerifier;
  /** Called for every refusal sent to a client, for logs and metrics. */
  readonly onClientError?: (connection: Connection, error: QuireErrorPayload) => void;
  readonly onInternalError?: (what: string, error: unknown) => void;
  /** Called once per accepted change (step 2 or update) with its size. */
  readonly onUpdateReceived?: (bytes: number) => void;
  /** Per-connection rate limits on document changes and awareness messages. */
  readonly rateLimit?: RateLimitOptions;
  /** A connection that has joined nothing this long after opening is closed. Default 10 s; 0 = never. */
  readonly joinTimeoutMs?: number;
}

export interface RateLimitOptions {
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
  readonly bytesPerSecond: number;
  readonly byteBurst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  messagesPerSecond: 200,
  messageBurst: 2000,
  bytesPerSecond: 2 * 1024 * 1024,
  byteBurst: 16 * 1024 * 1024,
};

interface ConnectionState {
  readonly members: Map<string, Member>;
  /** Joins in flight, by name, so a repeated join waits for the first. */
  readonly joining: Map<string, Promise<JoinReply>>;
  readonly messages: TokenBucket;
  readonly bytes: TokenBucket;
  joinTimer: ReturnType<typeof setTimeout> | null;
  closed: boolean;
}

export class Collaboration {
  private readonly options: CollaborationOptions;
  private readonly connections = new Map<Connection, ConnectionState>();

  constructor(options: CollaborationOptions) {
    this.options = options;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Registers a new connection. */
  open(connection: Connection): void {
    const rate = this.options.rateLimit ?? DEFAULT_RATE_LIMIT;
    const state: ConnectionState = {
      members: new Map(),
      joining: new Map(),
      messages: new TokenBucket(rate.messagesPerSecond, rate.messageBurst),
      bytes: new TokenBucket(rate.bytesPerSecond, rate.byteBurst),
      joinTimer: null,
      closed: false,
    };
    const timeout = this.options.joinTimeoutMs ?? 10_000;
    if (timeout > 0) {
      state.joinTimer = setTimeout(() => {
        state.joinTimer = null;
        if (state.members.size > 0 || state.joining.size > 0 || state.closed) return;
        this.reportError(connection, new QuireError('bad-request', `No document was joined within ${timeout} ms; closing the connection.`));
        connection.close();
      }, timeout);
    }
    this.connections.set(connection, state);
  }

  /** Refuses joins of a document while it is being deleted. */
  readonly deleting = new Set<string>();

  /** The documents a connection has joined (their names), for tests and diagnostics. */
  joinedNames(connection: Connection): string[] {
    return [...(this.connections.get(connection)?.members.keys() ?? [])];
  }

  /** Number of connections in a document on this node. */
  presentCount(docId: string): number {
    return this.options.registry.peek(docId)?.memberCount ?? 0;
  }

  /**
   * Joins a document. `respond` receives the reply; on success the handshake (the server's step 1
   * and the current presence) is sent right after it, in that order.
   */
  async join(connection: Connection, name: unknown, token: unknown, respond: (reply: JoinReply) => void): Promise<void> {
    const state = this.connections.get(connection);
    if (state === undefined || state.closed) {
      respond(refusal(new QuireError('bad-request', 'The connection is closed.')));
      return;
    }
    if (typeof name === 'string') {
      const existing = state.members.get(name);
      if (existing) {
        respond({ ok: true, role: existing.role });
        return;
      }
      const inFlight = state.joining.get(name);
      if (inFlight) {
        respond(await inFlight);
        return;
      }
    }
    const joined = this.joinOnce(connection, state, name, token);
    if (typeof name === 'string') {
      state.joining.set(name, joined.then((result) => result.reply));
    }
    const result = await joined;
    if (typeof name === 'string') state.joining.delete(name);
    respond(result.reply);
    if (result.member && state.members.get(result.member.name) === result.member) {
      this.options.registry.peek(result.member.docId)?.addMember(result.member);
    }
  }

  leave(connection: Connection, name: unknown): void {
    const state = this.connections.get(connection);
    if (state === undefined || typeof name !== 'string') return;
    const member = state.members.get(name);
    if (member === undefined) return;
    this.removeMember(state, member);
  }

  /** Handles a sync message; the returned promise resolves to the reply for its ack. */
  async sync(connection: Connection, name: unknown, message: Uint8Array | null): Promise<SaveReply> {
    try {
      const member = this.memberFor(connection, name);
      if (message === null) throw new QuireError('bad-request', 'A sync message must be binary (a Uint8Array).');
      if (message.length > this.options.limits.maxUpdateBytes) {
        throw new QuireError('update-too-large', `Updates are limited to ${this.options.limits.maxUpdateBytes} bytes; this one has ${message.length}.`);
      }
      const state = this.connections.get(connection);
      if (state && !(state.messages.take(1) && state.bytes.take(message.length))) {
        throw new QuireError('rate-limited', 'Too many changes too fast from this connection; slow down and resend.');
      }
      const decoded = decodeSyncMessage(message);
      if (decoded === null) throw new QuireError('invalid-update', 'The bytes are not a y-protocols sync message.');
      const room = this.options.registry.peek(member.docId);
      if (room === undefined) throw new QuireError('not-joined', 'The document is not loaded.');
      if (decoded.type === SYNC_STEP1) {
        room.answerStep1(member, decoded.payload);
        return { ok: true };
      }
      await room.applyClientChange(member, decoded.payload);
      this.options.onUpdateReceived?.(decoded.payload.length);
      if (room.logEntries >= this.options.compactAfterEntries) void this.options.registry.scheduleCompaction(room.docId);
      return { ok: true };
    } catch (error) {
      return refusal(this.toQuireError(error), connection, this.options.onClientError, typeof name === 'string' ? name : undefined);
    }
  }

  awareness(connection: Connection, name: unknown, update: Uint8Array | null): void {
    try {
      const member = this.memberFor(connection, name);
      if (update === null) throw new QuireError('bad-request', 'An awareness update must be binary (a Uint8Array).');
      const state = this.connections.get(connection);
      if (state && !state.messages.take(1)) throw new QuireError('rate-limited', 'Too many awareness updates too fast from this connection.');
      const room = this.options.registry.peek(member.docId);
      if (room === undefined) throw new QuireError('not-joined', 'The document is not loaded.');
      room.applyClientAwareness(member, update);
    } catch (error) {
      this.reportError(connection, this.toQuireError(error), typeof name === 'string' ? name : undefined);
    }
  }

  /** Sends a typed error to one connection (refusals that have no ack to travel in). */
  reportError(connection: Connection, error: QuireError, doc?: string): void {
    const payload = error.toPayload(doc);
    this.options.onClientError?.(connection, payload);
    connection.sendError(payload);
  }

  /** Forgets a connection: leaves every room it was in. */
  close(connection: Connection): void {
    const state = this.connections.get(connection);
    if (state === undefined) return;
    state.closed = true;
    if (state.joinTimer !== null) clearTimeout(state.joinTimer);
    for (const member of [...state.members.values()]) this.removeMember(state, member);
    this.connections.delete(connection);
  }

  private async joinOnce(connection: Connection, state: ConnectionState, name: unknown, token: unknown): Promise<{ reply: JoinReply; member?: Member }> {
    try {
      const parsed = parseDocName(name);
      if (parsed === null || typeof name !== 'string') {
        throw new QuireError('invalid-doc-name', 'The document name is neither a document id (16–64 of A–Z a–z 0–9 _ -) nor a view key.');
      }
      if (token !== null && token !== undefined && (typeof token !== 'string' || token.length > 4096)) {
        throw new QuireError('bad-request', 'The token must be a string of at most 4096 characters, or null.');
      }
      // This join is not counted in `joining` yet.
      if (state.members.size + state.joining.size >= this.options.limits.maxDocsPerConnection) {
        throw new QuireError('too-many-docs', `A connection may join at most ${this.options.limits.maxDocsPerConnection} documents.`);
      }
      let docId: string;
      let role: Role;
      let viewToken: string | null = null;
      if (parsed.kind === 'view') {
        const resolved = await this.options.store.resolveViewToken(parsed.token);
        if (resolved === null) throw new QuireError('link-revoked', 'This view link does not exist or was regenerated.');
        docId = resolved;
        role = 'view';
        viewToken = parsed.token;
      } else {
        docId = parsed.docId;
        const granted = this.options.verifyToken
          ? await this.options.verifyToken({ docId, token: typeof token === 'string' ? token : null, connection })
          : 'edit';
        if (granted === null) throw new QuireError('forbidden', 'The token does not grant access to this document.');
        role = granted;
      }
      if (this.deleting.has(docId)) throw new QuireError('doc-deleted', 'This document is being deleted.');
      await this.options.registry.acquire(docId);
      if (state.closed) {
        this.options.registry.release(docId);
        throw new QuireError('bad-request', 'The connection closed while joining.');
      }
      const member = new Member(connection, docId, name, role, viewToken);
      state.members.set(name, member);
      connection.addTag(docTag(docId));
      if (viewToken !== null) connection.addTag(viewTokenTag(viewToken));
      return { reply: { ok: true, role }, member };
    } catch (error) {
      return { reply: refusal(this.toQuireError(error), connection, this.options.onClientError, typeof name === 'string' ? name : undefined) };
    }
  }

  private memberFor(connection: Connection, name: unknown): Member {
    const member = typeof name === 'string' ? this.connections.get(connection)?.members.get(name) : undefined;
    if (member === undefined) throw new QuireError('not-joined', 'Join the document before sending messages for it.');
    return member;
  }

  private removeMember(state: ConnectionState, member: Member): void {
    state.members.delete(member.name);
    if (member.viewToken !== null) member.connection.removeTag(viewTokenTag(member.viewToken));
    let stillInDoc = false;
    for (const other of state.members.values()) if (other.docId === member.docId) stillInDoc = true;
    if (!stillInDoc) member.connection.removeTag(docTag(member.docId));
    const docId = member.docId;
    const room = this.options.registry.peek(docId);
    room?.removeMember(member);
    this.options.registry.release(docId);
  }

  private toQuireError(error: unknown): QuireError {
    if (error instanceof QuireError) return error;
    this.options.onInternalError?.('message', error);
    return new QuireError('internal', 'The server failed to handle the message.');
  }
}

function refusal(error: QuireError, connection?: Connection, report?: (c: Connection, e: QuireErrorPayload) => void, doc?: string): { ok: false; error: QuireErrorPayload } {
  const payload = error.toPayload(doc);
  if (connection && report) report(connection, payload);
  return { ok: false, error: payload };
}
