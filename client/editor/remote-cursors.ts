/**
 * How other people's cursors and selections look. Colours are set through the CSSOM
 * (`element.style.…`), never through a `style` attribute, so they pass the page's
 * Content-Security-Policy; and a peer's colour is used only when it is a plain `#rrggbb` value.
 */
import { Plugin } from 'prosemirror-state';
import type { DecorationAttrs, EditorView } from 'prosemirror-view';
import type { Awareness } from 'y-protocols/awareness';
import { cleanName, contrastText, safeColor } from './identity.js';

/** The awareness `user` field as it arrives from a peer: untrusted, possibly missing parts. */
export interface PeerUser {
  readonly name?: unknown;
  readonly color?: unknown;
}

/** A peer's display name, or a neutral stand-in when they sent none. */
export function peerName(user: PeerUser | undefined, clientId: number): string {
  const name = typeof user?.name === 'string' ? cleanName(user.name) : '';
  return name === '' ? `Guest ${clientId % 1000}` : name;
}

/** Paints `cursor` (a `.remote-cursor`) and its label for `user`. */
function paintCursor(cursor: HTMLElement, label: HTMLElement, user: PeerUser | undefined, clientId: number): void {
  const color = safeColor(user?.color);
  const name = peerName(user, clientId);
  cursor.style.borderColor = color;
  if (label.textContent !== name) label.textContent = name;
  label.style.backgroundColor = color;
  // Black or white by computed contrast: white on a light colour would be unreadable.
  label.style.color = contrastText(color);
}

/**
 * The caret of a remote person: a thin coloured bar with their name in a small flag above it.
 * Structure (relied on by tests): `.remote-cursor > .remote-cursor-label` with the name as text.
 */
export function buildRemoteCursor(user: PeerUser | undefined, clientId: number): HTMLElement {
  const cursor = document.createElement('span');
  cursor.className = 'remote-cursor';
  cursor.dataset['clientId'] = String(clientId);
  const label = document.createElement('span');
  label.className = 'remote-cursor-label';
  paintCursor(cursor, label, user, clientId);
  // Word joiners keep the caret from being split from the text around it when lines wrap.
  cursor.append('\u2060', label, '\u2060');
  return cursor;
}

/**
 * The highlight over a remote person's selection: their colour at low opacity. ProseMirror
 * applies decoration styles through `style.cssText`, which the CSP allows.
 */
export function buildRemoteSelection(user: PeerUser | undefined): DecorationAttrs {
  return { class: 'remote-selection', style: `background-color: ${safeColor(user?.color)}33` };
}

/**
 * Flips every caret label that would stick out past the right edge of `bounds` so that it extends
 * to the left of its caret instead: a label near the edge must never widen the page.
 */
function placeLabels(root: HTMLElement, bounds: HTMLElement): void {
  const labels = root.querySelectorAll<HTMLElement>('.remote-cursor-label');
  if (labels.length === 0) return;
  const right = bounds.getBoundingClientRect().right;
  for (const label of labels) {
    const caret = label.parentElement?.getBoundingClientRect();
    if (caret === undefined) continue;
    label.classList.toggle('is-flipped', caret.left + label.offsetWidth > right - 2);
  }
}

/**
 * Keeps remote carets current: y-prosemirror reuses a caret's element for as long as its person is
 * in the document, so a new name or colour is painted onto the existing element here; and labels
 * near the right edge of `bounds` (the page of the document) are flipped to the left.
 */
export function remoteCursorsPlugin(awareness: Awareness, bounds: () => HTMLElement): Plugin {
  return new Plugin({
    view(view: EditorView) {
      const repaint = (): void => {
        for (const cursor of view.dom.querySelectorAll<HTMLElement>('.remote-cursor')) {
          const clientId = Number(cursor.dataset['clientId']);
          const label = cursor.querySelector<HTMLElement>('.remote-cursor-label');
          const state = awareness.getStates().get(clientId);
          if (label !== null && state !== undefined) paintCursor(cursor, label, state['user'] as PeerUser | undefined, clientId);
        }
        placeLabels(view.dom, bounds());
      };
      const place = (): void => placeLabels(view.dom, bounds());
      awareness.on('change', repaint);
      window.addEventListener('resize', place);
      return {
        update: place,
        destroy() {
          awareness.off('change', repaint);
          window.removeEventListener('resize', place);
        },
      };
    },
  });
}
