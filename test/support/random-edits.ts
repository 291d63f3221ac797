/**
 * Random editing for convergence tests: inserts, deletions and formatting (the editor's marks) in
 * a rich-text Y.Text and in paragraphs and headings of the editor's fragment, as several people
 * typing at once would make them. Seeded, so a failure replays.
 */
import * as Y from 'yjs';
import { FRAGMENT_NAME } from '../../document/fragment.js';
import { int, pick, type Rng } from './seeded.js';

const WORDS = ['a', 'quire', 'yjs', ' ', 'hello', 'é', '🙂', 'tab\t', 'line\n'];
// The editor's marks: the server refuses others inside the editor's fragment.
const MARKS: ReadonlyArray<{ [mark: string]: unknown }> = [{ strong: true }, { strong: null }, { em: true }, { em: null }, { link: { href: 'https://example.com/x' } }];


/** The characters of a Y.Text (or Y.XmlText, whose toString() renders markup). */
function plainText(text: Y.Text): string {
  return text.toDelta().map((op: { insert: unknown }) => (typeof op.insert === 'string' ? op.insert : ' ')).join('');
}

/**
 * Moves an index off the middle of a surrogate pair. Editors never split a character; Yjs replaces
 * a split pair's halves with U+FFFD on the splitting replica only, so replicas would differ.
 */
function atBoundary(plain: string, index: number): number {
  const before = plain.charCodeAt(index - 1);
  return index > 0 && index < plain.length && before >= 0xd800 && before <= 0xdbff ? index + 1 : index;
}

/** One random insert, delete or format on a Y.Text (or the Y.XmlText of a paragraph). */
export function editText(text: Y.Text, rng: Rng): void {
  const plain = plainText(text);
  const length = plain.length;
  const choice = rng();
  if (length === 0 || choice < 0.5) {
    const attributes = rng() < 0.3 ? pick(rng, MARKS) : undefined;
    text.insert(atBoundary(plain, int(rng, length + 1)), pick(rng, WORDS), attributes);
    return;
  }
  const index = atBoundary(plain, int(rng, length));
  if (index >= length) return;
  const end = atBoundary(plain, Math.min(length, index + 1 + int(rng, choice < 0.75 ? 6 : 8)));
  if (choice < 0.75) text.delete(index, end - index);
  else text.format(index, end - index, pick(rng, MARKS));
}

/** One random structural or text change to the XML fragment. */
export function editFragment(fragment: Y.XmlFragment, rng: Rng): void {
  const length = fragment.length;
  const choice = rng();
  if (length === 0 || choice < 0.3) {
    const element = new Y.XmlElement(rng() < 0.8 ? 'paragraph' : 'heading');
    element.insert(0, [new Y.XmlText(pick(rng, WORDS))]);
    fragment.insert(int(rng, length + 1), [element]);
    return;
  }
  const child = fragment.get(int(rng, length));
  if (!(child instanceof Y.XmlElement)) return;
  if (choice < 0.42) {
    fragment.delete(int(rng, length), 1);
  } else if (choice < 0.52) {
    child.setAttribute('level', String(1 + int(rng, 3)));
  } else {
    const inner = child.get(0);
    if (inner instanceof Y.XmlText) editText(inner, rng);
    else child.insert(0, [new Y.XmlText(pick(rng, WORDS))]);
  }
}

export function randomEdit(doc: Y.Doc, rng: Rng): void {
  const edits = rng() < 0.15 ? 2 + int(rng, 4) : 1;
  doc.transact(() => {
    for (let i = 0; i < edits; i++) {
      if (rng() < 0.5) editText(doc.getText('text'), rng);
      else editFragment(doc.getXmlFragment(FRAGMENT_NAME), rng);
    }
  });
}

