/**
 * The notice bar under the toolbar: tells the person about refusals from the server in plain
 * words. `#notice` holds only the message text and a dismiss button without text, so its text
 * is the message. Refusals that end the page (an unknown or deleted document, a revoked or
 * expired link, no access) get a page of their own instead (refusal.ts); their entries here only
 * serve a page that cannot show that page.
 */
import type { QuireErrorPayload } from '../../shared/errors.js';
import { icon } from './icons.js';

export type NoticeTone = 'error' | 'warning' | 'info';

/** What a refusal means for the person, and whether the page can go on after it. */
export interface ErrorNotice {
  readonly message: string;
  readonly tone: NoticeTone;
  /** The page is cut off for good: no dismiss button, editing stops. */
  readonly fatal: boolean;
  /** The notice is about a passing condition and goes away after the next successful sync. */
  readonly passing?: boolean;
}

/** The plain-language notice for a server error. Unknown codes fall back to the server's message. */
export function noticeForError(error: QuireErrorPayload): ErrorNotice {
  switch (error.code) {
    case 'doc-too-large':
      return { message: 'This document has reached its size limit; the last change was not saved.', tone: 'error', fatal: false };
    case 'update-too-large':
      return { message: 'That change is too large to save in one go; it was not saved. Try pasting less at a time.', tone: 'error', fatal: false };
    case 'link-revoked':
      return { message: 'This link no longer works. Ask whoever shared it for the current link.', tone: 'error', fatal: true };
    case 'not-found':
      return { message: 'This link does not lead to a document. It may have been mistyped or replaced.', tone: 'error', fatal: true };
    case 'forbidden':
      return { message: 'You do not have access to this document.', tone: 'error', fatal: true };
    case 'doc-deleted':
      return { message: 'This document has been deleted.', tone: 'error', fatal: true };
    case 'invalid-doc-name':
      return { message: 'This link is not a valid document link.', tone: 'error', fatal: true };
    case 'read-only':
      return { message: 'You can view this document but not change it.', tone: 'warning', fatal: false };
    case 'load-failed':
    case 'storage-unavailable':
      return { message: 'The server cannot reach its storage right now. Your changes are kept on this device and will be sent when it recovers.', tone: 'warning', fatal: false, passing: true };
    case 'server-shutdown':
      return { message: 'The server is restarting. Your changes are kept on this device and will be sent when it is back.', tone: 'info', fatal: false, passing: true };
    case 'rate-limited':
      return { message: 'You are sending changes faster than the server accepts them; some will be sent again shortly.', tone: 'warning', fatal: false, passing: true };
    case 'too-many-docs':
      return { message: 'Too many documents are open in this browser. Close some tabs and reload.', tone: 'warning', fatal: false };
    default:
      return { message: error.message || 'Something went wrong.', tone: 'error', fatal: false };
  }
}

/** Controls the `#notice` element. */
export class NoticeBar {
  private passing = false;
  private readonly text: HTMLElement;
  private readonly dismiss: HTMLButtonElement;

  constructor(private readonly root: HTMLElement) {
    root.setAttribute('role', 'alert');
    root.hidden = true;
    const mark = icon('warning');
    mark.classList.add('notice-icon');
    this.text = document.createElement('span');
    this.text.className = 'notice-text';
    this.dismiss = document.createElement('button');
    this.dismiss.type = 'button';
    this.dismiss.className = 'notice-dismiss';
    this.dismiss.setAttribute('aria-label', 'Dismiss');
    this.dismiss.append(icon('close'));
    this.dismiss.addEventListener('click', () => this.clear());
    root.replaceChildren(mark, this.text, this.dismiss);
  }

  /** Shows the notice for a server error and returns what it means for the page. */
  showError(error: QuireErrorPayload): ErrorNotice {
    const notice = noticeForError(error);
    this.show(notice.message, notice.tone, notice.fatal);
    this.passing = notice.passing === true;
    return notice;
  }

  /** Hides the notice if it was about a passing condition (called once the page is synced again). */
  clearPassing(): void {
    if (this.passing) this.clear();
  }

  /** Shows `message`; a persistent notice has no dismiss button. */
  show(message: string, tone: NoticeTone, persistent = false): void {
    this.passing = false;
    this.text.textContent = message;
    this.root.dataset['tone'] = tone;
    this.dismiss.hidden = persistent;
    this.root.hidden = false;
  }

  clear(): void {
    this.root.hidden = true;
    this.text.textContent = '';
  }
}
