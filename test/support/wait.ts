/**
 * Bounded waiting for every kind of test: each wait has a limit and, when it runs out, says what it
 * waited for and what it saw last. One argument order everywhere: what, then how to tell.
 */

export interface WaitOptions {
  /** Give up after this long. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Poll this often. Default 10 ms. */
  readonly intervalMs?: number;
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Polls `check` (synchronous or not) until it returns a truthy value, and returns that value.
 * Throws an Error naming `what` and the last value or error seen when the time runs out.
 */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, options: WaitOptions | number = {}): Promise<Truthy<T>> {
  const { timeoutMs = 5000, intervalMs = 10 } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      last = value;
      if (value) return value as Truthy<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const seen = last instanceof Error ? last.message : describe(last);
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last seen: ${seen}).`);
    }
    await sleep(intervalMs);
  }
}

/** Resolves like `promise`, or rejects after `timeoutMs` with a message naming `what`. */
export async function withTimeout<T>(what: string, promise: Promise<T>, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Yields to the event loop once (lets socket and storage callbacks run). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 300) ?? String(value);
  } catch {
    return String(value);
  }
}
