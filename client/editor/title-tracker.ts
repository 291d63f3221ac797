/**
 * Keeps the document's title where it shows: the tab (`"<title> — Quire"`), the page header and,
 * for documents opened by their edit link, the recent-documents list of the home page. The
 * title is recomputed at most a few times a second, after changes settle.
 */
import type * as Y from 'yjs';
import type { KeyValueStorage } from './identity.js';
import { updateRecentTitle } from './recent-docs.js';
import { docTitle, tabTitle } from './title.js';

const SETTLE_MS = 250;

export class TitleTracker {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private current: string | null = null;

  constructor(
    private readonly fragment: Y.XmlFragment,
    private readonly heading: HTMLElement,
    private readonly docId: string | null,
    private readonly storage: KeyValueStorage | null,
  ) {
    fragment.observeDeep(this.schedule);
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
    if (this.docId !== null) updateRecentTitle(this.storage, this.docId, title);
  }

  destroy(): void {
    this.fragment.unobserveDeep(this.schedule);
    if (this.timer !== null) clearTimeout(this.timer);
  }
}
