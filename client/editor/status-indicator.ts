/**
 * The status line (`#status`): what the provider reports, in the words of `statusLine`. The
 * element holds only the text; its tone goes on the parent as `data-tone` for the coloured dot.
 */
import type { DocProvider } from '../provider.js';
import { statusLine } from './status-text.js';

export interface StatusContext {
  /** The effective role: `view` when the page was opened by a view-only link. */
  readonly role: 'edit' | 'view' | null;
  /** The server refused the page for good. */
  readonly fatal: boolean;
}

export class StatusIndicator {
  private everSynced = false;
  /** A connection attempt failed since the last successful one. */
  private attemptFailed = false;

  constructor(
    private readonly element: HTMLElement,
    private readonly provider: DocProvider,
    private readonly context: () => StatusContext,
  ) {
    provider.on('status', this.refresh);
    provider.on('unsaved', this.refresh);
    provider.on('role', this.refresh);
    provider.on('error', this.refresh);
    provider.on('synced', () => {
      this.everSynced = true;
      this.refresh();
    });
    provider.socket.on('connect_error', () => {
      this.attemptFailed = true;
      this.refresh();
    });
    provider.socket.on('connect', () => {
      this.attemptFailed = false;
      this.refresh();
    });
    window.addEventListener('online', this.refresh);
    window.addEventListener('offline', this.refresh);
    this.refresh();
  }

  /** Re-reads the provider and redraws; safe to call at any time. */
  readonly refresh = (): void => {
    const { role, fatal } = this.context();
    if (this.provider.status === 'synced') this.everSynced = true;
    const line = statusLine({
      status: this.provider.status,
      role,
      unsavedCount: this.provider.unsavedCount,
      everSynced: this.everSynced,
      unreachable: this.attemptFailed || !navigator.onLine,
      fatal,
    });
    if (this.element.textContent !== line.text) this.element.textContent = line.text;
    const holder = this.element.parentElement;
    if (holder) holder.dataset['tone'] = line.tone;
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
