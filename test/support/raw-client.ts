/**
 * A bare Socket.IO client on the collaboration namespace, for tests that speak the wire protocol
 * directly. It can send anything (wrong types, unknown events, garbage bytes, raw Socket.IO
 * packets) and records every event the server sends it, in arrival order. `MirrorDoc` adds an
 * honest peer on top: a Y.Doc and an Awareness fed only by what the server sends.
 */
import * as singleFrameParser from '../../shared/socketio-parser/parser.js';
import { io, type Socket } from 'socket.io-client';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate } from 'y-protocols/awareness';
import { isQuireErrorPayload, type QuireErrorPayload } from '../../shared/errors.js';
import { QUIRE_NAMESPACE, type JoinReply, type SaveReply } from '../../shared/events.js';
import { SYNC_STEP1, SYNC_STEP2, decodeSyncMessage, encodeSyncMessage, encodeUpdateMessage, toBytes } from '../../shared/protocol.js';

/** One event the server sent, with its arguments as they arrived. */
export interface ReceivedEvent {
  readonly event: string;
  readonly args: readonly unknown[];
}

/** How the server answered a message: through its ack, a `quire-error` event, or by disconnecting. */
export type Outcome =
  | { readonly via: 'ack'; readonly reply: unknown }
  | { readonly via: 'error'; readonly error: QuireErrorPayload }
  | { readonly via: 'disconnect'; readonly reason: string };

const DEFAULT_TIMEOUT_MS = 5000;

export class RawClient {
  /** Untyped on purpose: these tests send what the typed event map forbids. */
  readonly socket: Socket;
  /** Every event received since connecting, in order. */
  readonly received: ReceivedEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private disconnectReason: string | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.onAny((event: string, ...args: unknown[]) => {
      this.received.push({ event, args });
      this.wake();
    });
    socket.on('disconnect', (reason: string) => {
      this.disconnectReason = reason;
      this.wake();
    });
  }

  /** Connects over WebSocket (no reconnection) and resolves once the namespace is joined. */
  /** Connects; `headers` go with the WebSocket's opening request (say, `x-forwarded-for`). */
  static async connect(url: string, timeoutMs = DEFAULT_TIMEOUT_MS, headers: Readonly<Record<string, string>> = {}): Promise<RawClient> {
    const socket = io(url.replace(/\/+$/, '') + QUIRE_NAMESPACE, { transports: ['websocket'], forceNew: true, reconnection: false, parser: singleFrameParser, extraHeaders: { ...headers } });
    const client = new RawClient(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.disconnect();
        reject(new Error(`The raw client did not connect to ${url} within ${timeoutMs} ms.`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('connect_error', (error: Error) => {
        clearTimeout(timer);
        socket.disconnect();
        reject(error);
      });
    });
    return client;
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Why the server dropped the connection, or null while it is open. */
  get disconnectedBecause(): string | null {
    return this.disconnectReason;
  }

  /** Events received from index `since` on, optionally only those named `event`. */
  eventsSince(since: number, event?: string): ReceivedEvent[] {
    const slice = this.received.slice(since);
    return event === undefined ? slice : slice.filter((e) => e.event === event);
  }

  /** The `quire-error` payloads received from index `since` on. */
  errorsSince(since = 0): QuireErrorPayload[] {
    return this.eventsSince(since, 'quire-error').map((e) => e.args[0]).filter(isQuireErrorPayload);
  }

  /** Joins a document; resolves with the server's reply. */
  async join(name: unknown, token: unknown = null): Promise<JoinReply> {
    const outcome = await this.request('join', [name, token]);
    if (outcome.via !== 'ack') throw new Error(`Join of ${String(name).slice(0, 40)} got no reply but ${describeOutcome(outcome)}.`);
    return outcome.reply as JoinReply;
  }

  /** Sends a sync message with an ack; resolves with the server's reply. */
  async sync(docName: string, message: Uint8Array): Promise<SaveReply> {
    const outcome = await this.request('sync', [docName, message]);
    if (outcome.via !== 'ack') throw new Error(`A sync message got no ack but ${describeOutcome(outcome)}.`);
    return outcome.reply as SaveReply;
  }

  /**
   * Emits an event with an ack and resolves with the ack's argument; rejects after `timeoutMs`.
   * Unlike `request`, many of these may be in flight at once.
   */
  async ack(event: string, args: readonly unknown[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<unknown> {
    const reply: unknown = await this.socket.timeout(timeoutMs).emitWithAck(event, ...args);
    return reply;
  }

  /** Emits an event exactly as given, without an ack. */
  emitRaw(event: string, ...args: unknown[]): void {
    this.socket.emit(event, ...args);
  }

  /**
   * Emits an event and resolves with the first answer: the ack (when `withAck`), a new
   * `quire-error`, or the connection closing. Rejects after `timeoutMs` without an answer.
   */
  request(event: string, args: readonly unknown[], options: { withAck?: boolean; timeoutMs?: number } = {}): Promise<Outcome> {
    const withAck = options.withAck ?? true;
    return this.outcomeOf(
      (ack) => {
        if (withAck) this.socket.emit(event, ...args, ack);
        else this.socket.emit(event, ...args);
      },
      `an answer to ${event}`,
      options.timeoutMs,
    );
  }

  /**
   * Runs `send` (which may pass `ack` as a Socket.IO ack) and resolves with the first answer: the
   * ack, a `quire-error` received after `send` started, or the connection closing.
   */
  outcomeOf(send: (ack: (reply: unknown) => void) => void, what: string, timeoutMs?: number): Promise<Outcome> {
    const start = this.received.length;
    return this.until<Outcome>(
      () => {
        const error = this.errorsSince(start)[0];
        if (error !== undefined) return { via: 'error', error };
        if (this.disconnectReason !== null) return { via: 'disconnect', reason: this.disconnectReason };
        return null;
      },
      what,
      timeoutMs,
      (settle) => send((reply) => settle({ via: 'ack', reply })),
    );
  }

  /** Writes one raw engine.io message (a Socket.IO packet as text), bypassing the Socket.IO encoder. */
  writeRawPacket(packet: string): void {
    this.socket.io.engine.write(packet);
  }

  /** Resolves once `check` holds, re-checking on every event received; rejects after `timeoutMs`. */
  waitFor(what: string, check: () => boolean, timeoutMs?: number): Promise<void> {
    return this.until(() => (check() ? true : null), what, timeoutMs).then(() => undefined);
  }

  /** Closes the connection and waits until the engine has shut down. */
  async close(): Promise<void> {
    const engine = this.socket.io.engine;
    const closed = engine === undefined || engine.readyState === 'closed'
      ? Promise.resolve()
      : new Promise<void>((resolve) => engine.once('close', () => resolve()));
    this.socket.disconnect();
    this.socket.io.engine?.close();
    await closed;
  }

  private until<T>(check: () => T | null, what: string, timeoutMs = DEFAULT_TIMEOUT_MS, start?: (settle: (value: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (value: T): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.waiters.delete(poll);
        resolve(value);
      };
      const poll = (): void => {
        const value = check();
        if (value !== null) finish(value);
      };
      const timer = setTimeout(() => {
        done = true;
        this.waiters.delete(poll);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`));
      }, timeoutMs);
      this.waiters.add(poll);
      start?.(finish);
      if (!done) poll();
    });
  }

  private wake(): void {
    for (const poll of [...this.waiters]) poll();
  }
}

export function describeOutcome(outcome: Outcome): string {
  if (outcome.via === 'ack') return `ack ${JSON.stringify(outcome.reply)}`;
  if (outcome.via === 'error') return `quire-error ${JSON.stringify(outcome.error)}`;
  return `disconnect (${outcome.reason})`;
}

/** The error code an outcome carries (from an ack refusal or a `quire-error`), or null. */
export function refusalCode(outcome: Outcome): string | null {
  if (outcome.via === 'error') return outcome.error.code;
  if (outcome.via === 'ack') {
    const reply = outcome.reply as { ok?: unknown; error?: unknown } | null;
    if (typeof reply === 'object' && reply !== null && reply.ok === false && isQuireErrorPayload(reply.error)) return reply.error.code;
  }
  return null;
}

/** An awareness update written by hand, so that it can name any client id and clock. */
export function awarenessUpdate(entries: readonly { clientId: number; clock: number; state: unknown }[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    encoding.writeVarString(encoder, JSON.stringify(entry.state));
  }
  return encoding.toUint8Array(encoder);
}

const REMOTE = Symbol('remote');

/**
 * An honest peer on a RawClient: a Y.Doc and an Awareness that apply what the server sends for
 * one document name. Its own edits (made on `doc`) go to the server as update messages; `saved()`
 * resolves when every one of them was acknowledged, and rejects if one was refused.
 */
export class MirrorDoc {
  readonly doc = new Y.Doc();
  readonly awareness: Awareness;
  private readonly client: RawClient;
  private readonly name: string;
  private step2Count = 0;
  private readonly pending: Promise<SaveReply>[] = [];
  private seen = 0;
  /** What the server sent that this honest peer could not use; a healthy server causes none. */
  readonly problems: string[] = [];
  /** How often the server reloaded the document and this mirror joined again (`resync`). */
  resyncs = 0;
  private rejoining: Promise<void> = Promise.resolve();

  constructor(client: RawClient, name: string) {
    this.client = client;
    this.name = name;
    this.awareness = new Awareness(this.doc);
    // A mirror only watches presence; it publishes none of its own.
    this.awareness.setLocalState(null);
    client.socket.on('sync', this.onSync);
    client.socket.on('awareness', this.onAwareness);
    client.socket.on('kicked', this.onKicked);
    this.doc.on('update', this.onLocalUpdate);
    this.seen = client.received.length;
  }

  /** Resolves once a join again after a `resync` (if any is under way) is done. */
  settled(): Promise<void> {
    return this.rejoining;
  }

  /** Asks the server for everything (sync step 1) and resolves once its step 2 was applied. */
  async syncFromServer(): Promise<void> {
    const before = this.step2Count;
    const reply = await this.client.sync(this.name, encodeSyncMessage(SYNC_STEP1, Y.encodeStateVector(this.doc)));
    if (!reply.ok) throw new Error(`Sync step 1 was refused: ${JSON.stringify(reply.error)}`);
    await this.client.waitFor('sync step 2 from the server', () => this.step2Count > before);
  }

  text(name = 't'): string {
    return this.doc.getText(name).toString();
  }

  /** Resolves once every local edit so far is acknowledged as saved. */
  async saved(): Promise<void> {
    const replies = await Promise.all(this.pending);
    for (const reply of replies) if (!reply.ok) throw new Error(`The server refused an honest update: ${JSON.stringify(reply.error)}`);
  }

  /** Number of sync messages the server sent for this document since the mirror was made. */
  get syncMessagesReceived(): number {
    return this.client.eventsSince(this.seen, 'sync').filter((e) => e.args[0] === this.name).length;
  }

  destroy(): void {
    this.client.socket.off('sync', this.onSync);
    this.client.socket.off('awareness', this.onAwareness);
    this.client.socket.off('kicked', this.onKicked);
    this.doc.off('update', this.onLocalUpdate);
    this.awareness.destroy();
    this.doc.destroy();
  }

  /** The server reloaded the document from storage: join again and take what it holds, as a provider does. */
  private readonly onKicked = (docName: unknown, error: unknown): void => {
    if (docName !== this.name || (error as { code?: unknown } | null)?.code !== 'resync') return;
    const resync = ++this.resyncs;
    this.rejoining = this.rejoining.then(async () => {
      const reply = await this.client.join(this.name);
      if (!reply.ok) {
        this.problems.push(`Joining again after a resync was refused: ${JSON.stringify(reply.error)}`);
        return;
      }
      try {
        await this.syncFromServer();
      } catch (error) {
        // The room broke again between this join and its step 1 (garbage still arriving): the
        // member was sent away once more, its step 1 answered `not-joined`, and that resync
        // queued a join of its own behind this one. Anything else is a problem.
        if (this.resyncs === resync) this.problems.push(`Syncing again after a resync failed: ${String(error)}`);
      }
    });
  };

  private readonly onSync = (docName: unknown, message: unknown): void => {
    if (docName !== this.name) return;
    const bytes = toBytes(message);
    const decoded = bytes === null ? null : decodeSyncMessage(bytes);
    if (decoded === null) {
      this.problems.push('The server sent a malformed sync message.');
      return;
    }
    if (decoded.type === SYNC_STEP1) return; // nothing of ours is unsaved
    try {
      Y.applyUpdate(this.doc, decoded.payload, REMOTE);
    } catch (error) {
      this.problems.push(`An update from the server could not be applied: ${String(error)}`);
    }
    if (decoded.type === SYNC_STEP2) this.step2Count++;
  };

  private readonly onAwareness = (docName: unknown, update: unknown): void => {
    if (docName !== this.name) return;
    const bytes = toBytes(update);
    if (bytes === null) {
      this.problems.push('The server sent a non-binary awareness update.');
      return;
    }
    try {
      applyAwarenessUpdate(this.awareness, bytes, REMOTE);
    } catch (error) {
      this.problems.push(`An awareness update from the server could not be applied: ${String(error)}`);
    }
  };

  private readonly onLocalUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === REMOTE) return;
    this.pending.push(this.client.sync(this.name, encodeUpdateMessage(update)));
  };
}
