/**
 * A token bucket: `ratePerSecond` tokens flow in continuously, up to `burst`. `take` refuses what
 * the bucket cannot pay now; `charge` pays for work already done even when that leaves the bucket
 * in debt, so that whatever comes next is refused until the debt is paid off.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes `amount` tokens if there are that many; returns whether it did. */
  take(amount = 1): boolean {
    this.refill();
    if (this.tokens < amount) return false;
    this.tokens -= amount;
    return true;
  }

  /** Whether the bucket could pay `amount` now (takes nothing). */
  has(amount: number): boolean {
    this.refill();
    return this.tokens >= amount;
  }

  /** Takes `amount` tokens whatever the balance (it may go negative). */
  charge(amount: number): void {
    this.refill();
    this.tokens -= amount;
  }

  /** Holds its whole burst: nothing was taken for as long as refilling takes. */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.burst;
  }

  /** Whether the bucket holds anything now (it is not in debt). */
  get solvent(): boolean {
    this.refill();
    return this.tokens > 0;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }
}
