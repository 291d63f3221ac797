/**
 * Networks whose changes broke rooms, and until when their changes are refused for it.
 *
 * A change that breaks a room (see ChangeBrokeRoom in room.ts) sends every member of its
 * document through a resync and costs the server a rebuild from storage, and one that outlives
 * its integration deadline also up to a second of CPU; such changes are cheap to craft. Each is
 * charged to its sender's network (network-key.ts), whatever connection it came on:
 *
 * - The first break while none is remembered is let go: an honest client can cause one (undo
 *   meeting a Yjs bug, the README's Known limits; or a change starved past its deadline on a
 *   machine busy enough that a pause of the process counted towards it).
 * - Each break after that holds the network off, FIRST_HOLD_OFF_MS the first time and twice as
 *   long each time after, up to MAX_HOLD_OFF_MS.
 * - A network is forgotten MEMORY_MS after its last hold-off ends.
 *
 * There is one record per network that broke a room; records are pruned at every break, and
 * every break cost its sender a rebuild, so the map cannot grow faster than rooms are rebuilt.
 */
import { networkKey } from './network-key.js';

export const FIRST_HOLD_OFF_MS = 60_000;
export const MAX_HOLD_OFF_MS = 30 * 60_000;
export const MEMORY_MS = 10 * 60_000;

interface NetworkRecord {
  /** Changes from the network are refused until then (ms; in the past when it was let go); the record is dropped MEMORY_MS after. */
  readonly heldOffUntil: number;
  /** The last hold-off it earned (ms; 0 when it was let go). */
  readonly holdOffMs: number;
}

export class NetworkHoldOffs {
  private readonly records = new Map<string, NetworkRecord>();

  constructor(private readonly now: () => number) {}

  /** Whether changes from `address`'s network are refused now. */
  heldOff(address: string): boolean {
    // Nearly always no network is remembered: then no address needs reading.
    if (this.records.size === 0) return false;
    const record = this.records.get(networkKey(address));
    return record !== undefined && record.heldOffUntil > this.now();
  }

  /**
   * Notes that a change from `address`'s network broke a room; answers how long the network is
   * now held off (0: let go, as the first while none is remembered for it).
   */
  brokeRoom(address: string): number {
    const now = this.now();
    for (const [network, record] of this.records) if (record.heldOffUntil + MEMORY_MS <= now) this.records.delete(network);
    const network = networkKey(address);
    const last = this.records.get(network);
    let holdOffMs: number;
    if (last === undefined) holdOffMs = 0;
    else holdOffMs = last.holdOffMs === 0 ? FIRST_HOLD_OFF_MS : Math.min(MAX_HOLD_OFF_MS, 2 * last.holdOffMs);
    this.records.set(network, { heldOffUntil: now + holdOffMs, holdOffMs });
    return holdOffMs;
  }
}
