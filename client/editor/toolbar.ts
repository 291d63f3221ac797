/**
 * The formatting toolbar: one button per command, grouped, each with `data-command`, an
 * accessible label, a tooltip naming its shortcut, `aria-pressed` showing whether it is active
 * where the cursor is, and `disabled` when it does not apply there.
 */
import type { Command, EditorState } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import { icon, type IconName } from './icons.js';
import { describeShortcut, SHORTCUTS } from './keymap.js';

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
}

/** Groups of items; a divider is drawn between groups. */
export type ToolbarLayout = readonly (readonly ToolbarItem[])[];

function isMacPlatform(): boolean {
  const platform = (navigator as Navigator & { userAgentData?: { platform?: string } }).userAgentData?.platform ?? navigator.platform;
  return /mac|iphone|ipad/i.test(platform);
}

/** Renders the toolbar into `root` and keeps its buttons in step with the editor. */
export class Toolbar {
  private readonly buttons = new Map<ToolbarItem, HTMLButtonElement>();
  private enabled = true;

  constructor(
    private readonly root: HTMLElement,
    layout: ToolbarLayout,
    private readonly getView: () => EditorView | null,
  ) {
    root.replaceChildren();
    root.setAttribute('role', 'toolbar');
    root.setAttribute('aria-label', 'Formatting');
    const mac = isMacPlatform();
    layout.forEach((group, index) => {
      if (index > 0) {
        const divider = document.createElement('span');
        divider.className = 'toolbar-divider';
        divider.setAttribute('role', 'separator');
        root.append(divider);
      }
      const groupEl = document.createElement('div');
      groupEl.className = 'toolbar-group';
      for (const item of group) groupEl.append(this.createButton(item, mac));
      root.append(groupEl);
    });
  }

  private createButton(item: ToolbarItem, mac: boolean): HTMLButtonElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'toolbar-button';
    button.dataset['command'] = item.command;
    button.setAttribute('aria-pressed', 'false');
    button.setAttribute('aria-label', item.label);
    const shortcut = SHORTCUTS[item.command];
    button.dataset['tooltip'] = shortcut ? `${item.label} (${describeShortcut(shortcut, mac)})` : item.label;
    if ('icon' in item.face) {
      button.append(icon(item.face.icon));
    } else {
      const face = document.createElement('span');
      face.className = `toolbar-glyph glyph-${item.command}`;
      face.textContent = item.face.text;
      face.setAttribute('aria-hidden', 'true');
      button.append(face);
    }
    // Keep the editor's selection: a toolbar click must not move focus away from the text.
    button.addEventListener('mousedown', (event) => event.preventDefault());
    button.addEventListener('click', () => {
      const view = this.getView();
      if (!view || !this.enabled) return;
      item.run(view.state, view.dispatch, view);
      if (item.command !== 'link') view.focus();
    });
    this.buttons.set(item, button);
    return button;
  }

  /** Refreshes active and enabled states for `state`. Cheap enough to call on every update. */
  update(state: EditorState): void {
    for (const [item, button] of this.buttons) {
      const active = this.enabled && (item.isActive?.(state) ?? false);
      const enabled = this.enabled && (item.isEnabled ? item.isEnabled(state) : item.run(state) === true);
      const pressed = active ? 'true' : 'false';
      if (button.getAttribute('aria-pressed') !== pressed) button.setAttribute('aria-pressed', pressed);
      if (button.disabled === enabled) button.disabled = !enabled;
    }
  }

  /** Enables or disables every button (view-only mode disables them all). */
  setEnabled(enabled: boolean, state: EditorState): void {
    this.enabled = enabled;
    this.root.classList.toggle('is-disabled', !enabled);
    this.update(state);
  }
}
