/**
 * The loaded rooms. Concurrent joins of a document that is loading share one load; a room is
 * registered before its load starts, so two first joins never create two copies. After the last
 * holder releases it, the room waits for its writes, checks again that nobody came back, and
 * unloads. A document that fails to load is never served (as empty or otherwise).
 */
import * as Y from 'yjs';
import type { DocStore } from '../storage/doc-store.js';
import { QuireError } from '../shared/errors.js';
import type { Limits } from '../shared/limits.js';
import { BUS_ORIGIN, CATCH_UP_ORIGIN, Room, STORAGE_ORIGIN, type RoomHooks } from './room.js';
import type { RoomBus } from './room-bus.js';
import type { UpdateWriter } from './update-writer.js';

interface Entry {
  readonly ready: Promise<Room>;
  room: Room | null;
  /** Members plus joins in flight plus other temporary users (exports). */
  holds: number;
}

export interface RoomRegistryOptions {
  readonly store: DocStore;
  readonly writer: UpdateWriter;
  readonly limits: Limits;
  /** Compact a document's storage once this many log entries have accumulated. */
  readonly compactAfterEntries: number;
  readonly bus: RoomBus;
  readonly hooks?: RoomHooks;
  readonly onRoomLoaded?: (room: Room, seconds: number) => void;
  readonly onRoomUnloaded?: (docId: string) => void;
  readonly onCompacted?: (docId: string, result: { entriesMerged: number; bytesBefore: number; bytesAfter: number }) => void;
  readonly onBackgroundError?: (what: string, docId: string, error: unknown) => void;
}

export class RoomRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly options: RoomRegistryOptions;
  private readonly compacting = new Map<string, Promise<void>>();
  private readonly unloading = new Set<Promise<void>>();
  private closed = false;

  constructor(options: RoomRegistryOptions) {
    this.options = options;
  }

  /** Number of rooms loaded or loading. */
  get size(): number {
    return this.entries.size;
  }

  /** The loaded room of a document, if it is loaded now. */
  peek(docId: string): Room | undefined {
    return this.entries.get(docId)?.room ?? undefined;
  }

  loadedRooms(): Room[] {
    const rooms: Room[] = [];
    for (const entry of this.entries.values()) if (entry.room) rooms.push(entry.room);
    return rooms;
  }

  /** Loads (or shares the load of) a room and holds it until `release`. */
  async acquire(docId: string): Promise<Room> {
    let entry = this.entries.get(docId);
    if (entry === undefined) {
      const created: Entry = { ready: this.load(docId), room: null, holds: 0 };
      this.entries.set(docId, created);
      created.ready.then(
        (room) => {
          created.room = room;
        },
        () => {
          if (this.entries.get(docId) === created) this.entries.delete(docId);
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
  release(docId: string): void {
    const entry = this.entries.get(docId);
    if (entry === undefined) return;
    entry.holds--;
    if (entry.holds > 0 || entry.room === null) return;
    const unload = this.unload(docId, entry).finally(() => this.unloading.delete(unload));
    this.unloading.add(unload);
  }

  /** Compacts a document's storage in the background, one compaction per document at a time. */
  scheduleCompaction(docId: string): Promise<void> {
    const running = this.compacting.get(docId);
    if (running) return running;
    const task = (async () => {
      try {
        await this.options.writer.settled(docId);
        const result = await this.options.store.compact(docId);
        const room = this.peek(docId);
        if (room) room.logEntries = Math.max(0, room.logEntries - result.entriesMerged);
        this.options.onCompacted?.(docId, result);
      } catch (error) {
        this.options.onBackgroundError?.('compact', docId, error);
      } finally {
        this.compacting.delete(docId);
      }
    })();
    this.compacting.set(docId, task);
    return task;
  }

  /** Waits for every unload and compaction under way. */
  async idle(): Promise<void> {
    while (this.unloading.size > 0 || this.compacting.size > 0) {
      await Promise.all([...this.unloading, ...this.compacting.values()]);
    }
  }

  /** Forgets a room at once (document deleted): its members must already be gone. */
  drop(docId: string): void {
    const entry = this.entries.get(docId);
    if (entry === undefined) return;
    this.entries.delete(docId);
    entry.room?.destroy();
    this.options.onRoomUnloaded?.(docId);
    void this.options.bus.unsubscribe(docId).catch(() => {});
  }

  /** Destroys every room (after the writer was flushed), loads in flight included. */
  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.entries.values()].map((entry) => entry.ready));
    await this.idle();
    for (const [docId, entry] of this.entries) {
      entry.room?.destroy();
      this.options.onRoomUnloaded?.(docId);
    }
    this.entries.clear();
  }

  private async load(docId: string): Promise<Room> {
    const started = performance.now();
    const doc = new Y.Doc({ gc: true });
    const bus = this.options.bus;
    // Subscribe before reading storage, so no change another node applies meanwhile is missed.
    try {
      await bus.subscribe(docId, {
        update: (update) => Y.applyUpdate(doc, update, BUS_ORIGIN),
        catchUp: (update) => Y.applyUpdate(doc, update, CATCH_UP_ORIGIN),
        awareness: (update) => this.peek(docId)?.applyBusAwareness(update),
        syncRequest: (stateVector) => Y.encodeStateAsUpdate(doc, stateVector),
        stateVector: () => Y.encodeStateVector(doc),
      });
    } catch (error) {
      // The bus being down must not stop this node from serving its own clients.
      this.options.onBackgroundError?.('subscribe', docId, error);
    }
    let stored;
    try {
      stored = await this.options.store.load(docId);
      if (stored !== null) Y.applyUpdate(doc, stored.update, STORAGE_ORIGIN);
    } catch (error) {
      doc.destroy();
      void bus.unsubscribe(docId).catch(() => {});
      this.options.onBackgroundError?.('load', docId, error);
      throw new QuireError('load-failed', 'The document could not be loaded from storage; it is left untouched. Try again later.');
    }
    if (this.closed) {
      // The registry closed while this load ran: nobody will ever unload this room.
      doc.destroy();
      void bus.unsubscribe(docId).catch(() => {});
      throw new QuireError('server-shutdown', 'The server is shutting down.');
    }
    const room = new Room(docId, doc, {
      writer: this.options.writer,
      limits: this.options.limits,
      hooks: {
        ...this.options.hooks,
        publishUpdate: (id, update) => bus.publishUpdate(id, update),
        publishAwareness: (id, update) => bus.publishAwareness(id, update),
      },
      storedBytes: stored?.storedBytes ?? 0,
      logEntries: stored?.logEntries ?? 0,
    });
    bus.requestSync(docId);
    this.options.onRoomLoaded?.(room, (performance.now() - started) / 1000);
    return room;
  }

  private async unload(docId: string, entry: Entry): Promise<void> {
    await this.options.writer.settled(docId);
    // Somebody may have joined while the writes settled.
    if (entry.holds > 0 || this.entries.get(docId) !== entry || entry.room === null) return;
    const room = entry.room;
    this.entries.delete(docId);
    const shouldCompact = room.logEntries >= Math.min(32, this.options.compactAfterEntries);
    room.destroy();
    this.options.onRoomUnloaded?.(docId);
    void this.options.bus.unsubscribe(docId).catch((error: unknown) => this.options.onBackgroundError?.('unsubscribe', docId, error));
    if (shouldCompact) await this.scheduleCompaction(docId);
  }
}
