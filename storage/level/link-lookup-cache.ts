/**
 * What `findLink` last read from LevelDB for a token hash (a record, or null for none), so that
 * joins by the same link or document id do not each cost two reads in the thread pool.
 *
 * Exact, not eventually right: LevelDB is opened by one process, and every write to a link goes
 * through this store, which tells the cache after the write (`changed`, `clear`). A read that was
 * under way while any write completed is not kept (the generation moved), because it may have read
 * the record as it was before. Bounded: the least recently used entries go first.
 */
import type { LinkRecord } from '../link-store.js';

/** Token hashes remembered; a record is a few hundred bytes (about 1 KiB with the longest label), so at most about 4 MiB. */
export const LINK_CACHE_ENTRIES = 4096;

export class LinkLookupCache {
  readonly #entries = new Map<string, LinkRecord | null>();
  #generation = 0;

  constructor(private readonly capacity = LINK_CACHE_ENTRIES) {}

  /** The remembered lookup: a record, null (known to have none), or undefined (not remembered). */
  get(tokenHash: string): LinkRecord | null | undefined {
    const found = this.#entries.get(tokenHash);
    if (found === undefined) return undefined;
    // Most recently used last, so eviction takes the first.
    this.#entries.delete(tokenHash);
    this.#entries.set(tokenHash, found);
    return found;
  }

  /** Marks the start of a read from the database; pass it to `keep`. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Remembers what a read found, unless a write completed since it began (`since`). The record is
   * frozen: every later lookup gets this same object.
   */
  keep(tokenHash: string, found: LinkRecord | null, since: number): void {
    if (since !== this.#generation) return;
    this.#entries.delete(tokenHash);
    this.#entries.set(tokenHash, found === null ? null : Object.freeze(found));
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  /** After a write of these hashes' records: forgets them, and every read under way. */
  changed(tokenHashes: Iterable<string>): void {
    this.#generation++;
    for (const tokenHash of tokenHashes) this.#entries.delete(tokenHash);
  }

  /** After a write of these records (as written): remembers them, and forgets every read under way. */
  written(records: Iterable<LinkRecord>): void {
    this.#generation++;
    for (const record of records) this.keep(record.tokenHash, record, this.#generation);
  }

  /** After a write whose hashes are not known (a purge): forgets everything. */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }
}
