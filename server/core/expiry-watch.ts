/**
 * Ends memberships whose link expires while they are open. One sweep per `sweepMs` compares
 * every watched expiry with `now()` (injected, so a test can move the clock), which also catches
 * expiries a timer would miss when the clock jumps.
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

  forget(item: T): void {
    this.watched.delete(item);
    if (this.watched.size === 0) this.stop();
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
