/**
 * DocProvider: keeps a Y.Doc in sync with a Quire server, over Quire's own WebSocket framing or,
 * where WebSockets do not get through, Socket.IO (see channel/). Runs in Node and the browser (no
 * DOM dependency).
 *
 * What it guarantees:
 * - every local change is sent, and counted in `unsavedCount` until the server acknowledges it as
 *   durable; after every reconnect the handshake's step 2 carries whatever the server lacks, and
 *   its acknowledgement covers every earlier change;
 * - after every (re)connect it runs the y-protocols handshake both ways, so offline edits flow
 *   in both directions;
 * - `whenSaved()` resolves, and `isSaved` turns true, only once the server confirmed that it
 *   durably holds everything in the local document: state vector and delete set (`verify`);
 *   content from an offline copy and changes the server refused count as not saved;
 * - a refused change whose dependencies the server lacks (`missing-dependencies`) heals by itself:
 *   the verification sends the server what it lacks; the same bytes are never resent forever;
 * - a connection that stops answering (no acknowledgement within `ackTimeoutMs`) is dropped and
 *   made again at once;
 * - presence uses the awareness client id, so it goes on when Yjs picks a new document client id;
 * - `destroy()` releases every listener, timer and socket it created.
 */
import NodeWebSocket from 'ws';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import type { QuireErrorPayload } from '../shared/errors.js';
import { mayEdit, type JoinReply, type Role, type SaveReply, type VerifyReply } from '../shared/events.js';
import { SYNC_STEP1, SYNC_STEP2, decodeSyncMessage, encodeSyncMessage } from '../shared/protocol.js';
import type { Channel } from './channel/channel.js';
import { FallbackChannel } from './channel/fallback-channel.js';
import { SocketIoChannel } from './channel/socketio-channel.js';
import { WebSocketChannel, type WebSocketClass } from './channel/websocket-channel.js';
import { SaveLedger } from './save-ledger.js';
import { newSessionSecret } from './session.js';
import { TypedEmitter } from './typed-emitter.js';

export type ProviderStatus = 'connecting' | 'connected' | 'synced' | 'disconnected';

export interface DocProviderOptions {
  /** Passed to the server's `authorize` hook, when it has one. */
  readonly token?: string | null;
  /**
   * This client's session secret (16–128 URL-safe characters): keep it with an offline copy, so
   * that the same client after a reload still owns its Yjs client ids. Default: a new one.
   */
  readonly session?: string;
  readonly awareness?: Awareness;
  /** Connect at once. Default true. */
  readonly connect?: boolean;
  /**
   * What carries the connection: `auto` (default) uses Quire's WebSocket framing and falls back
   * to Socket.IO when WebSockets never get through; the others use only the one named.
   */
  readonly via?: 'auto' | 'websocket' | 'socket.io';
  /** The WebSocket class. Default: the `ws` package's under Node, the platform's in a browser. */
  readonly webSocket?: WebSocketClass;
  /** Socket.IO transports, when Socket.IO carries the connection. Default: polling first, then upgrade to WebSocket. */
  readonly transports?: ('polling' | 'websocket')[];
  /** Origins of Y.Doc updates that are not local edits (for example an IndexedDB persistence). */
  readonly untrackedOrigins?: readonly unknown[];
  /** Socket.IO path on the server. Default /socket.io. */
  readonly path?: string;
  /** Reconnection backoff (jittered exponential). Defaults 500 ms and 10 s. */
  readonly reconnectDelayMs?: number;
  readonly reconnectDelayMaxMs?: number;
  /** A message the server does not acknowledge within this time means a dead connection. Default 8 s. */
  readonly ackTimeoutMs?: number;
}

export interface DocProviderEvents {
  status: [status: ProviderStatus];
  /** The unsaved count or the saved state changed. */
  unsaved: [count: number];
  synced: [];
  role: [role: Role];
  error: [error: QuireErrorPayload];
}

/** Join refusals that will not change by trying again. */
const FINAL_JOIN_ERRORS = new Set(['invalid-doc-name', 'not-found', 'forbidden', 'link-revoked', 'link-expired', 'doc-deleted']);
/** Refusals of a change after which resending it is pointless. */
const FINAL_CHANGE_ERRORS = new Set(['read-only', 'invalid-update', 'invalid-document', 'update-too-large', 'update-too-complex', 'doc-too-large', 'bad-request', 'client-id-not-owned']);
/** How soon after the last acknowledgement the provider asks the server to verify. */
const VERIFY_DELAY_MS = 100;

export class DocProvider extends TypedEmitter<DocProviderEvents> {
  readonly doc: Y.Doc;
  readonly docName: string;
  readonly awareness: Awareness;
  /** The connection to the server. */
  readonly channel: Channel;
  private readonly token: string | null;
  private readonly session: string;
  private readonly untracked: ReadonlySet<unknown>;
  private readonly ownsAwareness: boolean;
  private readonly ackTimeoutMs: number;
  private readonly ledger = new SaveLedger();

  private _status: ProviderStatus = 'disconnected';
  private _role: Role | null = null;
  private _lastError: QuireErrorPayload | null = null;
  private joined = false;
  /**
   * True once this connection's step 2 is out. Changes wait until then: sent earlier they could
   * reach a server that lacks what they build on (a restarted server, another node).
   */
  private handshakeSent = false;
  /**
   * This handshake's step 2 was left out (it would have carried nothing): what the server's step 2
   * brings then still needs a verification before the page is saved (see sendStep2).
   */
  private step2LeftOut = false;
  private stopped = false;
  /**
   * The refusal that stopped this provider for good: doc-deleted (until connect()), or
   * change-not-applied (for as long as it lives: connect() throws).
   */
  private refusedForGood: QuireErrorPayload | null = null;
  private destroyed = false;
  /** Sequence numbers of updates not yet sent on the current connection. */
  private unsent: number[] = [];
  /** Changes from the server not applied yet (see applyReceived). */
  private received: Uint8Array[] = [];
  /** A change was applied in this read (this microtask checkpoint): later ones wait for its end. */
  private readingBurst = false;
  /** A change of this synchronous run was sent; the rest of the run waits for its end (endOfRun). */
  private inRun = false;
  private syncWaiters: Array<() => void> = [];
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private step1Timer: ReturnType<typeof setTimeout> | null = null;
  private resendTimer: ReturnType<typeof setTimeout> | null = null;
  private resendAttempts = 0;
  private verifyTimer: ReturnType<typeof setTimeout> | null = null;
  private verifying = false;
  private verifyForced = false;
  private verifyAttempts = 0;
  /** Messages sent and not acknowledged yet, by when they were sent (for the dead-connection check). */
  private readonly awaiting = new Map<number, number>();
  private awaitCounter = 0;
  private watchdog: ReturnType<typeof setInterval> | null = null;

  constructor(url: string, docName: string, doc: Y.Doc, options: DocProviderOptions = {}) {
    super();
    this.doc = doc;
    this.docName = docName;
    this.token = options.token ?? null;
    this.session = options.session ?? newSessionSecret();
    this.untracked = new Set(options.untrackedOrigins ?? []);
    this.ownsAwareness = options.awareness === undefined;
    this.awareness = options.awareness ?? new Awareness(doc);
    this.ackTimeoutMs = options.ackTimeoutMs ?? 8000;
    this.channel = openChannel(url.replace(/\/+$/, ''), options);
    this.channel.on('connect', this.onConnect);
    this.channel.on('disconnect', this.onDisconnect);
    this.channel.on('sync', this.onSyncMessage);
    this.channel.on('awareness', this.onAwarenessMessage);
    this.channel.on('quire-error', this.onServerError);
    this.channel.on('kicked', this.onKicked);
    this.channel.on('reconnecting', this.onReconnectAttempt);
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
    return this.ledger.unacknowledged;
  }

  /** Whether the server confirmed it durably holds everything in the local document. */
  get isSaved(): boolean {
    return this.ledger.saved;
  }

  /** Resolves after the next completed handshake (at once when synced now). */
  whenSynced(): Promise<void> {
    if (this._status === 'synced') return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /**
   * Resolves once the server confirmed that it durably holds every change made or sent before
   * this call (and everything else the local document holds). Rejects when the server refused
   * one of them for good (the error says why).
   */
  whenSaved(): Promise<void> {
    if (this.refusedForGood !== null) return Promise.reject(this.unsaveable(this.refusedForGood));
    const saved = this.ledger.whenSaved();
    this.scheduleVerify();
    return saved;
  }

  connect(): void {
    if (this.destroyed) throw new RangeError('This provider was destroyed; create a new one to connect again.');
    // Its handshake would carry the change again, and break the room again (see stoppedForGood).
    if (this.refusedForGood?.code === 'change-not-applied') {
      throw new RangeError("This provider's document holds a change the server could not apply (change-not-applied); connecting it again would send that change again. Load the document from the server into a new Y.Doc and provider.");
    }
    this.stopped = false;
    this.refusedForGood = null;
    if (this.channel.connected) return;
    this.setStatus('connecting');
    this.channel.open();
  }

  disconnect(): void {
    this.stopped = true;
    this.clearTimers();
    if (this.joined) this.channel.leave(this.docName);
    this.channel.close();
    this.afterDisconnect();
  }

  /**
   * Drops the connection and makes a new one at once: for when the network came back (the
   * browser's `online` event) or the connection looks dead. Does nothing once disconnected on
   * purpose.
   */
  reconnect(): void {
    if (this.stopped || this.destroyed) return;
    this.channel.restart();
  }

  destroy(): void {
    if (this.destroyed) return;
    const own = this.awareness.clientID;
    if (this.joined && this.awareness.getLocalState() !== null) {
      // Tell the others at once that we left, rather than waiting for the server to notice.
      removeAwarenessStates(this.awareness, [own], 'destroy');
      this.channel.awareness(this.docName, encodeAwarenessUpdate(this.awareness, [own]));
    }
    this.disconnect();
    this.destroyed = true;
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    if (this.ownsAwareness) this.awareness.destroy();
    this.channel.destroy();
    this.ledger.rejectAll(new Error('The provider was destroyed before its changes were saved.'));
    this.syncWaiters = [];
    this.removeAllListeners();
  }

  private readonly onConnect = (): void => {
    this.setStatus('connecting');
    this.channel.join(this.docName, this.token, { session: this.session, clientIds: [this.doc.clientID] }, this.onJoinReply);
    // Our step 1 goes right behind the join (the server answers it once the join is through):
    // synced one round trip sooner.
    this.sendStep1();
  };

  private sendStep1(): void {
    this.channel.sync(this.docName, encodeSyncMessage(SYNC_STEP1, Y.encodeStateVector(this.doc)), this.onStep1Reply);
  }

  /**
   * A step 1 the server refused: a server that answered it before the join was through
   * (`not-joined`) gets it again at once; one refused otherwise (`rate-limited`) is asked again
   * later, while this connection is joined and not synced.
   */
  private readonly onStep1Reply = (reply: SaveReply): void => {
    if (reply.ok || !this.joined || !this.channel.connected || this._status === 'synced') return;
    if (reply.error.code === 'not-joined') return this.sendStep1();
    this.reportError(reply.error);
    if (this.step1Timer !== null) return;
    this.step1Timer = setTimeout(() => {
      this.step1Timer = null;
      if (this.joined && this.channel.connected && this._status !== 'synced') this.sendStep1();
    }, 1000 + Math.random() * 1000);
  };

  private readonly onJoinReply = (reply: JoinReply): void => {
    if (this.stopped || !this.channel.connected) return;
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
    if (reply.role === 'view') {
      this.unsent = [];
      this.ledger.dropUpdates();
      this.emit('unsaved', 0);
    }
    this.setStatus('connected');
    if (this.awareness.getLocalState() !== null) {
      this.channel.awareness(this.docName, encodeAwarenessUpdate(this.awareness, [this.awareness.clientID]));
    }
    // Changes never acknowledged travel in our step 2, sent once the server's step 1 arrives.
  };

  private readonly onDisconnect = (): void => {
    this.afterDisconnect();
  };

  private readonly onReconnectAttempt = (): void => {
    if (!this.stopped) this.setStatus('connecting');
  };

  private readonly onSyncMessage = (docName: string, message: Uint8Array): void => {
    if (docName !== this.docName || !this.joined) return;
    const decoded = decodeSyncMessage(message);
    if (decoded === null) return;
    if (decoded.type === SYNC_STEP1) {
      if (this._role === null || !mayEdit(this._role)) return;
      this.sendStep2(decoded.payload);
      this.unsent = [];
      this.handshakeSent = true;
      return;
    }
    if (decoded.type !== SYNC_STEP2) {
      // The first change of a read is applied at once: on an idle document a change reaches the
      // page's observers without waiting for a microtask. Those that arrive behind it in the same
      // read wait for the end of the read and are applied together (see applyReceived).
      if (this.readingBurst) {
        this.received.push(decoded.payload);
        return;
      }
      this.readingBurst = true;
      queueMicrotask(this.endOfRead);
      applyIgnoringErrors(this.doc, decoded.payload, this);
      return;
    }
    // In the order the server sent them: changes received before the step 2 first.
    this.applyReceived();
    try {
      Y.applyUpdate(this.doc, decoded.payload, this);
    } catch {
      return;
    }
    // Content the server sent may not be durable yet (relayed before stored); without a step 2
    // whose ack waited for it, a verification must confirm it.
    if (this.step2LeftOut && !isEmptyUpdate(decoded.payload)) this.ledger.noteForeign();
    this.step2LeftOut = false;
    this.setStatus('synced');
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const wake of waiters) wake();
    this.emit('synced');
    this.scheduleVerify();
  };

  private readonly endOfRead = (): void => {
    this.readingBurst = false;
    this.applyReceived();
  };

  /**
   * Applies the changes received since the last call in one Yjs transaction: a burst read in one
   * go (a busy document, a catch-up after a stall) costs two transactions' cleanups and rounds of
   * observers (its first change, then the rest) instead of one per change. Runs as a microtask
   * after the messages that arrived together (in Node, `ws` delivers a whole read's messages at
   * once; a browser delivers each message as a task of its own, so there each change is applied
   * alone, at once); a bad change is skipped, the others still apply.
   */
  private readonly applyReceived = (): void => {
    const updates = this.received;
    if (updates.length === 0) return;
    this.received = [];
    if (this.destroyed) return;
    if (updates.length === 1) return applyIgnoringErrors(this.doc, updates[0]!, this);
    try {
      this.doc.transact(() => {
        for (const update of updates) applyIgnoringErrors(this.doc, update, this);
      }, this);
    } catch {
      // An observer of the document threw as the transaction ended (every change was applied):
      // as with a single change, the provider goes on.
    }
  };

  private readonly onAwarenessMessage = (docName: string, update: Uint8Array): void => {
    if (docName !== this.docName) return;
    // Presence may point into changes received before it: those are applied first.
    this.applyReceived();
    try {
      applyAwarenessUpdate(this.awareness, update, this);
    } catch {
      // A malformed awareness update from the server is ignored.
    }
  };

  private readonly onServerError = (error: QuireErrorPayload): void => {
    if (error.docName !== undefined && error.docName !== this.docName) return;
    this.reportError(error);
  };

  private readonly onKicked = (docName: string, error: QuireErrorPayload): void => {
    if (docName !== this.docName) return;
    if (error.code === 'resync') {
      // The server reloaded the document from storage: join again; the handshake carries
      // whatever of ours it lacks.
      this.joined = false;
      this.handshakeSent = false;
      this.setStatus('connecting');
      this.retryJoinLater(50 + Math.random() * 200);
      return;
    }
    this.reportError(error);
    this.stopForGood();
  };

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this || this._role === 'view') return;
    if (this.untracked.has(origin)) {
      // From an offline copy: the server may lack it; only a verification can tell.
      this.ledger.noteForeign();
      this.emit('unsaved', this.unsavedCount);
      this.scheduleVerify();
      return;
    }
    const seq = this.ledger.add('update', update);
    this.unsent.push(seq);
    // The first change of a synchronous run (a keystroke, most often the only one) leaves at once;
    // the rest of the run (a paste done in steps, an import loop) leaves as one message at its end.
    // Listeners hear of the unsaved change once it is on its way: a page's status redraw does not
    // hold the keystroke up.
    if (this.joined && this.handshakeSent && !this.inRun) {
      this.inRun = true;
      queueMicrotask(this.endOfRun);
      const run = this.unsent;
      try {
        this.flushUnsent();
      } catch {
        // This runs inside Yjs's end of the transaction, where a throw would leave the document
        // unable to finish any later transaction. A channel that throws on send (one made from a
        // WebSocket class given in the options) is tried again at the end of the run, outside it,
        // where a throw reaches the caller as it did before.
        this.unsent = [...run, ...this.unsent];
      }
    }
    this.emit('unsaved', this.unsavedCount);
  };

  private readonly endOfRun = (): void => {
    this.inRun = false;
    if (this.unsent.length > 0) this.flushUnsent();
  };

  private readonly flushUnsent = (): void => {
    if (!this.joined || !this.handshakeSent) return;
    const seqs = this.unsent;
    this.unsent = [];
    this.sendUpdates(seqs);
  };

  private readonly onAwarenessUpdate = (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    if (origin === this || !this.joined) return;
    const own = this.awareness.clientID;
    const changed = [...change.added, ...change.updated, ...change.removed].filter((id) => id === own);
    if (changed.length === 0) return;
    this.channel.awareness(this.docName, encodeAwarenessUpdate(this.awareness, changed));
  };

  /**
   * Step 2 carries everything the server lacks, so its ack covers every earlier change. When it
   * would carry nothing (no struct the server lacks, no deletion: a page opening a document it
   * holds nothing of) and the ledger holds no entry its ack would clear, it is not sent, which
   * spares the server and the page a round trip. Saved still means the server durably holds
   * everything the page has: whatever the server's step 2 then brings is verified (onSyncMessage),
   * as the ack of a step 2 would have covered it.
   */
  private sendStep2(serverStateVector: Uint8Array): void {
    const update = Y.encodeStateAsUpdate(this.doc, serverStateVector);
    this.step2LeftOut = isEmptyUpdate(update) && this.ledger.outstanding === 0;
    if (this.step2LeftOut) return;
    const seq = this.ledger.add('step2', null);
    const step2 = encodeSyncMessage(SYNC_STEP2, update);
    const done = this.expectAck();
    this.channel.sync(this.docName, step2, (reply: SaveReply) => {
      done();
      this.onStep2Saved(seq, reply);
    });
  }

  /** Sends the given outstanding updates as one message (merged when there are several). */
  private sendUpdates(seqs: number[]): void {
    const updates: Uint8Array[] = [];
    for (const seq of seqs) {
      const update = this.ledger.update(seq);
      if (update !== null) updates.push(update);
    }
    if (updates.length === 0) return;
    const update = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
    const done = this.expectAck();
    this.channel.syncUpdate(this.docName, update, (reply: SaveReply) => {
      done();
      this.onUpdatesSaved(seqs, reply);
    });
  }

  private onUpdatesSaved(seqs: number[], reply: SaveReply): void {
    if (this.destroyed || this.stoppedForGood(reply)) return;
    if (reply.ok) {
      this.ledger.acknowledge(seqs);
      this.resendAttempts = 0;
    } else if (reply.error.code === 'missing-dependencies') {
      // The server lacks what these build on: the verification finds out what and sends it;
      // these stay outstanding until a step 2 covers them.
      this.reportError(reply.error);
      this.scheduleVerify(0, true);
      return;
    } else if (FINAL_CHANGE_ERRORS.has(reply.error.code)) {
      this.reportError(reply.error);
      this.ledger.refuse(seqs, reply.error);
    } else {
      // Kept, and resent after a pause (with everything else outstanding, so that what it
      // builds on travels with it) and after every reconnect.
      this.reportError(reply.error);
      this.scheduleResend();
      return;
    }
    this.emit('unsaved', this.unsavedCount);
    this.scheduleVerify();
  }

  private onStep2Saved(seq: number, reply: SaveReply): void {
    if (this.destroyed || this.stoppedForGood(reply)) return;
    if (reply.ok) {
      this.ledger.acknowledgeUpTo(seq);
    } else {
      this.reportError(reply.error);
      // Earlier changes stay outstanding for the next handshake; this step 2 is done with.
      if (FINAL_CHANGE_ERRORS.has(reply.error.code)) this.ledger.refuse([seq], reply.error);
      else this.ledger.forgetStep2(seq);
    }
    this.emit('unsaved', this.unsavedCount);
    this.scheduleVerify();
  }

  /**
   * Asks the server, soon, to confirm that it holds everything: when there is news to confirm, or
   * (`force`) when it refused a change for lacking what the change builds on.
   */
  private scheduleVerify(delayMs = VERIFY_DELAY_MS, force = false): void {
    if (force) this.verifyForced = true;
    if (this.verifyTimer !== null || this.verifying || this.destroyed) return;
    // Nothing to confirm now (a page that opened a document and holds nothing of its own): no
    // timer. Whatever later needs confirming schedules one then (an acknowledgement, content from
    // elsewhere, a refusal).
    if (!this.ledger.wantsVerification && this.verifyAttempts === 0 && !this.verifyForced) return;
    this.verifyTimer = setTimeout(() => {
      this.verifyTimer = null;
      this.verify();
    }, delayMs);
  }

  private verify(): void {
    if (!this.joined || !this.handshakeSent || this._role === null || !mayEdit(this._role) || this.destroyed) return;
    if (!this.ledger.wantsVerification && this.verifyAttempts === 0 && !this.verifyForced) return;
    this.verifyForced = false;
    this.verifying = true;
    const mark = this.ledger.verificationMark();
    const done = this.expectAck();
    this.channel.verify(this.docName, Y.encodeSnapshot(Y.snapshot(this.doc)), (reply: VerifyReply) => {
      done();
      this.verifying = false;
      if (this.destroyed) return;
      if (!reply.ok) {
        this.reportError(reply.error);
        this.verifyAttempts++;
        this.scheduleVerify(Math.min(30_000, 500 * 2 ** this.verifyAttempts));
        return;
      }
      if (reply.covered) {
        this.verifyAttempts = 0;
        this.ledger.verified(mark);
        this.emit('unsaved', this.unsavedCount);
        if (this.ledger.wantsVerification) this.scheduleVerify();
        return;
      }
      // The server lacks something: send it everything it lacks, then ask again.
      this.verifyAttempts++;
      this.sendStep2(reply.stateVector);
      if (this.verifyAttempts > 3) this.scheduleVerify(Math.min(30_000, 500 * 2 ** this.verifyAttempts));
    });
  }

  private scheduleResend(): void {
    if (this.resendTimer !== null) return;
    const delay = Math.min(30_000, 500 * 2 ** this.resendAttempts) * (0.5 + Math.random());
    this.resendAttempts++;
    this.resendTimer = setTimeout(() => {
      this.resendTimer = null;
      if (!this.joined || !this.handshakeSent || this.destroyed) return;
      const seqs = this.ledger.pendingUpdates().map(([seq]) => seq);
      this.unsent = [];
      this.sendUpdates(seqs);
    }, delay);
  }

  /**
   * Notes a message that wants an acknowledgement; returns what to call when it comes. One that
   * does not come within `ackTimeoutMs` means the connection is dead though it looks open (a
   * network that went away without closing it): drop it and connect again at once.
   */
  private expectAck(): () => void {
    const id = ++this.awaitCounter;
    this.awaiting.set(id, Date.now());
    if (this.watchdog === null) {
      this.watchdog = setInterval(() => {
        const now = Date.now();
        for (const sentAt of this.awaiting.values()) {
          if (now - sentAt > this.ackTimeoutMs) {
            this.awaiting.clear();
            this.reconnect();
            break;
          }
        }
        if (this.awaiting.size === 0 && this.watchdog !== null) {
          clearInterval(this.watchdog);
          this.watchdog = null;
        }
      }, Math.max(250, this.ackTimeoutMs / 4));
    }
    return () => void this.awaiting.delete(id);
  }

  private afterDisconnect(): void {
    this.joined = false;
    this.handshakeSent = false;
    this.verifying = false;
    this.awaiting.clear();
    this.clearTimers();
    // Remote presence is stale once we are disconnected; keep only our own state.
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.awareness.clientID);
    if (others.length > 0) removeAwarenessStates(this.awareness, others, this);
    this.setStatus('disconnected');
  }

  private retryJoinLater(delayMs = 1000 + Math.random() * 1000): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped && this.channel.connected && !this.joined) this.onConnect();
    }, delayMs);
  }

  private clearTimers(): void {
    for (const timer of [this.retryTimer, this.resendTimer, this.verifyTimer, this.step1Timer]) if (timer !== null) clearTimeout(timer);
    this.retryTimer = null;
    this.step1Timer = null;
    this.resendTimer = null;
    this.verifyTimer = null;
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  /**
   * Refusals after which this provider stops for good: the document was deleted, or a change of
   * this copy could not be applied (`change-not-applied`: its copy no longer fits the server's,
   * and every handshake would carry the change again, each sending the document's members
   * through a resync). The page then empties its copy and offers the server's. Whoever waits for
   * the copy to be saved learns that it never will be: after doc-deleted, until connect() is
   * called again; after change-not-applied, for good, and connect() throws.
   */
  private stoppedForGood(reply: SaveReply): boolean {
    if (reply.ok || (reply.error.code !== 'doc-deleted' && reply.error.code !== 'change-not-applied')) return false;
    this.reportError(reply.error);
    this.stopForGood();
    this.refusedForGood = reply.error;
    this.ledger.rejectAll(this.unsaveable(reply.error));
    return true;
  }

  private unsaveable(error: QuireErrorPayload): Error {
    return new Error(`The server refused this copy for good, so it will not be saved: ${error.message} (${error.code})`);
  }

  private stopForGood(): void {
    this.stopped = true;
    this.joined = false;
    this.handshakeSent = false;
    this.channel.close();
    this.afterDisconnect();
  }

  private reportError(error: QuireErrorPayload): void {
    // Replies to messages that crossed a resync on their way (the server rebuilt the room and
    // dropped this member before reading them): the provider is joining again, and its handshake
    // carries whatever of them the server lacks. Nothing for the page to show.
    if (!this.joined && (error.code === 'not-joined' || error.code === 'resync')) return;
    this._lastError = error;
    this.emit('error', error);
  }

  private setStatus(status: ProviderStatus): void {
    if (this._status === status) return;
    this._status = status;
    this.emit('status', status);
  }
}

/** The channel `options.via` asks for (see DocProviderOptions.via). */
function openChannel(baseUrl: string, options: DocProviderOptions): Channel {
  const backoff = { delayMs: options.reconnectDelayMs ?? 500, delayMaxMs: options.reconnectDelayMaxMs ?? 10_000 };
  const socketIo = () => new SocketIoChannel(baseUrl, { ...backoff, path: options.path, transports: options.transports });
  const via = options.via ?? 'auto';
  if (via === 'socket.io') return socketIo();
  const webSocket = new WebSocketChannel(baseUrl, options.webSocket ?? defaultWebSocket(), backoff);
  return via === 'websocket' ? webSocket : new FallbackChannel(webSocket, socketIo);
}

/**
 * The WebSocket class a provider uses unless told otherwise: the `ws` package's under Node, the
 * platform's in a browser. Node 22 and later have a global WebSocket too (undici's); `ws` is
 * kept because every Node version runs it here and it hands over each message without an event
 * object. (undici's also works, given as `webSocket`: the channel gives up on a socket that errs
 * before it opens, which undici 6 never closes.)
 */
function defaultWebSocket(): WebSocketClass {
  const runsOnNode = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== undefined;
  const platform = (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
  if (runsOnNode || platform === undefined) return NodeWebSocket as unknown as WebSocketClass;
  return platform;
}

/** Whether a Yjs update holds nothing: no structs and an empty delete set. */
function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length === 2 && update[0] === 0 && update[1] === 0;
}

/** Applies a change from the server; one Yjs cannot apply is dropped (the next handshake repairs what it missed). */
function applyIgnoringErrors(doc: Y.Doc, update: Uint8Array, origin: unknown): void {
  try {
    Y.applyUpdate(doc, update, origin);
  } catch {
    // Malformed or not applicable: nothing of it is kept.
  }
}
