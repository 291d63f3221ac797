/**
 * The status line (`#status`): what the provider reports, in the words of `statusLine`, shown
 * calmly (see calm-status.ts). The element holds only the text; its tone goes on the parent as
 * `data-tone` for the coloured dot. Changes of state are announced through a separate, visually
 * hidden live region (`#status-live`), so that screen readers hear "Saving…" and "All changes
 * saved" when they matter rather than on every keystroke.
 */
import type { DocProvider } from '../provider.js';
import { CalmStatus } from './calm-status.js';
import { statusLine } from './status-text.js';

export interface StatusContext {
  /** The effective role: `view` when the page was opened by a view-only link. */
  readonly role: 'owner' | 'edit' | 'view' | null;
  /** The server refused the page for good. */
  readonly fatal: boolean;
  /**
   * Changes this device keeps that the server has not confirmed, counted as a person would and
   * including those restored after a reload (kept-changes.ts). Default: the provider's count.
   */
  readonly unsavedChanges?: number;
}

export class StatusIndicator {
  private everSynced = false;
  /** A connection attempt failed since the last successful one. */
  private attemptFailed = false;
  private readonly calm: CalmStatus;
  /** The unsaved count at the last refresh: a smaller one means some changes were confirmed. */
  private lastUnsavedCount = 0;

  constructor(
    private readonly element: HTMLElement,
    live: HTMLElement,
    private readonly provider: DocProvider,
    private readonly context: () => StatusContext,
  ) {
    this.calm = new CalmStatus({
      show: (line) => {
        if (this.element.textContent !== line.text) this.element.textContent = line.text;
        const holder = this.element.parentElement;
        if (holder) holder.dataset['tone'] = line.tone;
      },
      announce: (text) => {
        live.textContent = text;
      },
    });
    provider.on('status', this.refresh);
    provider.on('unsaved', this.refresh);
    provider.on('role', this.refresh);
    provider.on('error', this.refresh);
    provider.on('synced', () => {
      this.everSynced = true;
      this.refresh();
    });
    provider.channel.on('connect-failed', () => {
      this.attemptFailed = true;
      this.refresh();
    });
    provider.channel.on('connect', () => {
      this.attemptFailed = false;
      this.refresh();
    });
    window.addEventListener('online', this.refresh);
    window.addEventListener('offline', this.refresh);
    this.refresh();
  }

  /** Re-reads the provider and redraws; safe to call at any time. */
  readonly refresh = (): void => {
    const { role, fatal, unsavedChanges } = this.context();
    if (this.provider.status === 'synced') this.everSynced = true;
    const unsavedCount = unsavedChanges ?? this.provider.unsavedCount;
    if (unsavedCount > 0 && unsavedCount < this.lastUnsavedCount) this.calm.progress();
    this.lastUnsavedCount = unsavedCount;
    this.calm.update(
      statusLine({
        status: this.provider.status,
        role,
        unsavedCount,
        saved: this.provider.isSaved,
        everSynced: this.everSynced,
        unreachable: this.attemptFailed || !navigator.onLine,
        fatal,
      }),
    );
  };

  /** Draws attention to the status line briefly (e.g. when someone presses Ctrl+S). */
  pulse(): void {
    const holder = this.element.parentElement;
    if (!holder) return;
    holder.classList.remove('pulse');
    void holder.offsetWidth; // restart the CSS animation
    holder.classList.add('pulse');
  }
}
