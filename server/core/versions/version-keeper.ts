/**
 * The version keeper: takes versions of documents while people edit them, on demand, and before
 * every restore; thins them by the retention policy; restores one as a new change on top.
 *
 * Authorship comes from what the server saw, never from what clients claim: every change a room
 * applies with a member as its origin adds that member's `author` (from its grant) to the
 * document's authors since the last version; a restore adds whoever asked for it. An automatic
 * version is taken once a document has been quiet for `quietMs`, at the latest `maxIntervalMs`
 * after the first change since the last version, and when its room unloads (or the server stops)
 * with changes not in a version yet.
 *
 * In a cluster each node versions the changes its own clients made (bus traffic is not counted).
 */
import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import { QuireError } from '../../../shared/errors.js';
import type { DocStore } from '../../../storage/doc-store.js';
import { DocStatusError } from '../../../storage/store-errors.js';
import type { StoredVersion, VersionKind, VersionRecord } from '../../../storage/version-store.js';
import type { QuireObserver } from '../hooks.js';
import { isMember } from '../member.js';
import type { Room } from '../room.js';
import type { RoomRegistry, RoomWatcher } from '../room-registry.js';
import type { UpdateWriter } from '../update-writer.js';
import { applyVersionContent } from './restore-change.js';
import { versionsToThin } from './retention.js';
import { SYSTEM_CLOCK, type Clock, type VersionPolicy } from './version-policy.js';

/** The origin of a restore's change: relayed to every member, stored and published like any change. */
export const RESTORE_ORIGIN = Symbol('version-restore');

/** At most this many authors are recorded per version (the store's bound). */
const MAX_AUTHORS = 256;

export interface VersionKeeperOptions {
  readonly store: DocStore;
  readonly registry: RoomRegistry;
  readonly writer: UpdateWriter;
  readonly policy: VersionPolicy;
  readonly clock?: Clock;
  readonly observer: Pick<Required<QuireObserver>, 'internalError'>;
}

/** What changed a document since its last version. */
interface Unversioned {
  readonly authors: Set<string>;
  /** When the last change came (performance.now()): the quiet timer checks it when it fires. */
  lastChangeAt: number;
  quietTimer: ReturnType<typeof setTimeout> | null;
  intervalTimer: ReturnType<typeof setTimeout> | null;
}

interface Captured {
  readonly snapshot: Uint8Array;
  readonly authors: string[];
}

export interface RestoreResult {
  readonly restored: string;
  readonly before: string;
}

export class VersionKeeper implements RoomWatcher {
  private readonly options: VersionKeeperOptions;
  private readonly clock: Clock;
  private readonly unversioned = new Map<string, Unversioned>();
  private readonly listeners = new Map<Room, (update: Uint8Array, origin: unknown) => void>();
  /** Versions being written, so that `close` can wait for them. */
  private readonly saving = new Set<Promise<unknown>>();
  private closed = false;

  constructor(options: VersionKeeperOptions) {
    this.options = options;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    options.registry.watch(this);
  }

  /** @internal Starts following a room's changes. */
  roomLoaded(room: Room): void {
    const listener = (_update: Uint8Array, origin: unknown): void => {
      if (isMember(origin)) this.noteChange(room.docName, origin.author);
    };
    room.doc.on('update', listener);
    this.listeners.set(room, listener);
  }

  /** @internal A room goes: what changed since the last version becomes one now. */
  roomUnloading(room: Room): void {
    const listener = this.listeners.get(room);
    if (listener === undefined) return;
    room.doc.off('update', listener);
    this.listeners.delete(room);
    // A retired room's successor keeps following the document.
    const current = this.options.registry.peek(room.docName);
    if (current !== undefined && current !== room) return;
    if (!this.unversioned.has(room.docName)) return;
    this.saveInBackground(room.docName, 'auto', null, this.capture(room.docName, room.doc));
  }

  /** The document's versions, newest first. */
  list(docName: string): Promise<VersionRecord[]> {
    return this.options.store.listVersions(docName);
  }

  /** One version with its snapshot, or null. */
  load(docName: string, versionId: string): Promise<StoredVersion | null> {
    return this.options.store.loadVersion(docName, versionId);
  }

  /** Takes a named version of the document as it is now. */
  async name(docName: string, label: string): Promise<VersionRecord> {
    return this.track(this.takeNow(docName, 'named', label));
  }

  /**
   * Restores a version: first a `before-restore` version of the document as it is, then, in the
   * same instant, one change that makes the document hold the version's content. Resolves once
   * that change is durable (it has been relayed to every open page by then).
   */
  async restore(docName: string, versionId: string, author: string): Promise<RestoreResult> {
    const stored = await this.options.store.loadVersion(docName, versionId);
    if (stored === null) throw new QuireError('not-found', 'This document has no version with this id.');
    const room = await this.options.registry.acquire(docName);
    try {
      if (room.isBroken) throw new QuireError('resync', 'The document is being reloaded from storage; try again in a moment.');
      // Nothing may come between the snapshot of "before" and the restore's change.
      const before = this.capture(docName, room.doc);
      try {
        applyVersionContent(room.doc, stored.snapshot, RESTORE_ORIGIN);
      } catch {
        throw new QuireError('invalid-document', 'This version cannot be read as a document, so it cannot be restored.');
      }
      this.noteChange(docName, author);
      const saved = this.track(this.save(docName, 'before-restore', null, before));
      await this.options.writer.settled(docName);
      return { restored: versionId, before: (await saved).id };
    } finally {
      this.options.registry.release(room);
    }
  }

  /** Takes a version now of every document with changes not in a version yet. */
  async flush(): Promise<void> {
    for (const docName of [...this.unversioned.keys()]) {
      const room = this.options.registry.peek(docName);
      if (room !== undefined) this.saveInBackground(docName, 'auto', null, this.capture(docName, room.doc));
    }
    await this.settled();
  }

  /** Resolves when every version being written is written. */
  async settled(): Promise<void> {
    while (this.saving.size > 0) await Promise.allSettled([...this.saving]);
  }

  /** Stops taking versions; waits for those being written. Call after the rooms are closed. */
  async close(): Promise<void> {
    this.closed = true;
    for (const state of this.unversioned.values()) this.clearTimers(state);
    this.unversioned.clear();
    await this.settled();
  }

  /**
   * Runs inside every change's apply, before it is relayed: it only notes the time. Moving a
   * timer on each change cost more than the rest of the listener (about 45 µs a keystroke in
   * the relay bench); the quiet timer looks at the time when it fires instead.
   */
  private noteChange(docName: string, author: string): void {
    if (this.closed) return;
    let state = this.unversioned.get(docName);
    if (state === undefined) {
      state = { authors: new Set(), lastChangeAt: 0, quietTimer: null, intervalTimer: null };
      this.unversioned.set(docName, state);
    }
    // Armed with the first change of a period, and again after a timer found no room to take a
    // version of (takeAuto).
    if (state.intervalTimer === null) {
      state.intervalTimer = setTimeout(() => this.takeAuto(docName), this.options.policy.maxIntervalMs);
      state.intervalTimer.unref();
    }
    if (state.quietTimer === null) this.armQuietTimer(docName, state, this.options.policy.quietMs);
    state.authors.add(author);
    state.lastChangeAt = performance.now();
  }

  private armQuietTimer(docName: string, state: Unversioned, delayMs: number): void {
    state.quietTimer = setTimeout(() => {
      state.quietTimer = null;
      if (this.unversioned.get(docName) !== state) return;
      const quietFor = performance.now() - state.lastChangeAt;
      // Changed since the timer was set: wait out the rest of the quiet period from that change.
      if (quietFor < this.options.policy.quietMs) this.armQuietTimer(docName, state, this.options.policy.quietMs - quietFor);
      else this.takeAuto(docName);
    }, delayMs);
    state.quietTimer.unref();
  }

  private takeAuto(docName: string): void {
    const room = this.options.registry.peek(docName);
    // An unloaded room took its version as it went. One being rebuilt has none to give: the
    // changes stay noted, and the next change arms the timers again.
    if (room === undefined || room.isBroken) {
      const state = this.unversioned.get(docName);
      if (state !== undefined) this.clearTimers(state);
      return;
    }
    this.saveInBackground(docName, 'auto', null, this.capture(docName, room.doc));
  }

  /** The document's state and its authors since the last version; starts a new period. */
  private capture(docName: string, doc: Y.Doc): Captured {
    const state = this.unversioned.get(docName);
    if (state !== undefined) this.clearTimers(state);
    this.unversioned.delete(docName);
    return { snapshot: Y.encodeStateAsUpdate(doc), authors: [...(state?.authors ?? [])].slice(0, MAX_AUTHORS) };
  }

  /** A version of the document as it is now: from its room when loaded, else from storage. */
  private async takeNow(docName: string, kind: VersionKind, label: string | null): Promise<VersionRecord> {
    const room = this.options.registry.peek(docName);
    if (room !== undefined) return this.save(docName, kind, label, this.capture(docName, room.doc));
    const stored = await this.options.store.load(docName);
    if (stored === null) throw new QuireError('not-found', 'There is no document with this name.');
    return this.save(docName, kind, label, { snapshot: stored.update, authors: [] });
  }

  private async save(docName: string, kind: VersionKind, label: string | null, captured: Captured): Promise<VersionRecord> {
    let record: VersionRecord;
    try {
      record = await this.options.store.saveVersion(
        { id: newVersionId(), docName, createdAt: this.clock.now(), kind, label, authors: captured.authors },
        captured.snapshot,
      );
    } catch (error) {
      if (error instanceof DocStatusError) throw new QuireError('doc-deleted', 'This document was deleted.');
      throw error;
    }
    if (kind !== 'named') await this.thin(docName);
    return record;
  }

  /** Lets go of the versions retention no longer keeps. */
  private async thin(docName: string): Promise<void> {
    const versions = await this.options.store.listVersions(docName);
    const thinned = versionsToThin(versions, this.clock.now(), this.options.policy.retention);
    if (thinned.length > 0) await this.options.store.deleteVersions(docName, thinned);
  }

  private saveInBackground(docName: string, kind: VersionKind, label: string | null, captured: Captured): void {
    this.track(this.save(docName, kind, label, captured)).catch((error: unknown) => {
      // A document deleted meanwhile needs no version; anything else is the store's trouble.
      if (error instanceof QuireError && error.code === 'doc-deleted') return;
      this.options.observer.internalError({ what: 'version', docName, error });
    });
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.saving.add(work);
    const forget = () => this.saving.delete(work);
    work.then(forget, forget);
    return work;
  }

  private clearTimers(state: Unversioned): void {
    if (state.quietTimer !== null) clearTimeout(state.quietTimer);
    if (state.intervalTimer !== null) clearTimeout(state.intervalTimer);
    state.quietTimer = null;
    state.intervalTimer = null;
  }
}

/** A version id: 128 random bits, URL-safe. */
function newVersionId(): string {
  return randomBytes(16).toString('base64url');
}
