/**
 * The share dialog: the edit link and the view-only link as absolute URLs, each with a copy
 * button, and a way to replace the view-only link (the old one stops working at once); below
 * them the document's links (link-manager.ts). Talks to `GET /api/docs/:name/links` and
 * `POST /api/docs/:name/view-link`.
 */
import type { Role } from '../../shared/events.js';
import { icon } from './icons.js';
import type { LinkManager } from './link-manager.js';
import { absolute, bearerHeaders, copyWithFeedback, fetchJson } from './share-tools.js';

interface LinksReply {
  /** The document id as a link, while it works and this page may know it. */
  readonly editUrl?: string;
  readonly viewUrl: string;
}

export interface ShareDialogElements {
  readonly button: HTMLButtonElement;
  readonly dialog: HTMLDialogElement;
  readonly editLink: HTMLInputElement;
  readonly viewLink: HTMLInputElement;
  readonly copyEdit: HTMLButtonElement;
  readonly copyView: HTMLButtonElement;
  readonly regenerateView: HTMLButtonElement;
  readonly close: HTMLButtonElement;
  /** Where progress and errors of the dialog are announced. */
  readonly message: HTMLElement;
  /** The section of the edit link, hidden when this page has none to show. */
  readonly editSection: HTMLElement;
  /** The links part; null on pages without one. */
  readonly links: LinkManager | null;
  /** The signed token the page was opened with (from an embedding application), or null. */
  readonly signedToken: string | null;
  /** The edit link this browser kept when it made the document, if any. */
  readonly keptEditUrl: string | null;
}

export class ShareDialog {
  private busy = false;

  constructor(
    private readonly docName: string,
    private readonly el: ShareDialogElements,
  ) {
    el.button.prepend(icon('share'));
    el.close.replaceChildren(icon('close'));
    el.copyEdit.prepend(icon('copy'));
    el.copyView.prepend(icon('copy'));
    el.regenerateView.prepend(icon('refresh'));
    el.button.addEventListener('click', () => this.open());
    el.close.addEventListener('click', () => el.dialog.close());
    // A click on the backdrop (the dialog element itself, outside its panel) closes it.
    el.dialog.addEventListener('click', (event) => {
      if (event.target === el.dialog) el.dialog.close();
    });
    el.copyEdit.addEventListener('click', () => void copyWithFeedback(el.editLink, el.copyEdit));
    el.copyView.addEventListener('click', () => void copyWithFeedback(el.viewLink, el.copyView));
    el.regenerateView.addEventListener('click', () => void this.regenerate());
    for (const input of [el.editLink, el.viewLink]) {
      input.readOnly = true;
      input.addEventListener('focus', () => input.select());
    }
  }

  /** The role the server granted this page: a view-only page has nothing to share. */
  setRole(role: Role): void {
    this.el.button.hidden = role === 'view';
    this.el.links?.setRole(role);
  }

  /** Opens the dialog and loads the links afresh. */
  open(): void {
    if (!this.el.dialog.open) this.el.dialog.showModal();
    void this.load();
  }

  private async load(): Promise<void> {
    this.setBusy(true, 'Loading links…');
    try {
      const links = (await fetchJson(`/api/docs/${encodeURIComponent(this.docName)}/links`, { headers: bearerHeaders(this.el.signedToken) })) as Partial<LinksReply>;
      // A link token of this page is never shown as "the edit link": it may be an owner link.
      const editUrl = this.el.keptEditUrl ?? (links.editUrl === undefined ? null : absolute(links.editUrl));
      this.el.editSection.hidden = editUrl === null;
      this.el.editLink.value = editUrl ?? '';
      await this.el.links?.refresh();
      this.el.viewLink.value = absolute(links.viewUrl);
      this.setBusy(false, '');
    } catch (error) {
      this.setBusy(false, (error as Error).message, true);
    }
  }

  private async regenerate(): Promise<void> {
    if (this.busy) return;
    this.setBusy(true, 'Creating a new view-only link…');
    try {
      const reply = (await fetchJson(`/api/docs/${encodeURIComponent(this.docName)}/view-link`, { method: 'POST', headers: bearerHeaders(this.el.signedToken) })) as {
        viewUrl?: unknown;
      };
      this.el.viewLink.value = absolute(reply.viewUrl);
      this.setBusy(false, 'New view-only link created. The previous one no longer works.');
      this.flash(this.el.viewLink);
    } catch (error) {
      this.setBusy(false, (error as Error).message, true);
    }
  }

  private flash(input: HTMLInputElement): void {
    input.classList.remove('flash');
    void input.offsetWidth; // restart the CSS animation
    input.classList.add('flash');
  }

  private setBusy(busy: boolean, message: string, isError = false): void {
    this.busy = busy;
    this.el.regenerateView.disabled = busy;
    this.el.message.textContent = message;
    this.el.message.classList.toggle('is-error', isError);
  }
}
