/**
 * In-process mutual exclusion per string key. Holds state only for keys with work queued or
 * running, so memory stays bounded however many keys were ever used.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every task queued earlier under `key` has settled; resolves as `task` does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /**
   * Runs `task` holding every key of `keys` at once. Keys are taken one after another in sorted
   * order, so two such calls over overlapping keys cannot deadlock (as long as nobody holding one
   * of these keys waits for another in a different order).
   */
  runAll<T>(keys: Iterable<string>, task: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const hold = (index: number): Promise<T> => {
      const key = sorted[index];
      return key === undefined ? task() : this.run(key, () => hold(index + 1));
    };
    return hold(0);
  }

  /** Number of keys with work queued or running (for tests of bounded memory). */
  get size(): number {
    return this.#tails.size;
  }
}
