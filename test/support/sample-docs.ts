/**
 * Sample documents for the export and import tests: Markdown that uses every node and mark of
 * the editor's schema, and a way to list what a parsed document uses (so a sample that stops
 * covering something fails loudly instead of silently testing less).
 */
import type { Node as PmNode } from 'prosemirror-model';
import * as Y from 'yjs';
import { FRAGMENT_NAME } from '../../document/fragment.js';

/** Markdown that uses every construct of the schema once. */
export const FULL_MARKDOWN = [
  '# First heading',
  '',
  '## Second heading',
  '',
  '### Third heading',
  '',
  'Text with **bold**, *italic*, ~~struck~~, `inline code` and a [link](https://example.com/page "A title") and [a bare one](mailto:someone@example.com).',
  '',
  '- first bullet',
  '- second bullet with *emphasis*',
  '  - nested bullet',
  '',
  '3. three',
  '4. four',
  '',
  '> A quote',
  '> that continues.',
  '',
  '```',
  'const x = 1;',
  '  indented();',
  '```',
  '',
  '---',
  '',
  'Line one\\',
  'line two after a hard break.',
  '',
].join('\n');

/** Names of every node type and mark used anywhere in `doc`. */
export function typesIn(doc: PmNode): Set<string> {
  const names = new Set<string>();
  doc.descendants((node) => {
    names.add(node.type.name);
    for (const mark of node.marks) names.add(`mark:${mark.type.name}`);
    return true;
  });
  return names;
}

export const EVERY_TYPE = [
  'heading',
  'paragraph',
  'bullet_list',
  'ordered_list',
  'list_item',
  'blockquote',
  'code_block',
  'horizontal_rule',
  'hard_break',
  'mark:strong',
  'mark:em',
  'mark:strike',
  'mark:code',
  'mark:link',
];

/**
 * Appends a paragraph to the editor fragment of `doc` and lets `write` fill it directly through
 * the Yjs API, the way any peer can (bypassing the editor and its schema checks).
 */
export function writeAsPeer(doc: Y.Doc, write: (paragraph: Y.XmlElement, text: Y.XmlText, fragment: Y.XmlFragment) => void): void {
  const fragment = doc.getXmlFragment(FRAGMENT_NAME);
  const paragraph = new Y.XmlElement('paragraph');
  const text = new Y.XmlText();
  paragraph.insert(0, [text]);
  doc.transact(() => {
    fragment.insert(fragment.length, [paragraph]);
    write(paragraph, text, fragment);
  });
}
