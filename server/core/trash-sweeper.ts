/**
 * Purges what has been in the trash longer than the trash keeps it: once when started, then
 * every `intervalMs`. Each node of a cluster may sweep; purging is idempotent.
 */
import type { DocStore } from '../../storage/doc-store.js';
import type { QuireObserver } from './hooks.js';
import { DAY_MS, SYSTEM_CLOCK, type Clock } from './versions/version-policy.js';

export interface TrashSweeperOptions {
  readonly store: DocStore;
  /** Days a deleted document stays restorable. */
  readonly trashDays: number;
  /** How often to sweep. Default one hour. */
  readonly intervalMs?: number;
  readonly clock?: Clock;
  readonly observer: Pick<Required<QuireObserver>, 'internalError' | 'documentPurged'>;
}

export class TrashSweeper {
  private readonly options: TrashSweeperOptions;
  private readonly clock: Clock;
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<string[]> | null = null;

  constructor(options: TrashSweeperOptions) {
    if (!(options.trashDays > 0)) throw new RangeError('The trash must keep documents for a positive number of days.');
    this.options = options;
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  /** When a document deleted at `deletedAt` is purged. */
  purgeTime(deletedAt: number): number {
    return deletedAt + this.options.trashDays * DAY_MS;
  }

  start(): void {
    if (this.timer !== null) return;
    void this.sweep().catch(() => undefined);
    this.timer = setInterval(() => void this.sweep().catch(() => undefined), this.options.intervalMs ?? 60 * 60 * 1000);
    this.timer.unref();
  }

  /** Purges every document trashed more than `trashDays` ago; resolves to their ids. */
  sweep(): Promise<string[]> {
    this.running ??= (async () => {
      try {
        const now = this.clock.now();
        const purged = await this.options.store.purgeTrash(now - this.options.trashDays * DAY_MS, now);
        for (const docName of purged) this.options.observer.documentPurged({ docName });
        return purged;
      } catch (error) {
        this.options.observer.internalError({ what: 'purge', error });
        throw error;
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Stops sweeping; waits for a sweep under way. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }
}
