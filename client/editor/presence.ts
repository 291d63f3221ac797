/**
 * Who is here: one chip per person in the document (you first, marked `.self`), with their
 * name and colour, kept in step with the awareness states; and your own name field, whose
 * changes are published at once and remembered in this browser.
 */
import type { Awareness } from 'y-protocols/awareness';
import {
  cleanName,
  contrastText,
  initials,
  PEOPLE_COLORS,
  safeColor,
  saveIdentity,
  type Identity,
  type KeyValueStorage,
} from './identity.js';
import { peerName, type PeerUser } from './remote-cursors.js';

export interface PresenceElements {
  /** `#presence`: receives one `.peer` per person. */
  readonly list: HTMLElement;
  /** `#name-input`: your name. */
  readonly nameInput: HTMLInputElement;
  /** A button that gives you the next colour of the palette. */
  readonly colorButton: HTMLButtonElement;
}

function peerChip(name: string, color: string, self: boolean, clientId: number): HTMLElement {
  const chip = document.createElement('li');
  chip.className = self ? 'peer self' : 'peer';
  chip.textContent = name;
  chip.title = self ? `${name} (you)` : `${name} — show where they are`;
  chip.dataset['clientId'] = String(clientId);
  // The avatar circle is drawn by CSS from these, so the chip's text stays exactly the name.
  chip.dataset['initials'] = initials(name);
  chip.style.setProperty('--peer-color', color);
  chip.style.setProperty('--peer-ink', contrastText(color));
  return chip;
}

/** Keeps the presence list and the name field of one document page. */
export class Presence {
  private identity: Identity;

  constructor(
    private readonly awareness: Awareness,
    private readonly elements: PresenceElements,
    identity: Identity,
    private readonly storage: KeyValueStorage | null,
  ) {
    this.identity = identity;
    awareness.setLocalStateField('user', { name: identity.name, color: identity.color });
    elements.nameInput.value = identity.name;
    elements.nameInput.maxLength = 40;
    this.paintColorButton();

    elements.nameInput.addEventListener('input', () => {
      const name = cleanName(elements.nameInput.value);
      if (name !== '') this.setIdentity({ ...this.identity, name });
    });
    // A blank name is not kept: the field goes back to the last real one when you leave it.
    elements.nameInput.addEventListener('change', () => {
      elements.nameInput.value = this.identity.name;
    });
    elements.nameInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') elements.nameInput.blur();
    });
    elements.colorButton.addEventListener('click', () => {
      const index = PEOPLE_COLORS.indexOf(this.identity.color);
      const color = PEOPLE_COLORS[(index + 1) % PEOPLE_COLORS.length] ?? this.identity.color;
      this.setIdentity({ ...this.identity, color });
    });
    // A click on someone's chip scrolls to their cursor, when it is in the document.
    elements.list.addEventListener('click', (event) => {
      const chip = event.target instanceof Element ? event.target.closest<HTMLElement>('.peer:not(.self)') : null;
      const clientId = chip?.dataset['clientId'];
      if (clientId === undefined) return;
      const cursor = document.querySelector(`.remote-cursor[data-client-id="${CSS.escape(clientId)}"]`);
      cursor?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    });
    awareness.on('change', this.render);
    this.render();
  }

  private setIdentity(identity: Identity): void {
    this.identity = identity;
    saveIdentity(this.storage, identity);
    this.awareness.setLocalStateField('user', { name: identity.name, color: identity.color });
    this.paintColorButton();
  }

  private paintColorButton(): void {
    this.elements.colorButton.style.setProperty('--peer-color', this.identity.color);
    this.elements.colorButton.setAttribute('aria-label', 'Change your colour');
  }

  /** Redraws the list from the awareness states. */
  private readonly render = (): void => {
    const selfId = this.awareness.clientID;
    const chips: HTMLElement[] = [peerChip(this.identity.name, this.identity.color, true, selfId)];
    const others = [...this.awareness.getStates()]
      .filter(([clientId, state]) => clientId !== selfId && typeof state['user'] === 'object' && state['user'] !== null)
      .map(([clientId, state]) => {
        const user = state['user'] as PeerUser;
        return { clientId, name: peerName(user, clientId), color: safeColor(user.color) };
      })
      .sort((a, b) => a.name.localeCompare(b.name) || a.clientId - b.clientId);
    for (const peer of others) chips.push(peerChip(peer.name, peer.color, false, peer.clientId));
    this.elements.list.replaceChildren(...chips);
    this.elements.list.setAttribute('aria-label', `${chips.length} ${chips.length === 1 ? 'person' : 'people'} here`);
  };

  destroy(): void {
    this.awareness.off('change', this.render);
  }
}
