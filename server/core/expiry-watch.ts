/**
 * Ends what expires while it is open: memberships through a link that expires, connections that
 * join nothing in time. One sweep per `sweepMs` compares every watched expiry with `now()`
 * (injected, so a test can move the clock), which also catches expiries a timer would miss when
 * the clock jumps, and costs a connection a Map entry instead of a timer of its own.
 */

export class ExpiryWatch<T> {
  private readonly watched = new Map<T, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly now: () => number,
    private readonly onExpired: (item: T) => void,
    private readonly sweepMs = 250,
  ) {}

  /** Watches `item` until `expiresAt` (ms since the epoch). */
  watch(item: T, expiresAt: number): void {
    this.watched.set(item, expiresAt);
    if (this.timer === null) {
      this.timer = setInterval(() => this.sweep(), this.sweepMs);
      this.timer.unref();
    }
  }

  /** Stops watching `item`. The sweep stops itself once nothing is watched (not here: items come and go in bursts). */
  forget(item: T): void {
    this.watched.delete(item);
  }

  /** Ends every watched item whose time has come. */
  sweep(): void {
    const now = this.now();
    for (const [item, expiresAt] of [...this.watched]) {
      if (now < expiresAt) continue;
      this.watched.delete(item);
      this.onExpired(item);
    }
    if (this.watched.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
