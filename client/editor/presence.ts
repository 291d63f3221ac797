/**
 * Who is here: one chip per person in the document (you first, marked `.self`), with their
 * name and colour, kept in step with the awareness states; and your own name field, whose
 * changes are published at once and remembered in this browser.
 *
 * The other people's chips are buttons (one Tab stop, arrow keys between them) that bring their
 * cursor into view. Pressing Enter or Escape in your name field returns you to the document.
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
import { RovingFocus } from './roving-focus.js';

export interface PresenceElements {
  /** `#presence`: receives one `.peer` per person. */
  readonly list: HTMLElement;
  /** `#name-input`: your name. */
  readonly nameInput: HTMLInputElement;
  /** A button that gives you the next colour of the palette. */
  readonly colorButton: HTMLButtonElement;
}

interface Person {
  readonly clientId: number;
  readonly name: string;
  readonly color: string;
  readonly self: boolean;
}

function peerChip({ name, color, self, clientId }: Person): HTMLElement {
  const chip = document.createElement('li');
  chip.className = self ? 'peer self' : 'peer';
  chip.dataset['clientId'] = String(clientId);
  // The avatar circle is drawn by CSS from these, so the chip's text stays exactly the name.
  chip.dataset['initials'] = initials(name);
  chip.style.setProperty('--peer-color', color);
  chip.style.setProperty('--peer-ink', contrastText(color));
  if (self) {
    chip.textContent = name;
    chip.title = `${name} (you)`;
    return chip;
  }
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'peer-button';
  button.dataset['initials'] = initials(name);
  button.textContent = name;
  button.title = `${name} — show where they are`;
  chip.append(button);
  return chip;
}

/** Keeps the presence list and the name field of one document page. */
export class Presence {
  private identity: Identity;
  /** What the list shows now, to redraw only when it changes (a redraw would drop focus). */
  private shownKey = '';
  private readonly roving: RovingFocus;

  /** `returnFocus` puts the caret back into the document (after Enter or Escape in the name field). */
  constructor(
    private readonly awareness: Awareness,
    private readonly elements: PresenceElements,
    identity: Identity,
    private readonly storage: KeyValueStorage | null,
    returnFocus: () => void,
  ) {
    this.roving = new RovingFocus(elements.list, () => Array.from(elements.list.querySelectorAll<HTMLElement>('.peer-button')));
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
      if (event.key === 'Escape') elements.nameInput.value = this.identity.name;
      if (event.key === 'Enter' || event.key === 'Escape') {
        event.preventDefault();
        elements.nameInput.blur();
        returnFocus();
      }
    });
    elements.colorButton.addEventListener('click', () => {
      const index = PEOPLE_COLORS.indexOf(this.identity.color);
      const color = PEOPLE_COLORS[(index + 1) % PEOPLE_COLORS.length] ?? this.identity.color;
      this.setIdentity({ ...this.identity, color });
    });
    // A click on someone's chip scrolls to their cursor, when it is in the document.
    elements.list.addEventListener('click', (event) => {
      const chip = event.target instanceof Element ? event.target.closest<HTMLElement>('.peer:not(.self)') : null;
      if (chip?.querySelector('.peer-button') === null) return;
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

  /** Redraws the list from the awareness states, when who is here (or how they look) changed. */
  private readonly render = (): void => {
    const selfId = this.awareness.clientID;
    const people: Person[] = [{ clientId: selfId, name: this.identity.name, color: this.identity.color, self: true }];
    const others = [...this.awareness.getStates()]
      .filter(([clientId, state]) => clientId !== selfId && typeof state['user'] === 'object' && state['user'] !== null)
      .map(([clientId, state]) => {
        const user = state['user'] as PeerUser;
        return { clientId, name: peerName(user, clientId), color: safeColor(user.color), self: false };
      })
      .sort((a, b) => a.name.localeCompare(b.name) || a.clientId - b.clientId);
    people.push(...others);
    const key = JSON.stringify(people);
    if (key === this.shownKey) return;
    this.shownKey = key;
    const list = this.elements.list;
    const focused = list.contains(document.activeElement) ? (document.activeElement?.closest<HTMLElement>('.peer')?.dataset['clientId'] ?? null) : null;
    list.replaceChildren(...people.map(peerChip));
    list.setAttribute('aria-label', `${people.length} ${people.length === 1 ? 'person' : 'people'} here`);
    this.roving.refresh();
    if (focused !== null) list.querySelector<HTMLElement>(`.peer[data-client-id="${CSS.escape(focused)}"] .peer-button`)?.focus();
  };

  destroy(): void {
    this.awareness.off('change', this.render);
  }
}
