/**
 * A pop-up menu opened by a button (the toolbar's More and Table menus, the Download menu):
 * `role="menu"` with one button per entry, placed under its button and kept inside the viewport.
 * Keyboard as in the WAI-ARIA menu button pattern: the first entry gets focus on open, Up and Down
 * move (Home, End too), Enter or Space choose, Escape closes and returns focus to the button, Tab
 * closes. A click outside closes it.
 */
import { icon, type IconName } from './icons.js';
import { RovingFocus } from './roving-focus.js';

export interface MenuEntry {
  /** `data-command` of the entry (tests and styles rely on it). */
  readonly command: string;
  readonly label: string;
  readonly face?: { readonly icon: IconName } | { readonly text: string };
  /** Drawn as a checkbox entry (`menuitemcheckbox`) whose state `isChecked` tells. */
  readonly isChecked?: () => boolean;
  readonly isEnabled?: () => boolean;
  /** A line is drawn above this entry. */
  readonly separatorBefore?: boolean;
  /** Runs after the menu closed. */
  readonly run: () => void;
}

export interface MenuOptions {
  readonly id: string;
  readonly label: string;
  /** The entries, asked every time the menu opens. */
  readonly entries: () => readonly MenuEntry[];
}

/** Draws an entry's face: its icon or glyph, then its label. */
export function entryFace(face: MenuEntry['face'], command: string): Element | null {
  if (face === undefined) return null;
  if ('icon' in face) return icon(face.icon);
  const glyph = document.createElement('span');
  glyph.className = `toolbar-glyph glyph-${command}`;
  glyph.textContent = face.text;
  glyph.setAttribute('aria-hidden', 'true');
  return glyph;
}

export class PopupMenu {
  readonly element: HTMLElement;
  private anchor: HTMLElement | null = null;
  private items: { entry: MenuEntry; button: HTMLButtonElement }[] = [];
  private readonly roving: RovingFocus;

  constructor(private readonly options: MenuOptions) {
    this.element = document.createElement('div');
    this.element.id = options.id;
    this.element.className = 'menu';
    this.element.setAttribute('role', 'menu');
    this.element.setAttribute('aria-label', options.label);
    this.element.hidden = true;
    document.body.append(this.element);
    this.roving = new RovingFocus(this.element, () => this.items.map((item) => item.button), 'vertical');
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        this.close(true);
      } else if (event.key === 'Tab') {
        event.preventDefault();
        this.close(true);
      }
    });
    document.addEventListener('pointerdown', (event) => {
      if (!this.isOpen || !(event.target instanceof Node)) return;
      if (!this.element.contains(event.target) && !this.anchor?.contains(event.target)) this.close(false);
    });
    window.addEventListener('resize', () => this.close(false));
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  /** Opens the menu under `anchor` (which gets `aria-expanded`), focusing its first entry. */
  open(anchor: HTMLElement): void {
    if (this.isOpen) this.close(false);
    this.anchor = anchor;
    this.render();
    this.element.hidden = false;
    anchor.setAttribute('aria-expanded', 'true');
    this.place(anchor);
    this.roving.focus();
  }

  /** Closes the menu; with `returnFocus`, focus goes back to the button that opened it. */
  close(returnFocus: boolean): void {
    if (!this.isOpen) return;
    this.element.hidden = true;
    this.anchor?.setAttribute('aria-expanded', 'false');
    if (returnFocus) this.anchor?.focus();
  }

  /** Opens the menu, or closes it when it is open from the same button. */
  toggle(anchor: HTMLElement): void {
    if (this.isOpen && this.anchor === anchor) this.close(true);
    else this.open(anchor);
  }

  private render(): void {
    const nodes: HTMLElement[] = [];
    this.items = [];
    for (const entry of this.options.entries()) {
      if (entry.separatorBefore && nodes.length > 0) {
        const line = document.createElement('div');
        line.className = 'menu-separator';
        line.setAttribute('role', 'separator');
        nodes.push(line);
      }
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'menu-item';
      button.dataset['command'] = entry.command;
      button.tabIndex = -1;
      const checked = entry.isChecked?.();
      button.setAttribute('role', checked === undefined ? 'menuitem' : 'menuitemcheckbox');
      if (checked !== undefined) button.setAttribute('aria-checked', String(checked));
      button.disabled = entry.isEnabled?.() === false;
      const face = entryFace(entry.face, entry.command);
      const label = document.createElement('span');
      label.className = 'menu-label';
      label.textContent = entry.label;
      button.append(...(face ? [face] : []), label);
      button.addEventListener('click', () => {
        // Close first: the entry may move focus (into the document, or to another menu).
        this.close(false);
        entry.run();
      });
      this.items.push({ entry, button });
      nodes.push(button);
    }
    this.element.replaceChildren(...nodes);
  }

  /** Under the anchor, its left edge aligned with the anchor's, inside the viewport (8 px margin). */
  private place(anchor: HTMLElement): void {
    const rect = anchor.getBoundingClientRect();
    const width = this.element.offsetWidth;
    const height = this.element.offsetHeight;
    const left = Math.max(8, Math.min(rect.left, window.innerWidth - width - 8));
    const below = rect.bottom + 4;
    const top = below + height <= window.innerHeight - 8 ? below : Math.max(8, rect.top - height - 4);
    // CSSOM properties, not a style attribute: the page's CSP allows these.
    this.element.style.left = `${left}px`;
    this.element.style.top = `${top}px`;
  }
}
