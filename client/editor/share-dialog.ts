/**
 * The share dialog: the edit link and the view-only link as absolute URLs, each with a copy
 * button, and a way to replace the view-only link (the old one stops working at once).
 * Talks to `GET /api/docs/:id/links` and `POST /api/docs/:id/view-link`.
 */
import { icon } from './icons.js';

interface LinksReply {
  readonly editUrl: string;
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
}

/** Reads a JSON reply, turning a `{ error: { message } }` body or a network failure into an Error with a sentence. */
async function fetchJson(url: string, init?: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { accept: 'application/json' }, credentials: 'same-origin' });
  } catch {
    throw new Error('The server cannot be reached. Check your connection and try again.');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
    throw new Error(typeof message === 'string' ? message : `The server answered ${response.status}.`);
  }
  return body;
}

function absolute(path: unknown): string {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new Error('The server sent an unexpected link.');
  return new URL(path, window.location.origin).href;
}

/** Copies `text`, through the Clipboard API when allowed, else through a selected input. */
async function copyText(text: string, input: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (plain http on a LAN address, or an old browser): fall back.
    input.focus();
    input.select();
    return document.execCommand('copy');
  }
}

export class ShareDialog {
  private loaded = false;
  private busy = false;

  constructor(
    private readonly docId: string,
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
    el.copyEdit.addEventListener('click', () => void this.copy(el.editLink, el.copyEdit));
    el.copyView.addEventListener('click', () => void this.copy(el.viewLink, el.copyView));
    el.regenerateView.addEventListener('click', () => void this.regenerate());
    for (const input of [el.editLink, el.viewLink]) {
      input.readOnly = true;
      input.addEventListener('focus', () => input.select());
    }
  }

  /** Opens the dialog and loads the links the first time. */
  open(): void {
    if (!this.el.dialog.open) this.el.dialog.showModal();
    this.el.editLink.value = new URL(`/d/${this.docId}`, window.location.origin).href;
    if (!this.loaded) void this.load();
  }

  private async load(): Promise<void> {
    this.setBusy(true, 'Loading links…');
    try {
      const links = (await fetchJson(`/api/docs/${encodeURIComponent(this.docId)}/links`)) as Partial<LinksReply>;
      this.el.editLink.value = absolute(links.editUrl);
      this.el.viewLink.value = absolute(links.viewUrl);
      this.loaded = true;
      this.setBusy(false, '');
    } catch (error) {
      this.setBusy(false, (error as Error).message, true);
    }
  }

  private async regenerate(): Promise<void> {
    if (this.busy) return;
    this.setBusy(true, 'Creating a new view-only link…');
    try {
      const reply = (await fetchJson(`/api/docs/${encodeURIComponent(this.docId)}/view-link`, { method: 'POST' })) as {
        viewUrl?: unknown;
      };
      this.el.viewLink.value = absolute(reply.viewUrl);
      this.loaded = true;
      this.setBusy(false, 'New view-only link created. The previous one no longer works.');
      this.flash(this.el.viewLink);
    } catch (error) {
      this.setBusy(false, (error as Error).message, true);
    }
  }

  private async copy(input: HTMLInputElement, button: HTMLButtonElement): Promise<void> {
    if (input.value === '') return;
    const ok = await copyText(input.value, input);
    const label = button.querySelector('.button-label');
    if (!label) return;
    button.classList.toggle('is-done', ok);
    label.textContent = ok ? 'Copied' : 'Press Ctrl+C';
    button.replaceChildren(icon(ok ? 'check' : 'copy'), label);
    window.setTimeout(() => {
      label.textContent = 'Copy';
      button.classList.remove('is-done');
      button.replaceChildren(icon('copy'), label);
    }, 1800);
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
