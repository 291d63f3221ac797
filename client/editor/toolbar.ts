/**
 * The formatting toolbar: one button per command, grouped, each with `data-command`, an
 * accessible label, a tooltip naming its shortcut, `aria-pressed` showing whether it is active
 * where the cursor is, and `disabled` when it does not apply there. An item with a `menu` opens a
 * menu of its own items instead (the Table menu).
 *
 * It is one Tab stop (arrow keys move inside it), and it never scrolls sideways: groups that do not
 * fit move into a More menu (`data-command="more"`), re-decided whenever the toolbar's width changes.
 */
import type { Command, EditorState } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import { icon, type IconName } from './icons.js';
import { describeShortcut, SHORTCUTS } from './keymap.js';
import { entryFace, PopupMenu, type MenuEntry } from './menu.js';
import { RovingFocus } from './roving-focus.js';

export interface ToolbarItem {
  /** The `data-command` value (tests and styles rely on it). */
  readonly command: string;
  /** Accessible name and tooltip text. */
  readonly label: string;
  /** An icon, or short text drawn in the button (for B, I, H1…). */
  readonly face: { readonly icon: IconName } | { readonly text: string };
  readonly run: Command;
  readonly isActive?: (state: EditorState) => boolean;
  /** Defaults to asking `run` whether it applies (without dispatching). */
  readonly isEnabled?: (state: EditorState) => boolean;
  /** The item opens a menu of these instead of running a command. */
  readonly menu?: readonly ToolbarItem[];
  /** Keeps focus where the command put it (the link prompt takes it) instead of returning it to the text. */
  readonly keepsFocus?: boolean;
  /** A line is drawn above this item when it is shown in a menu. */
  readonly separatorBefore?: boolean;
}

/** Groups of items; a divider is drawn between groups. */
export type ToolbarLayout = readonly (readonly ToolbarItem[])[];

interface Group {
  readonly element: HTMLElement;
  readonly divider: HTMLElement | null;
  readonly items: readonly ToolbarItem[];
}

function isMacPlatform(): boolean {
  const platform = (navigator as Navigator & { userAgentData?: { platform?: string } }).userAgentData?.platform ?? navigator.platform;
  return /mac|iphone|ipad/i.test(platform);
}

/** Asks a check, treating one that throws as "no": a failing check must not stop the others. */
function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch (error) {
    console.error(error);
    return false;
  }
}

/** Renders the toolbar into `root` and keeps its buttons in step with the editor. */
export class Toolbar {
  private readonly buttons = new Map<ToolbarItem, HTMLButtonElement>();
  private readonly groups: Group[] = [];
  private readonly more: HTMLButtonElement;
  private readonly moreMenu: PopupMenu;
  private readonly itemMenu: PopupMenu;
  private openItem: ToolbarItem | null = null;
  private readonly roving: RovingFocus;
  private enabled = true;
  private state: EditorState | null = null;

  constructor(
    private readonly root: HTMLElement,
    layout: ToolbarLayout,
    private readonly getView: () => EditorView | null,
    id: string,
  ) {
    root.replaceChildren();
    root.setAttribute('role', 'toolbar');
    const mac = isMacPlatform();
    layout.forEach((items, index) => {
      let divider: HTMLElement | null = null;
      if (index > 0) {
        divider = document.createElement('span');
        divider.className = 'toolbar-divider';
        divider.setAttribute('role', 'separator');
        root.append(divider);
      }
      const element = document.createElement('div');
      element.className = 'toolbar-group';
      for (const item of items) element.append(this.createButton(item, mac));
      root.append(element);
      this.groups.push({ element, divider, items });
    });
    this.more = this.createMoreButton();
    root.append(this.more);
    this.moreMenu = new PopupMenu({ id: `${id}-more-menu`, label: 'More formatting', entries: () => this.overflowEntries() });
    this.itemMenu = new PopupMenu({ id: `${id}-item-menu`, label: 'Options', entries: () => this.menuEntries(this.openItem?.menu ?? []) });
    this.roving = new RovingFocus(root, () => [...this.buttons.values(), this.more].filter((b) => !b.closest('[hidden]')));
    this.roving.refresh();
    new ResizeObserver(() => this.fit()).observe(root);
  }

  private createButton(item: ToolbarItem, mac: boolean): HTMLButtonElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'toolbar-button';
    button.dataset['command'] = item.command;
    button.setAttribute('aria-label', item.label);
    if (item.menu) button.setAttribute('aria-haspopup', 'menu');
    else button.setAttribute('aria-pressed', 'false');
    const shortcut = SHORTCUTS[item.command];
    button.dataset['tooltip'] = shortcut ? `${item.label} (${describeShortcut(shortcut, mac)})` : item.label;
    const face = entryFace(item.face, item.command);
    if (face) button.append(face);
    // Keep the editor's selection: a toolbar click must not move focus away from the text.
    button.addEventListener('mousedown', (event) => event.preventDefault());
    button.addEventListener('click', () => {
      if (item.menu) this.openMenuOf(item, button);
      else this.run(item);
    });
    this.buttons.set(item, button);
    return button;
  }

  private createMoreButton(): HTMLButtonElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'toolbar-button toolbar-more';
    button.dataset['command'] = 'more';
    button.dataset['tooltip'] = 'More';
    button.setAttribute('aria-label', 'More formatting');
    button.setAttribute('aria-haspopup', 'menu');
    button.setAttribute('aria-expanded', 'false');
    button.hidden = true;
    button.append(icon('more'));
    button.addEventListener('mousedown', (event) => event.preventDefault());
    button.addEventListener('click', () => this.moreMenu.toggle(button));
    return button;
  }

  private run(item: ToolbarItem): void {
    const view = this.getView();
    if (!view || !this.enabled) return;
    item.run(view.state, view.dispatch, view);
    if (!item.keepsFocus) view.focus();
  }

  private openMenuOf(item: ToolbarItem, anchor: HTMLElement): void {
    if (!this.enabled) return;
    this.openItem = item;
    this.itemMenu.toggle(anchor);
  }

  private isEnabledItem(item: ToolbarItem, state: EditorState): boolean {
    if (!this.enabled) return false;
    if (item.menu) return item.menu.some((entry) => this.isEnabledItem(entry, state));
    return safely(() => (item.isEnabled ? item.isEnabled(state) : item.run(state) === true));
  }

  /** Menu entries for `items`, checked against the editor's state when the menu opens. */
  private menuEntries(items: readonly ToolbarItem[]): MenuEntry[] {
    const view = this.getView();
    return items.map((item) => ({
      command: item.command,
      label: item.menu ? `${item.label}…` : item.label,
      face: item.face,
      separatorBefore: item.separatorBefore,
      isEnabled: () => view !== null && this.isEnabledItem(item, view.state),
      isChecked: item.isActive && !item.menu ? () => view !== null && safely(() => item.isActive!(view.state)) : undefined,
      run: () => {
        if (item.menu) this.openMenuOf(item, this.more);
        else this.run(item);
      },
    }));
  }

  /** The entries of the groups that do not fit, for the More menu. */
  private overflowEntries(): MenuEntry[] {
    const entries: MenuEntry[] = [];
    for (const group of this.groups) {
      if (!group.element.hidden) continue;
      group.items.forEach((item, index) => {
        const [entry] = this.menuEntries([item]);
        if (entry) entries.push(index === 0 ? { ...entry, separatorBefore: entries.length > 0 } : entry);
      });
    }
    return entries;
  }

  /** Shows as many groups as fit, from the first; the rest go into the More menu. */
  private fit(): void {
    if (this.root.clientWidth === 0) return;
    for (const group of this.groups) {
      group.element.hidden = false;
      if (group.divider) group.divider.hidden = false;
    }
    this.more.hidden = true;
    if (this.root.scrollWidth > this.root.clientWidth) {
      this.more.hidden = false;
      for (let i = this.groups.length - 1; i > 0 && this.root.scrollWidth > this.root.clientWidth; i--) {
        const group = this.groups[i]!;
        group.element.hidden = true;
        if (group.divider) group.divider.hidden = true;
      }
    }
    this.roving.refresh();
  }

  /** Refreshes active and enabled states for `state`. Cheap enough to call on every update. */
  update(state: EditorState): void {
    this.state = state;
    let changed = false;
    for (const [item, button] of this.buttons) {
      const enabled = this.isEnabledItem(item, state);
      if (button.disabled === enabled) {
        button.disabled = !enabled;
        changed = true;
      }
      const active = this.enabled && item.isActive !== undefined && safely(() => item.isActive!(state));
      if (item.menu) {
        // A menu button has no pressed state; it is only drawn as active (the Table button in a table).
        button.classList.toggle('is-active', active);
        continue;
      }
      const pressed = active ? 'true' : 'false';
      if (button.getAttribute('aria-pressed') !== pressed) button.setAttribute('aria-pressed', pressed);
    }
    // Only a button that became disabled (or enabled) can move the Tab stop.
    if (changed) this.roving.refresh();
  }

  /** Enables or disables every button (view-only mode disables them all). */
  setEnabled(enabled: boolean, state: EditorState): void {
    this.enabled = enabled;
    this.root.classList.toggle('is-disabled', !enabled);
    if (!enabled) {
      this.moreMenu.close(false);
      this.itemMenu.close(false);
    }
    this.update(state);
  }

  /** Re-decides which groups fit (after the toolbar was shown again, say). */
  refit(): void {
    this.fit();
    if (this.state) this.update(this.state);
  }
}
