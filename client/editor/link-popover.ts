/**
 * The small panel that asks for a link's address (toolbar link button, Mod-K). It sits under the
 * selection, accepts web and email addresses only (via `hrefFromUserInput`), and can remove an
 * existing link. Enter applies, Escape cancels and returns focus to the text.
 */
import type { EditorView } from 'prosemirror-view';
import { insertLink, linkAt, removeLink, setLink } from './commands.js';
import { hrefFromUserInput } from '../../document/safe-href.js';

export class LinkPopover {
  private readonly root: HTMLFormElement;
  private readonly input: HTMLInputElement;
  private readonly error: HTMLElement;
  private readonly removeButton: HTMLButtonElement;
  private view: EditorView | null = null;

  constructor(container: HTMLElement) {
    this.root = document.createElement('form');
    this.root.id = 'link-popover';
    this.root.className = 'popover';
    this.root.hidden = true;
    this.root.setAttribute('aria-label', 'Link');
    this.root.noValidate = true;

    const row = document.createElement('div');
    row.className = 'popover-row';
    const label = document.createElement('label');
    label.className = 'visually-hidden';
    label.htmlFor = 'link-input';
    label.textContent = 'Link address';
    this.input = document.createElement('input');
    this.input.id = 'link-input';
    this.input.type = 'text';
    this.input.inputMode = 'url';
    this.input.autocomplete = 'off';
    this.input.spellcheck = false;
    this.input.placeholder = 'Paste or type a link';
    const apply = document.createElement('button');
    apply.type = 'submit';
    apply.id = 'link-apply';
    apply.className = 'button button-primary button-small';
    apply.textContent = 'Apply';
    this.removeButton = document.createElement('button');
    this.removeButton.type = 'button';
    this.removeButton.id = 'link-remove';
    this.removeButton.className = 'button button-small';
    this.removeButton.textContent = 'Remove';
    row.append(label, this.input, apply, this.removeButton);

    this.error = document.createElement('p');
    this.error.className = 'popover-error';
    this.error.id = 'link-error';
    this.error.hidden = true;
    this.input.setAttribute('aria-describedby', 'link-error');
    this.root.append(row, this.error);
    container.append(this.root);

    this.root.addEventListener('submit', (event) => {
      event.preventDefault();
      this.apply();
    });
    this.removeButton.addEventListener('click', () => {
      const view = this.view;
      if (view) removeLink(view.state, view.dispatch);
      this.close(true);
    });
    this.root.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        this.close(true);
      }
    });
    this.input.addEventListener('input', () => this.showError(null));
    document.addEventListener('mousedown', (event) => {
      if (!this.root.hidden && event.target instanceof Node && !this.root.contains(event.target)) this.close(false);
    });
  }

  get isOpen(): boolean {
    return !this.root.hidden;
  }

  /** Opens the panel for the selection in `view`, prefilled with the link already there. */
  open(view: EditorView): void {
    this.view = view;
    const existing = linkAt(view.state);
    this.input.value = existing?.href ?? '';
    this.removeButton.hidden = existing === null;
    this.showError(null);
    this.root.hidden = false;
    this.position(view);
    this.input.focus();
    this.input.select();
  }

  /** Closes the panel; with `refocus`, puts the caret back into the text. */
  close(refocus: boolean): void {
    if (this.root.hidden) return;
    this.root.hidden = true;
    if (refocus) this.view?.focus();
  }

  private apply(): void {
    const view = this.view;
    if (!view) return;
    const raw = this.input.value;
    if (raw.trim() === '') {
      removeLink(view.state, view.dispatch);
      this.close(true);
      return;
    }
    const href = hrefFromUserInput(raw);
    if (href === null) {
      this.showError('Links must be web addresses (https://…) or email addresses.');
      return;
    }
    const applied = setLink(href)(view.state, view.dispatch) || insertLink(raw.trim(), href)(view.state, view.dispatch);
    if (!applied) {
      this.showError('A link cannot be added here.');
      return;
    }
    this.close(true);
  }

  private showError(message: string | null): void {
    this.error.hidden = message === null;
    this.error.textContent = message ?? '';
    this.input.setAttribute('aria-invalid', message === null ? 'false' : 'true');
  }

  /** Places the panel under the selection, kept inside the viewport horizontally. */
  private position(view: EditorView): void {
    const { from } = view.state.selection;
    const coords = view.coordsAtPos(from);
    const width = this.root.offsetWidth || 360;
    const left = Math.max(8, Math.min(coords.left - 16, window.innerWidth - width - 8));
    this.root.style.left = `${left + window.scrollX}px`;
    this.root.style.top = `${coords.bottom + 8 + window.scrollY}px`;
  }
}
