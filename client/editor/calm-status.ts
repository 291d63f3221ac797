/**
 * What the status line shows and announces over time, given the lines `statusLine` computes as
 * things happen. Calm means:
 * - from "All changes saved", "Saving…" shows only once changes have waited `SAVING_DELAY_MS`
 *   without any being confirmed; quick saves never change the line, so typing does not make it
 *   flicker, even when one keystroke's save overlaps the next (the caller reports each
 *   confirmation with `progress()`). So one change that stays unconfirmed while later ones keep
 *   being confirmed (one the server asked to be sent again) does not show "Saving…": the saves
 *   are moving, and it goes with the next one;
 * - the live region is told only when the kind of state changes (saved → saving, online →
 *   offline…), never for a new count, and not for the page settling into its first state.
 * DOM-free: the caller says how to show and announce; timers can be replaced for tests.
 */
import type { StatusLine } from './status-text.js';

/** How long changes may wait without any being confirmed before the line says "Saving…". */
export const SAVING_DELAY_MS = 500;

export interface CalmStatusOutput {
  show(line: StatusLine): void;
  announce(text: string): void;
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

export class CalmStatus {
  private shown: StatusLine | null = null;
  private pending: StatusLine | null = null;
  private timer: unknown = null;
  /** Whether the page has left its first state (connecting); announcements start after that. */
  private settled = false;

  constructor(
    private readonly output: CalmStatusOutput,
    private readonly timers: Timers = realTimers,
  ) {}

  /** The line currently shown, or null before the first update. */
  get current(): StatusLine | null {
    return this.shown;
  }

  /** Takes the latest line; shows it now, later, or (for a quick save) not at all. */
  update(next: StatusLine): void {
    if (next.kind === 'saving' && this.shown?.kind === 'saved') {
      this.pending = next;
      if (this.timer === null) this.waitBeforeSaving();
      return;
    }
    this.cancel();
    this.show(next);
  }

  /**
   * Some changes were confirmed while others still wait: the saves are moving, so a "Saving…"
   * waiting to be shown waits `SAVING_DELAY_MS` again from now.
   */
  progress(): void {
    if (this.timer === null) return;
    this.timers.clearTimeout(this.timer);
    this.waitBeforeSaving();
  }

  private waitBeforeSaving(): void {
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      const line = this.pending;
      this.pending = null;
      if (line !== null) this.show(line);
    }, SAVING_DELAY_MS);
  }

  /** Forgets a "Saving…" that is waiting to be shown. */
  cancel(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private show(line: StatusLine): void {
    const previous = this.shown;
    this.shown = line;
    this.output.show(line);
    if (previous?.kind === line.kind) return;
    if (this.settled) this.output.announce(line.announcement);
    else if (line.kind !== 'connecting') this.settled = true;
  }
}
