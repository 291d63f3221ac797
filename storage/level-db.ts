/**
 * A small promise wrapper around `leveldown`'s callback API, typed for the few calls Quire makes.
 * leveldown ships no type declarations, so the shape we rely on is declared here, in one place.
 * Keys and values are Buffers throughout.
 */

import { createRequire } from 'node:module';

type Callback<T = void> = (error: Error | null | undefined, value?: T) => void;

interface RawIterator {
  next(callback: (error: Error | null | undefined, key?: Buffer, value?: Buffer) => void): void;
  end(callback: (error?: Error | null) => void): void;
}

/** Range and shape options of a leveldown iterator. */
export interface IteratorOptions {
  readonly gt?: string;
  readonly gte?: string;
  readonly lt?: string;
  readonly lte?: string;
  readonly reverse?: boolean;
  readonly limit?: number;
  readonly keys?: boolean;
  readonly values?: boolean;
}

export type BatchOperation =
  | { readonly type: 'put'; readonly key: string; readonly value: Uint8Array | string }
  | { readonly type: 'del'; readonly key: string };

interface RawDb {
  open(options: { createIfMissing: boolean; errorIfExists: boolean }, callback: Callback): void;
  close(callback: Callback): void;
  getMany(keys: string[], options: { asBuffer: boolean }, callback: Callback<(Buffer | undefined)[]>): void;
  batch(operations: BatchOperation[], options: { sync: boolean }, callback: Callback): void;
  compactRange(start: string, end: string, callback: Callback): void;
  iterator(options: IteratorOptions & { keyAsBuffer: boolean; valueAsBuffer: boolean }): RawIterator;
}

type LevelDownFactory = (location: string) => RawDb;

// leveldown is CommonJS without types; `require` returns `any`, narrowed once here to RawDb.
const leveldown = createRequire(import.meta.url)('leveldown') as LevelDownFactory;

function settle<T>(resolve: (value: T) => void, reject: (error: Error) => void): Callback<T> {
  return (error, value) => {
    if (error) reject(error);
    else resolve(value as T);
  };
}

/** One open LevelDB. Not shared: only one LevelDb may have a directory open at a time. */
export class LevelDb {
  readonly #db: RawDb;

  private constructor(db: RawDb) {
    this.#db = db;
  }

  /** Opens (creating if missing) the database in `dir`; rejects with leveldown's error otherwise. */
  static async open(dir: string): Promise<LevelDb> {
    const db = leveldown(dir);
    await new Promise<void>((resolve, reject) => {
      db.open({ createIfMissing: true, errorIfExists: false }, settle(resolve, reject));
    });
    return new LevelDb(db);
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.#db.close(settle(resolve, reject)));
  }

  /** Values of `keys`, in order, `undefined` for missing keys, all read from one implicit snapshot of the database. */
  getMany(keys: string[]): Promise<(Buffer | undefined)[]> {
    return new Promise((resolve, reject) => this.#db.getMany(keys, { asBuffer: true }, settle(resolve, reject)));
  }

  async get(key: string): Promise<Buffer | undefined> {
    const [value] = await this.getMany([key]);
    return value;
  }

  /** Writes every operation atomically; with `sync`, resolves only after the write is fsynced. */
  batch(operations: BatchOperation[], sync: boolean): Promise<void> {
    // leveldown stores a non-Buffer value as String(value), so every Uint8Array becomes a Buffer view.
    const raw = operations.map((operation) =>
      operation.type === 'put' && typeof operation.value !== 'string' && !Buffer.isBuffer(operation.value)
        ? { ...operation, value: Buffer.from(operation.value.buffer, operation.value.byteOffset, operation.value.byteLength) }
        : operation,
    );
    return new Promise((resolve, reject) => this.#db.batch(raw, { sync }, settle(resolve, reject)));
  }

  /** Asks LevelDB to compact the key range now, dropping the tombstones of deleted keys in it. */
  compactRange(start: string, end: string): Promise<void> {
    return new Promise((resolve, reject) => this.#db.compactRange(start, end, settle(resolve, reject)));
  }

  /**
   * Visits every entry of a range in key order, from one implicit snapshot of the database, so
   * writes made while the scan runs are not seen. Entries are fetched in small batches, so memory
   * stays bounded whatever the range holds. The iterator is always ended, also on error.
   */
  async scan(options: IteratorOptions, visit: (key: string, value: Buffer) => void): Promise<void> {
    const iterator = this.#db.iterator({ ...options, keyAsBuffer: false, valueAsBuffer: true });
    let failure: { error: unknown } | null = null;
    try {
      for (;;) {
        const entry = await new Promise<[string, Buffer] | null>((resolve, reject) => {
          iterator.next((error, key, value) => {
            if (error) reject(error);
            else if (key === undefined) resolve(null);
            else resolve([String(key), value ?? EMPTY]);
          });
        });
        if (entry === null) break;
        visit(entry[0], entry[1]);
      }
    } catch (error) {
      failure = { error };
    }
    await new Promise<void>((resolve, reject) => iterator.end((error) => (error ? reject(error) : resolve())));
    if (failure !== null) throw failure.error;
  }

  /** Every entry of a range, read like {@link scan}; only for ranges known to be small or needed whole. */
  async entries(options: IteratorOptions): Promise<Array<[string, Buffer]>> {
    const out: Array<[string, Buffer]> = [];
    await this.scan(options, (key, value) => out.push([key, value]));
    return out;
  }
}

const EMPTY = Buffer.alloc(0);
