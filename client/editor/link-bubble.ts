/**
 * The bubble under a link when the caret is in it, as people know it from Google Docs: the link's
 * address, then Open, Edit and Remove. (A view-only page has none: there a plain click, or Enter
 * on a link reached with Tab, follows the link.)
 *
 * Keyboard: the bubble follows the document in the tab order, so Tab from a link in the text
 * reaches it; the arrow keys move between its buttons; Escape returns to the text. Alt+Enter in
 * the text opens the link. Only a safe address (http, https, mailto; see safeHref) ever opens;
 * a link a peer stored with anything else shows as "Not a web address" and cannot be opened.
 */
import type { EditorView } from 'prosemirror-view';
import { linkAt, removeLink } from './commands.js';
import { icon, type IconName } from './icons.js';
import { RovingFocus } from './roving-focus.js';
import { safeHref } from '../../document/safe-href.js';

/** Opens `href` in a new tab without giving it this page, when it is safe; says whether it did. */
export function openSafely(href: unknown): boolean {
  const safe = safeHref(href);
  if (safe === null) return false;
  window.open(safe, '_blank', 'noopener,noreferrer');
  return true;
}

/** The address as a person reads it: no scheme for web links, no trailing slash. */
export function displayHref(href: string): string {
  return href.replace(/^https?:\/\//, '').replace(/^mailto:/, '').replace(/\/$/, '');
}

export interface LinkBubbleOptions {
  /** Whether the page is view-only (then there is no bubble). */
  readonly readOnly: () => boolean;
  /** Opens the link prompt for the link at the caret. */
  readonly edit: (view: EditorView) => void;
  /** Whether the link prompt is open (the bubble then stays out of its way). */
  readonly promptOpen: () => boolean;
}

export class LinkBubble {
  private readonly root: HTMLElement;
  private readonly address: HTMLElement;
  private readonly buttons: Record<'open' | 'edit' | 'remove', HTMLButtonElement>;
  private readonly roving: RovingFocus;
  private view: EditorView | null = null;
  private href: string | null = null;

  /** Creates the bubble right after `after` (the document), so that it follows it in tab order. */
  constructor(after: HTMLElement, private readonly options: LinkBubbleOptions) {
    this.root = document.createElement('div');
    this.root.id = 'link-bubble';
    this.root.className = 'link-bubble';
    this.root.setAttribute('role', 'toolbar');
    this.root.setAttribute('aria-label', 'Link');
    this.root.hidden = true;
    this.address = document.createElement('span');
    this.address.className = 'link-bubble-address';
    this.buttons = {
      open: this.button('open', 'Open', 'external'),
      edit: this.button('edit', 'Edit', 'pencil'),
      remove: this.button('remove', 'Remove', 'unlink'),
    };
    this.root.append(this.address, this.buttons.open, this.buttons.edit, this.buttons.remove);
    after.after(this.root);
    this.roving = new RovingFocus(this.root, () => Object.values(this.buttons));

    this.buttons.open.addEventListener('click', () => {
      openSafely(this.href);
    });
    this.buttons.edit.addEventListener('click', () => {
      if (this.view) this.options.edit(this.view);
    });
    this.buttons.remove.addEventListener('click', () => {
      const view = this.view;
      if (!view) return;
      removeLink(view.state, view.dispatch);
      view.focus();
    });
    this.root.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        this.view?.focus();
      }
    });
    // Leaving the bubble for anywhere but the text hides it (checked once focus has settled).
    this.root.addEventListener('focusout', () => setTimeout(() => this.update(), 0));
  }

  private button(action: string, label: string, iconName: IconName): HTMLButtonElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'link-bubble-button';
    button.dataset['action'] = action;
    const text = document.createElement('span');
    text.textContent = label;
    button.append(icon(iconName), text);
    // A click must not take focus from the text before the bubble knows which link it is about.
    button.addEventListener('mousedown', (event) => event.preventDefault());
    return button;
  }

  /** Shows, moves or hides the bubble for the state of `view`. Call after every editor update. */
  update(view: EditorView | null = this.view): void {
    this.view = view;
    if (view === null || view.isDestroyed) return this.hide();
    const link = linkAt(view.state);
    const focused = view.hasFocus() || this.root.contains(document.activeElement);
    if (link === null || !focused || this.options.readOnly() || this.options.promptOpen()) return this.hide();
    this.show(view, link.href, link.from);
  }

  private show(view: EditorView, href: string, from: number): void {
    const safe = safeHref(href);
    this.href = safe;
    this.address.textContent = safe === null ? 'Not a web address' : displayHref(safe);
    this.address.title = safe ?? '';
    this.address.classList.toggle('is-unsafe', safe === null);
    this.buttons.open.disabled = safe === null;
    this.root.hidden = false;
    this.roving.refresh();
    const coords = view.coordsAtPos(from);
    const width = this.root.offsetWidth;
    const left = Math.max(8, Math.min(coords.left, document.documentElement.clientWidth - width - 8));
    // CSSOM properties, not a style attribute: the page's CSP allows these.
    this.root.style.left = `${left + window.scrollX}px`;
    this.root.style.top = `${coords.bottom + 6 + window.scrollY}px`;
  }

  hide(): void {
    if (this.root.hidden) return;
    this.root.hidden = true;
    this.href = null;
  }
}
