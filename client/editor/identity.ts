/**
 * Who you are to the other people in a document: a name and a colour, chosen at random the first
 * time (a friendly "Adjective Animal" and a colour from a palette that reads well on white),
 * editable, and remembered in this browser. DOM-free apart from the `Storage` it is handed.
 */

/** The awareness `user` field every Quire client publishes. */
export interface Identity {
  readonly name: string;
  readonly color: string;
}

/** The subset of the Web Storage API identity and recent-documents code needs. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const IDENTITY_STORAGE_KEY = 'quire:identity';
export const MAX_NAME_LENGTH = 40;

/** Colours for people: saturated enough to tell apart; label text on them is black or white by contrast. */
export const PEOPLE_COLORS: readonly string[] = [
  '#d9480f', '#c2255c', '#9c36b5', '#6741d9', '#3b5bdb', '#1971c2',
  '#0c8599', '#099268', '#2f9e44', '#5c940d', '#e67700', '#a61e4d',
];

const ADJECTIVES = [
  'Amber', 'Brave', 'Bright', 'Calm', 'Clever', 'Cosy', 'Curious', 'Gentle', 'Happy', 'Jolly',
  'Keen', 'Kind', 'Lively', 'Lucky', 'Merry', 'Nimble', 'Patient', 'Quiet', 'Quick', 'Sunny',
  'Swift', 'Tidy', 'Witty', 'Zesty',
];
const ANIMALS = [
  'Badger', 'Beaver', 'Crane', 'Dolphin', 'Falcon', 'Fox', 'Heron', 'Koala', 'Lynx', 'Marmot',
  'Otter', 'Owl', 'Panda', 'Puffin', 'Quokka', 'Raven', 'Robin', 'Seal', 'Sparrow', 'Tapir',
  'Tiger', 'Walrus', 'Wombat', 'Yak',
];

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length) % items.length];
  if (item === undefined) throw new RangeError('Cannot pick from an empty list.');
  return item;
}

/** A fresh random identity. `random` defaults to Math.random; tests pass their own. */
export function randomIdentity(random: () => number = Math.random): Identity {
  return { name: `${pick(ADJECTIVES, random)} ${pick(ANIMALS, random)}`, color: pick(PEOPLE_COLORS, random) };
}

/** A person's display name: whitespace collapsed, at most MAX_NAME_LENGTH characters; '' if blank. */
export function cleanName(name: string): string {
  return name.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME_LENGTH);
}

/**
 * A colour safe to put into CSS: `color` itself when it is a `#rrggbb` hex colour, else `fallback`.
 * Peers choose their own colours, so anything else they send is ignored rather than rendered.
 */
export function safeColor(color: unknown, fallback = '#868e96'): string {
  return typeof color === 'string' && HEX_COLOR.test(color) ? color.toLowerCase() : fallback;
}

/** WCAG 2 relative luminance of a `#rrggbb` colour (anything else counts as the fallback grey). */
export function relativeLuminance(hexColor: string): number {
  const value = Number.parseInt(safeColor(hexColor).slice(1), 16);
  const channel = (shift: number): number => {
    const c = ((value >> shift) & 0xff) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0);
}

/** WCAG 2 contrast ratio between two `#rrggbb` colours: 1 (none) to 21 (black on white). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/**
 * Black or white, whichever has the higher contrast with `hexColor` (a `#rrggbb` colour). One of
 * the two always reaches at least 4.58:1, so a label in this ink on that colour is readable text.
 */
export function contrastText(hexColor: string): '#000000' | '#ffffff' {
  return contrastRatio(hexColor, '#000000') > contrastRatio(hexColor, '#ffffff') ? '#000000' : '#ffffff';
}

/** Up to two initials of a name, for avatars: "Amber Fox" → "AF", "zoë" → "Z". */
export function initials(name: string): string {
  const words = cleanName(name).split(' ').filter((w) => w !== '');
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words.slice(0, 1);
  return letters.map((w) => Array.from(w ?? '')[0]?.toUpperCase() ?? '').join('') || '?';
}

/**
 * The identity remembered in `storage`, or a new random one (which is then remembered). A stored
 * value that is damaged or incomplete is repaired rather than trusted.
 */
export function loadIdentity(storage: KeyValueStorage | null, random: () => number = Math.random): Identity {
  let stored: Partial<Record<keyof Identity, unknown>> = {};
  try {
    const raw = storage?.getItem(IDENTITY_STORAGE_KEY);
    if (raw) stored = JSON.parse(raw) as typeof stored;
  } catch {
    stored = {}; // unreadable JSON or storage disabled: start fresh
  }
  const fresh = randomIdentity(random);
  const name = typeof stored.name === 'string' ? cleanName(stored.name) : '';
  const identity: Identity = {
    name: name === '' ? fresh.name : name,
    color: safeColor(stored.color, fresh.color),
  };
  saveIdentity(storage, identity);
  return identity;
}

/** Remembers `identity` in `storage`; a full or disabled storage is not an error worth surfacing. */
export function saveIdentity(storage: KeyValueStorage | null, identity: Identity): void {
  try {
    storage?.setItem(IDENTITY_STORAGE_KEY, JSON.stringify(identity));
  } catch {
    // Private browsing or a full quota: the identity just lasts for this page.
  }
}
