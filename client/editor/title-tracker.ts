/**
 * Keeps the document's title where it shows: the tab (`"<title> — Quire"`), the page header and,
 * for documents opened by their edit link, the recent-documents list of the home page. The
 * title is recomputed at most a few times a second, after changes settle. Nothing is shown before
 * `start()`: a page the server may still refuse must not show the title of what it kept.
 */
import type * as Y from 'yjs';
import type { KeyValueStorage } from './identity.js';
import { updateRecentTitle } from './recent-docs.js';
import { docTitle, tabTitle } from '../../document/title.js';

const SETTLE_MS = 250;

export class TitleTracker {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private current: string | null = null;
  private started = false;

  constructor(
    private readonly fragment: Y.XmlFragment,
    private readonly heading: HTMLElement,
    private readonly docName: string | null,
    private readonly storage: KeyValueStorage | null,
  ) {}

  /** Shows the title now and keeps it current from then on. */
  start(): void {
    if (!this.started) this.fragment.observeDeep(this.schedule);
    this.started = true;
    this.refresh();
  }

  private readonly schedule = (): void => {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh();
    }, SETTLE_MS);
  };

  /** Recomputes the title now and shows it wherever it changed. */
  refresh(): void {
    const title = docTitle(this.fragment);
    if (title === this.current) return;
    this.current = title;
    document.title = tabTitle(title);
    this.heading.textContent = title === '' ? 'Untitled' : title;
    this.heading.classList.toggle('is-untitled', title === '');
    if (this.docName !== null) updateRecentTitle(this.storage, this.docName, title);
  }

  destroy(): void {
    if (this.started) this.fragment.unobserveDeep(this.schedule);
    this.started = false;
    if (this.timer !== null) clearTimeout(this.timer);
  }
}
