/**
 * When each link was last used, recorded without a write per use: a link's use is noted at most
 * once per `minIntervalMs` (a minute by default), and the notes go to storage in one
 * `touchLinks` batch per `flushMs`. A failed batch is reported and its uses kept for the next one.
 */
import type { LinkStore, LinkUse } from '../../storage/link-store.js';

export interface LinkUsageOptions {
  readonly now: () => number;
  /** Least time between two recorded uses of one link. Default one minute. */
  readonly minIntervalMs?: number;
  /** How often noted uses are written. Default one second. */
  readonly flushMs?: number;
  readonly onError: (error: unknown) => void;
}

export class LinkUsage {
  /** Per `docName/linkId`: when its use was last noted. */
  private readonly lastNoted = new Map<string, number>();
  private pending = new Map<string, LinkUse>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly minIntervalMs: number;
  private readonly flushMs: number;

  constructor(
    private readonly store: LinkStore,
    private readonly options: LinkUsageOptions,
  ) {
    this.minIntervalMs = options.minIntervalMs ?? 60_000;
    this.flushMs = options.flushMs ?? 1000;
  }

  /** Notes that a link was used now; cheap enough to call on every join and request. */
  used(docName: string, linkId: string): void {
    const key = `${docName}/${linkId}`;
    const at = this.options.now();
    const last = this.lastNoted.get(key);
    if (last !== undefined && at - last < this.minIntervalMs) return;
    this.lastNoted.set(key, at);
    this.pending.set(key, { docName, linkId, at });
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.flushMs);
    this.timer.unref();
  }

  /** Writes every noted use; resolves when they are written (or reported as failed). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      // Links not used for a minute need no note of it: the map stays as small as the links in use.
      const now = this.options.now();
      for (const [key, at] of this.lastNoted) if (now - at >= this.minIntervalMs) this.lastNoted.delete(key);
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.store.touchLinks([...batch.values()]);
      } catch (error) {
        for (const [key, use] of batch) if (!this.pending.has(key)) this.pending.set(key, use);
        this.options.onError(error);
      }
    });
    return this.flushing;
  }

  /** Writes what is noted and stops the timer. */
  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
    this.pending.clear();
    this.lastNoted.clear();
  }
}
