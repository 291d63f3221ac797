/**
 * How other people's cursors and selections look. Colours are set through the CSSOM
 * (`element.style.…`), never through a `style` attribute, so they pass the page's
 * Content-Security-Policy; and a peer's colour is used only when it is a plain `#rrggbb` value.
 */
import type { DecorationAttrs } from 'prosemirror-view';
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

/**
 * The caret of a remote person: a thin coloured bar with their name in a small flag above it.
 * Structure (relied on by tests): `.remote-cursor > .remote-cursor-label` with the name as text.
 */
export function buildRemoteCursor(user: PeerUser | undefined, clientId: number): HTMLElement {
  const color = safeColor(user?.color);
  const cursor = document.createElement('span');
  cursor.className = 'remote-cursor';
  cursor.dataset['clientId'] = String(clientId);
  cursor.style.borderColor = color;
  const label = document.createElement('span');
  label.className = 'remote-cursor-label';
  label.textContent = peerName(user, clientId);
  label.style.backgroundColor = color;
  label.style.color = contrastText(color);
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
