/**
 * DocProvider: keeps a Y.Doc in sync with a Quire server over Socket.IO. Runs in Node and the
 * browser (no DOM dependency).
 *
 * What it guarantees:
 * - every local change is sent, and counted in `unsavedCount` until the server acknowledges it as
 *   durable; after every reconnect the handshake's step 2 carries whatever the server lacks, and
 *   its acknowledgement covers every earlier change;
 * - after every (re)connect it runs the y-protocols handshake both ways, so offline edits flow
 *   in both directions;
 * - `whenSaved()` resolves once everything sent (or queued) before the call is durable;
 * - `destroy()` releases every listener, timer and socket it created.
 */
import { io, type Socket } from 'socket.io-client';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import type { QuireErrorPayload } from '../shared/errors.js';
import { QUIRE_NAMESPACE, type ClientToServerEvents, type JoinReply, type Role, type SaveReply, type ServerToClientEvents } from '../shared/events.js';
import { SYNC_STEP1, SYNC_STEP2, decodeSyncMessage, encodeSyncMessage, encodeUpdateMessage, toBytes } from '../shared/protocol.js';
import * as singleFrameParser from '../shared/socketio-parser.js';
import { TypedEmitter } from './typed-emitter.js';

export type ProviderStatus = 'connecting' | 'connected' | 'synced' | 'disconnected';

export interface DocProviderOptions {
  /** Passed to the server's token verifier, when it has one. */
  readonly token?: string | null;
  readonly awareness?: Awareness;
  /** Connect at once. Default true. */
  readonly connect?: boolean;
  /** Socket.IO transports. Default: polling first, then upgrade to WebSocket. */
  readonly transports?: ('polling' | 'websocket')[];
  /** Origins of Y.Doc updates that are not local edits (for example an IndexedDB persistence). */
  readonly untrackedOrigins?: readonly unknown[];
  /** Socket.IO path on the server. Default /socket.io. */
  readonly path?: string;
  /** Reconnection backoff (jittered exponential). Defaults 500 ms and 10 s. */
  readonly reconnectDelayMs?: number;
  readonly reconnectDelayMaxMs?: number;
}

export interface DocProviderEvents {
  status: [status: ProviderStatus];
  unsaved: [count: number];
  synced: [];
  role: [role: Role];
  error: [error: QuireErrorPayload];
}

/** Join refusals that will not change by trying again. */
const FINAL_JOIN_ERRORS = new Set(['invalid-doc-name', 'not-found', 'forbidden', 'link-revoked', 'doc-deleted']);
/** Refusals of a change after which resending it is pointless. */
const FINAL_CHANGE_ERRORS = new Set(['read-only', 'invalid-update', 'update-too-large', 'doc-too-large', 'bad-request', 'not-joined']);

interface Outstanding {
  readonly kind: 'update' | 'step2';
  /** For updates: the change itself, resent after a reconnect. */
  readonly update: Uint8Array | null;
}

interface SaveWaiter {
  readonly upTo: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class DocProvider extends TypedEmitter<DocProviderEvents> {
  readonly doc: Y.Doc;
  readonly docName: string;
  readonly awareness: Awareness;
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly token: string | null;
  private readonly untracked: ReadonlySet<unknown>;
  private readonly ownsAwareness: boolean;

  private _status: ProviderStatus = 'disconnected';
  private _role: Role | null = null;
  private _lastError: QuireErrorPayload | null = null;
  private joined = false;
  /**
   * True once this connection's step 2 is out. Changes wait until then: sent earlier they could
   * reach a server that lacks what they build on (a restarted server, another node).
   */
  private handshakeSent = false;
  private stopped = false;
  private destroyed = false;
  private nextSeq = 1;
  private readonly outstanding = new Map<number, Outstanding>();
  /** Sequence numbers of updates not yet sent on the current connection. */
  private unsent: number[] = [];
  private refusedUpTo = 0;
  private refusal: QuireErrorPayload | null = null;
  private saveWaiters: SaveWaiter[] = [];
  private syncWaiters: Array<() => void> = [];
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private resendTimer: ReturnType<typeof setTimeout> | null = null;
  private resendAttempts = 0;

  constructor(url: string, docName: string, doc: Y.Doc, options: DocProviderOptions = {}) {
    super();
    this.doc = doc;
    this.docName = docName;
    this.token = options.token ?? null;
    this.untracked = new Set(options.untrackedOrigins ?? []);
    this.ownsAwareness = options.awareness === undefined;
    this.awareness = options.awareness ?? new Awareness(doc);
    const base = url.replace(/\/+$/, '');
    this.socket = io(base + QUIRE_NAMESPACE, {
      forceNew: true,
      parser: singleFrameParser,
      autoConnect: false,
      path: options.path ?? '/socket.io',
      transports: options.transports ?? ['polling', 'websocket'],
      reconnectionDelay: options.reconnectDelayMs ?? 500,
      reconnectionDelayMax: options.reconnectDelayMaxMs ?? 10_000,
      randomizationFactor: 0.5,
    });
    this.socket.on('connect', this.onConnect);
    this.socket.on('disconnect', this.onDisconnect);
    this.socket.on('sync', this.onSyncMessage);
    this.socket.on('awareness', this.onAwarenessMessage);
    this.socket.on('quire-error', this.onServerError);
    this.socket.on('kicked', this.onKicked);
    this.socket.io.on('reconnect_attempt', this.onReconnectAttempt);
    doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
    if (options.connect ?? true) this.connect();
  }

  get status(): ProviderStatus {
    return this._status;
  }

  /** The role the server granted, once joined. */
  get role(): Role | null {
    return this._role;
  }

  get lastError(): QuireErrorPayload | null {
    return this._lastError;
  }

  /** Local changes the server has not yet acknowledged as durable. */
  get unsavedCount(): number {
    let count = 0;
    for (const entry of this.outstanding.values()) if (entry.kind === 'update') count++;
    return count;
  }

  /** Resolves after the next completed handshake (at once when synced now). */
  whenSynced(): Promise<void> {
    if (this._status === 'synced') return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /**
   * Resolves once every change made or sent before this call is durable on the server. Rejects
   * when the server refused one of them for good (the error says why).
   */
  whenSaved(): Promise<void> {
    const upTo = this.nextSeq - 1;
    return new Promise((resolve, reject) => {
      this.saveWaiters.push({ upTo, resolve, reject });
      this.checkSaveWaiters();
    });
  }

  connect(): void {
    if (this.destroyed) throw new RangeError('This provider was destroyed; create a new one to connect again.');
    this.stopped = false;
    if (this.socket.connected) return;
    this.setStatus('connecting');
    this.socket.connect();
  }

  disconnect(): void {
    this.stopped = true;
    this.clearRetry();
    if (this.joined) this.socket.emit('leave', this.docName);
    this.socket.disconnect();
    this.afterDisconnect();
  }

  destroy(): void {
    if (this.destroyed) return;
    if (this.joined && this.awareness.getLocalState() !== null) {
      // Tell the others at once that we left, rather than waiting for the server to notice.
      removeAwarenessStates(this.awareness, [this.doc.clientID], 'destroy');
      this.socket.emit('awareness', this.docName, encodeAwarenessUpdate(this.awareness, [this.doc.clientID]));
    }
    this.disconnect();
    this.destroyed = true;
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    if (this.ownsAwareness) this.awareness.destroy();
    this.socket.off();
    this.socket.io.off('reconnect_attempt', this.onReconnectAttempt);
    for (const waiter of this.saveWaiters) waiter.reject(new Error('The provider was destroyed before its changes were saved.'));
    this.saveWaiters = [];
    this.syncWaiters = [];
    this.removeAllListeners();
  }

  private readonly onConnect = (): void => {
    this.setStatus('connecting');
    this.socket.emit('join', this.docName, this.token, this.onJoinReply);
  };

  private readonly onJoinReply = (reply: JoinReply): void => {
    if (this.stopped || !this.socket.connected) return;
    if (!reply.ok) {
      this.reportError(reply.error);
      if (FINAL_JOIN_ERRORS.has(reply.error.code)) this.stopForGood();
      else this.retryJoinLater();
      return;
    }
    // When we dropped, the server removed our presence with our clock + 1; everyone ignores a
    // state whose clock is not above that, so step past it before announcing ourselves again.
    const localState = this.awareness.getLocalState();
    if (localState !== null) {
      this.awareness.setLocalState(localState);
      this.awareness.setLocalState(localState);
    }
    this.joined = true;
    if (this._role !== reply.role) {
      this._role = reply.role;
      this.emit('role', reply.role);
    }
    if (reply.role === 'view') this.dropLocalChanges();
    this.setStatus('connected');
    this.socket.emit('sync', this.docName, encodeSyncMessage(SYNC_STEP1, Y.encodeStateVector(this.doc)));
    if (this.awareness.getLocalState() !== null) {
      this.socket.emit('awareness', this.docName, encodeAwarenessUpdate(this.awareness, [this.doc.clientID]));
    }
    // Changes never acknowledged travel in our step 2, sent once the server's step 1 arrives.
  };

  private readonly onDisconnect = (): void => {
    this.afterDisconnect();
  };

  private readonly onReconnectAttempt = (): void => {
    if (!this.stopped) this.setStatus('connecting');
  };

  private readonly onSyncMessage = (doc: string, message: unknown): void => {
    if (doc !== this.docName || !this.joined) return;
    const bytes = toBytes(message);
    const decoded = bytes === null ? null : decodeSyncMessage(bytes);
    if (decoded === null) return;
    if (decoded.type === SYNC_STEP1) {
      if (this._role !== 'edit') return;
      const seq = this.nextSeq++;
      this.outstanding.set(seq, { kind: 'step2', update: null });
      // Step 2 carries everything the server lacks, so its ack covers every earlier change.
      const step2 = encodeSyncMessage(SYNC_STEP2, Y.encodeStateAsUpdate(this.doc, decoded.payload));
      this.socket.emit('sync', this.docName, step2, (reply: SaveReply) => this.onStep2Saved(seq, reply));
      this.unsent = [];
      this.handshakeSent = true;
      return;
    }
    try {
      Y.applyUpdate(this.doc, decoded.payload, this);
    } catch {
      return;
    }
    if (decoded.type === SYNC_STEP2) {
      this.setStatus('synced');
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const wake of waiters) wake();
      this.emit('synced');
    }
  };

  private readonly onAwarenessMessage = (doc: string, update: unknown): void => {
    if (doc !== this.docName) return;
    const bytes = toBytes(update);
    if (bytes === null) return;
    try {
      applyAwarenessUpdate(this.awareness, bytes, this);
    } catch {
      // A malformed awareness update from the server is ignored.
    }
  };

  private readonly onServerError = (error: QuireErrorPayload): void => {
    if (error.doc !== undefined && error.doc !== this.docName) return;
    this.reportError(error);
  };

  private readonly onKicked = (doc: string, error: QuireErrorPayload): void => {
    if (doc !== this.docName) return;
    this.reportError(error);
    this.stopForGood();
  };

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this || this.untracked.has(origin) || this._role === 'view') return;
    const seq = this.nextSeq++;
    this.outstanding.set(seq, { kind: 'update', update });
    this.unsent.push(seq);
    this.emit('unsaved', this.unsavedCount);
    // Changes made in one synchronous run (a paste, an import loop) leave as one message.
    if (this.joined && this.handshakeSent && this.unsent.length === 1) queueMicrotask(this.flushUnsent);
  };

  private readonly flushUnsent = (): void => {
    if (!this.joined || !this.handshakeSent) return;
    const seqs = this.unsent;
    this.unsent = [];
    this.sendUpdates(seqs);
  };

  private readonly onAwarenessUpdate = (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    if (origin === this || !this.joined) return;
    const changed = [...change.added, ...change.updated, ...change.removed].filter((id) => id === this.doc.clientID);
    if (changed.length === 0) return;
    this.socket.emit('awareness', this.docName, encodeAwarenessUpdate(this.awareness, changed));
  };

  /** Sends the given outstanding updates as one message (merged when there are several). */
  private sendUpdates(seqs: number[]): void {
    if (seqs.length === 0) return;
    const updates: Uint8Array[] = [];
    for (const seq of seqs) {
      const entry = this.outstanding.get(seq);
      if (entry?.update) updates.push(entry.update);
    }
    if (updates.length === 0) return;
    const update = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
    this.socket.emit('sync', this.docName, encodeUpdateMessage(update), (reply: SaveReply) => this.onUpdatesSaved(seqs, reply));
  }

  private onUpdatesSaved(seqs: number[], reply: SaveReply): void {
    if (this.destroyed) return;
    if (reply.ok) {
      for (const seq of seqs) this.outstanding.delete(seq);
      this.resendAttempts = 0;
    } else {
      this.reportError(reply.error);
      if (!FINAL_CHANGE_ERRORS.has(reply.error.code)) {
        // Kept, and resent after a pause (with everything else outstanding, so that what it
        // builds on travels with it) and after every reconnect.
        this.scheduleResend();
        return;
      }
      for (const seq of seqs) this.outstanding.delete(seq);
      this.refusedUpTo = Math.max(this.refusedUpTo, ...seqs);
      this.refusal = reply.error;
    }
    this.emit('unsaved', this.unsavedCount);
    this.checkSaveWaiters();
  }

  private onStep2Saved(seq: number, reply: SaveReply): void {
    if (this.destroyed) return;
    if (reply.ok) {
      // Everything in the document when step 2 was encoded is durable now.
      for (const other of this.outstanding.keys()) if (other <= seq) this.outstanding.delete(other);
      this.emit('unsaved', this.unsavedCount);
    } else {
      this.reportError(reply.error);
      // Earlier changes stay outstanding for the next handshake; this step 2 is done with.
      for (const [other, entry] of this.outstanding) if (entry.kind === 'step2' && other <= seq) this.outstanding.delete(other);
      if (FINAL_CHANGE_ERRORS.has(reply.error.code)) {
        this.refusedUpTo = Math.max(this.refusedUpTo, seq);
        this.refusal = reply.error;
      }
    }
    this.checkSaveWaiters();
  }

  private scheduleResend(): void {
    if (this.resendTimer !== null) return;
    const delay = Math.min(30_000, 500 * 2 ** this.resendAttempts) * (0.5 + Math.random());
    this.resendAttempts++;
    this.resendTimer = setTimeout(() => {
      this.resendTimer = null;
      if (!this.joined || !this.handshakeSent || this.destroyed) return;
      const seqs: number[] = [];
      for (const [seq, entry] of this.outstanding) if (entry.kind === 'update') seqs.push(seq);
      this.unsent = [];
      this.sendUpdates(seqs);
    }, delay);
  }

  private checkSaveWaiters(): void {
    if (this.saveWaiters.length === 0) return;
    let lowest = Infinity;
    for (const seq of this.outstanding.keys()) lowest = Math.min(lowest, seq);
    const still: SaveWaiter[] = [];
    for (const waiter of this.saveWaiters) {
      if (lowest <= waiter.upTo) still.push(waiter);
      else if (this.refusal !== null && this.refusedUpTo > 0 && this.refusedUpTo <= waiter.upTo) {
        waiter.reject(new Error(`The server refused a change: ${this.refusal.message} (${this.refusal.code})`));
      } else waiter.resolve();
    }
    this.saveWaiters = still;
  }

  private dropLocalChanges(): void {
    for (const [seq, entry] of this.outstanding) if (entry.kind === 'update') this.outstanding.delete(seq);
    this.unsent = [];
    this.emit('unsaved', 0);
    this.checkSaveWaiters();
  }

  private afterDisconnect(): void {
    this.joined = false;
    this.handshakeSent = false;
    this.clearRetry();
    // Remote presence is stale once we are disconnected; keep only our own state.
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
    if (others.length > 0) removeAwarenessStates(this.awareness, others, this);
    this.setStatus('disconnected');
  }

  private retryJoinLater(): void {
    this.clearRetry();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped && this.socket.connected && !this.joined) this.onConnect();
    }, 1000 + Math.random() * 1000);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.resendTimer !== null) clearTimeout(this.resendTimer);
    this.resendTimer = null;
  }

  private stopForGood(): void {
    this.stopped = true;
    this.joined = false;
    this.handshakeSent = false;
    this.socket.disconnect();
    this.afterDisconnect();
  }

  private reportError(error: QuireErrorPayload): void {
    this._lastError = error;
    this.emit('error', error);
  }

  private setStatus(status: ProviderStatus): void {
    if (this._status === status) return;
    this._status = status;
    this.emit('status', status);
  }
}
