/**
 * The loaded rooms. Concurrent joins of a document that is loading share one load; a room is
 * registered before its load starts, so two first joins never create two copies. After the last
 * holder releases it, the room waits for its writes, checks again that nobody came back, and
 * unloads. A document that fails to load is never served (as empty or otherwise).
 *
 * A room whose document Yjs could not integrate a change into is retired at once: the next join
 * loads the document afresh from storage (after the retired room's writes are durable), while the
 * retired room is destroyed once its members are gone (`onBroken` tells whoever holds them).
 */
import * as Y from 'yjs';
import { documentShape } from '../../document/shape.js';
import { schema } from '../../document/schema.js';
import type { DocStore } from '../../storage/doc-store.js';
import { QuireError } from '../../shared/errors.js';
import type { Limits } from '../../shared/limits.js';
import type { QuireObserver } from './hooks.js';
import { mergeInSlices } from './merge-in-slices.js';
import { Room } from './room.js';
import type { RoomBus } from './room-bus.js';
import { ClientIdOwners } from './client-ids.js';
import { StructLedger } from './struct-ledger.js';
import type { UpdateWriter } from './update-writer.js';

/** What the editor's fragment may hold, derived once from the schema. */
const SHAPE = documentShape(schema);

interface Entry {
  readonly docName: string;
  readonly ready: Promise<Room>;
  room: Room | null;
  /** Members plus joins in flight plus other temporary users (exports). */
  holds: number;
}

/**
 * Merges a stored document for its compaction. `estimatedMs` is what the open room estimates the
 * merge takes on the event loop (Room.mergeEstimateMs; Infinity when the document is not open);
 * the answer says whether it merged on the event loop, and how long the merge itself took when
 * it knows (`busyMs`: a merge in slices leaves out the turns it gave away; otherwise the wall time
 * of the call counts).
 */
export type CompactionMerge = (
  parts: readonly Uint8Array[],
  estimatedMs: number,
) => Promise<{ readonly update: Uint8Array; readonly mergedHere: boolean; readonly busyMs?: number }>;

/** The merge on the event loop, in slices (merge-in-slices.ts): the default, and what a merge elsewhere falls back to. */
export const mergeOnEventLoop: CompactionMerge = async (parts) => {
  const { update, busyMs } = await mergeInSlices(parts);
  return { update, mergedHere: true, busyMs };
};

export interface RoomRegistryOptions {
  readonly store: DocStore;
  readonly writer: UpdateWriter;
  readonly limits: Limits;
  /** Compact a document's storage once this many log entries have accumulated. */
  readonly compactAfterEntries: number;
  /**
   * How a compaction merges the stored document (default: on the event loop). Merging decodes the
   * whole document, tens of milliseconds for a long paper and seconds for the largest documents,
   * so the server merges large ones in a worker thread.
   */
  readonly mergeForCompaction?: CompactionMerge;
  readonly bus: RoomBus;
  readonly observer: Required<QuireObserver>;
}

/** Told when a room starts and stops serving its document (version history follows its changes). */
export interface RoomWatcher {
  roomLoaded(room: Room): void;
  /** The room is about to be destroyed; its writes are durable unless its document was dropped. */
  roomUnloading(room: Room): void;
}

export class RoomRegistry {
  /** The current entry of each document (retired ones are no longer here). */
  private readonly entries = new Map<string, Entry>();
  private readonly byRoom = new Map<Room, Entry>();
  /** Told when a room broke, so its members can be sent away; set once by the owner. */
  private brokenHandler: (room: Room) => void = () => {};
  /** What every loaded document holds together, against `maxStructsInMemory`. */
  readonly ledger: StructLedger;
  /** Which session introduced which Yjs client id, per document (kept across unloads). */
  readonly clientIds = new ClientIdOwners();
  private readonly options: RoomRegistryOptions;
  private readonly compacting = new Map<string, Promise<void>>();
  /** Settles when the last compaction scheduled is over (see scheduleCompaction). */
  private compactionTurn: Promise<void> = Promise.resolve();
  private readonly unloading = new Set<Promise<void>>();
  private readonly watchers: RoomWatcher[] = [];
  private closed = false;

  constructor(options: RoomRegistryOptions) {
    this.options = options;
    this.ledger = new StructLedger(options.limits.maxStructsInMemory);
  }

  /** Number of rooms loaded or loading. */
  get size(): number {
    return this.entries.size;
  }

  /** The loaded room of a document, if it is loaded now. */
  peek(docName: string): Room | undefined {
    return this.entries.get(docName)?.room ?? undefined;
  }

  /** Adds a watcher told of every room loaded and unloaded from now on. */
  watch(watcher: RoomWatcher): void {
    this.watchers.push(watcher);
  }

  /** Called with every room that broke (Yjs threw while integrating a change into it). */
  onBroken(handler: (room: Room) => void): void {
    this.brokenHandler = handler;
  }

  /** Loads (or shares the load of) a room and holds it until `release`. */
  async acquire(docName: string): Promise<Room> {
    let entry = this.entries.get(docName);
    if (entry === undefined) {
      const created: Entry = { docName, ready: this.load(docName), room: null, holds: 0 };
      this.entries.set(docName, created);
      created.ready.then(
        (room) => {
          created.room = room;
          this.byRoom.set(room, created);
        },
        () => {
          if (this.entries.get(docName) === created) this.entries.delete(docName);
        },
      );
      entry = created;
    }
    entry.holds++;
    try {
      return await entry.ready;
    } catch (error) {
      entry.holds--;
      throw error;
    }
  }

  /** Gives back a hold taken by `acquire`; the last one out unloads the room. */
  release(room: Room): void {
    const entry = this.byRoom.get(room);
    if (entry === undefined) return;
    entry.holds--;
    if (entry.holds > 0) return;
    const unload = this.unload(entry).finally(() => this.unloading.delete(unload));
    this.unloading.add(unload);
  }

  /**
   * Compacts a document's storage in the background, one compaction per document at a time. One
   * that merged something and finds the open room's log long again (changes kept coming while it
   * merged, maybe in a worker thread) is followed by another: the changes that would have asked
   * for it came while this one ran, and may have been the last.
   *
   * Compactions of different documents take turns: a store may hold a connection and a lock for
   * the whole compaction (PostgreSQL does), and a large document's merge takes a conversion
   * worker, so a burst of compactions never takes more than one of each from everything else.
   * `estimateIfClosed` is the merge estimate of a room that has just closed (Room.mergeEstimateMs).
   */
  scheduleCompaction(docName: string, estimateIfClosed = Number.POSITIVE_INFINITY): Promise<void> {
    const running = this.compacting.get(docName);
    if (running) return running;
    let again = false;
    const previous = this.compactionTurn;
    let endTurn: () => void = () => undefined;
    this.compactionTurn = new Promise<void>((resolve) => (endTurn = resolve));
    const task = (async () => {
      try {
        await previous;
        // Marked before the writes settle: a change integrated meanwhile may be stored too late
        // for this merge, and must stay counted after it (counted twice is only an overestimate).
        const open = this.peek(docName);
        const mark = open?.mergeEstimateMs ?? 0;
        await this.options.writer.settled(docName);
        const merge = this.options.mergeForCompaction ?? mergeOnEventLoop;
        let mergedMs: number | null = null;
        let mergedOnEventLoop = false;
        const result = await this.options.store.compact(docName, async (parts) => {
          const started = performance.now();
          const merged = await merge(parts, open?.mergeEstimateMs ?? estimateIfClosed);
          mergedMs = merged.busyMs ?? performance.now() - started;
          mergedOnEventLoop = merged.mergedHere;
          return merged.update;
        });
        const room = this.peek(docName);
        if (room !== undefined && room === open && mergedMs !== null) room.merged(mergedMs, mark);
        if (room) room.logEntries = Math.max(0, room.logEntries - result.entriesMerged);
        this.options.observer.compacted({ docName, ...result, mergedOnEventLoop });
        again = room !== undefined && result.entriesMerged > 0 && room.logEntries >= this.options.compactAfterEntries;
      } catch (error) {
        this.options.observer.internalError({ what: 'compact', docName, error });
      } finally {
        this.compacting.delete(docName);
        endTurn();
      }
      if (again) await this.scheduleCompaction(docName);
    })();
    this.compacting.set(docName, task);
    return task;
  }

  /** Waits for every unload and compaction under way. */
  async idle(): Promise<void> {
    while (this.unloading.size > 0 || this.compacting.size > 0) {
      await Promise.all([...this.unloading, ...this.compacting.values()]);
    }
  }

  /** Forgets a room at once (document deleted): its members must already be gone. */
  drop(docName: string): void {
    this.clientIds.forget(docName);
    const entry = this.entries.get(docName);
    if (entry === undefined) return;
    this.entries.delete(docName);
    if (entry.room !== null) {
      this.byRoom.delete(entry.room);
      this.tellUnloading(entry.room);
      entry.room.destroy();
    }
    this.options.observer.roomUnloaded({ docName });
    void this.options.bus.unsubscribe(docName).catch(() => {});
  }

  /** Destroys every room (after the writer was flushed), loads in flight included. */
  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.entries.values()].map((entry) => entry.ready));
    await this.idle();
    for (const [room, entry] of this.byRoom) {
      this.tellUnloading(room);
      room.destroy();
      this.options.observer.roomUnloaded({ docName: entry.docName });
    }
    this.entries.clear();
    this.byRoom.clear();
  }

  private async load(docName: string): Promise<Room> {
    const started = performance.now();
    const bus = this.options.bus;
    // A document in the trash, or purged, is not served: its pages are told so, and a page
    // holding an offline copy cannot bring it back.
    const status = await this.options.store.status(docName);
    if (status === 'trashed' || status === 'purged') throw new QuireError('doc-deleted', 'This document was deleted.');
    // The room exists before anything is applied to its document, so that every change Yjs
    // derives while integrating storage or bus traffic is stored like any other.
    const room = new Room(docName, new Y.Doc({ gc: true }), {
      writer: this.options.writer,
      limits: this.options.limits,
      bus,
      observer: this.options.observer,
      shape: SHAPE,
      onBroken: (broken, error) => this.retire(broken, error),
      ledger: this.ledger,
      clientIds: this.clientIds,
    });
    // A retired room of this document may still have writes on their way to storage.
    await this.options.writer.settled(docName);
    // Subscribe before reading storage, so no change another node applies meanwhile is missed.
    try {
      await bus.subscribe(docName, {
        update: (update) => room.applyBusUpdate(update),
        catchUp: (update) => room.applyCatchUp(update),
        awareness: (update) => room.applyBusAwareness(update),
        syncRequest: (stateVector) => Y.encodeStateAsUpdate(room.doc, stateVector),
        stateVector: () => Y.encodeStateVector(room.doc),
      });
    } catch (error) {
      // The bus being down must not stop this node from serving its own clients.
      this.options.observer.internalError({ what: 'subscribe', docName, error });
    }
    let stored;
    try {
      stored = await this.options.store.load(docName);
      if (stored !== null) room.applyStored(stored);
    } catch (error) {
      room.destroy();
      void bus.unsubscribe(docName).catch(() => {});
      this.options.observer.internalError({ what: 'load', docName, error });
      throw new QuireError('load-failed', 'The document could not be loaded from storage; it is left untouched. Try again later.');
    }
    if (stored === null) {
      // Documents are made by the home page and the API, never by naming one.
      room.destroy();
      void bus.unsubscribe(docName).catch(() => {});
      throw new QuireError('not-found', 'There is no document with this name.');
    }
    if (this.closed) {
      // The registry closed while this load ran: nobody will ever unload this room.
      room.destroy();
      void bus.unsubscribe(docName).catch(() => {});
      throw new QuireError('server-shutdown', 'The server is shutting down.');
    }
    bus.requestSync(docName);
    this.options.observer.roomLoaded({ docName, seconds: (performance.now() - started) / 1000 });
    for (const watcher of this.watchers) watcher.roomLoaded(room);
    return room;
  }

  private tellUnloading(room: Room): void {
    for (const watcher of this.watchers) {
      try {
        watcher.roomUnloading(room);
      } catch (error) {
        this.options.observer.internalError({ what: 'unload', docName: room.docName, error });
      }
    }
  }

  /** Takes a broken room out of service: new joins load afresh; its members are sent away. */
  private retire(room: Room, error: unknown): void {
    const entry = this.byRoom.get(room);
    this.options.observer.internalError({ what: 'integrate', docName: room.docName, error });
    if (entry !== undefined && this.entries.get(entry.docName) === entry) this.entries.delete(entry.docName);
    this.brokenHandler(room);
  }

  private async unload(entry: Entry): Promise<void> {
    const { docName } = entry;
    await this.options.writer.settled(docName);
    const room = entry.room;
    // Somebody may have joined while the writes settled.
    if (entry.holds > 0 || room === null || !this.byRoom.has(room)) return;
    const current = this.entries.get(docName) === entry;
    if (current) this.entries.delete(docName);
    this.byRoom.delete(room);
    const shouldCompact = room.logEntries >= Math.min(32, this.options.compactAfterEntries);
    const mergeEstimateMs = room.mergeEstimateMs;
    this.tellUnloading(room);
    room.destroy();
    this.options.observer.roomUnloaded({ docName });
    // A retired room's successor holds the bus subscription now.
    if (this.entries.has(docName)) return;
    void this.options.bus.unsubscribe(docName).catch((error: unknown) => this.options.observer.internalError({ what: 'unsubscribe', docName, error }));
    if (shouldCompact && current) await this.scheduleCompaction(docName, mergeEstimateMs);
  }
}
