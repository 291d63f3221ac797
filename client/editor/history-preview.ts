/**
 * Renders a version for the history panel, read-only, with what differs from the document now
 * marked: `<ins>` for what the version has and the document lacks (a restore brings it back),
 * `<del>` for what the document has and the version lacks (a restore removes it). Blocks are
 * compared by type and text (version-diff.ts); a paragraph or heading that changed shows its words
 * marked, any other block that changed shows both whole.
 */
import { DOMSerializer, type Node as PmNode } from 'prosemirror-model';
import { imageDomAttrs } from '../../document/image-schema.js';
import { schema } from '../../document/schema.js';
import { blobPath } from './image-copy.js';
import { diffBlocks, type DiffBlock, type WordChange } from './version-diff.js';

/** The schema's serializer, with pictures read from the document's blobs (the schema's `<img>` has no address). */
function previewSerializer(docName: string): DOMSerializer {
  const base = DOMSerializer.fromSchema(schema);
  return new DOMSerializer(
    { ...base.nodes, image: (node: PmNode) => ['img', { src: blobPath(docName, String(node.attrs['src'])), ...imageDomAttrs(node) }] },
    base.marks,
  );
}

/** The top-level blocks of a document as the diff compares them. */
function blocksOf(doc: PmNode): DiffBlock<PmNode>[] {
  const blocks: DiffBlock<PmNode>[] = [];
  doc.forEach((node) => blocks.push({ kind: `${node.type.name}:${JSON.stringify(node.attrs)}`, text: node.textContent, source: node }));
  return blocks;
}

function wrapped(tag: 'ins' | 'del', content: Node): HTMLElement {
  const mark = document.createElement(tag);
  mark.className = 'diff-block';
  mark.append(content);
  return mark;
}

/** A textblock of the version's type holding its words, marked. */
function changedTextblock(serializer: DOMSerializer, node: PmNode, words: readonly WordChange[]): Node {
  const spec = node.type.spec.toDOM?.(node);
  if (spec === undefined) return serializer.serializeNode(node);
  const { dom, contentDOM } = DOMSerializer.renderSpec(document, spec);
  const target = contentDOM ?? dom;
  for (const word of words) {
    if (word.op === 'same') {
      target.appendChild(document.createTextNode(word.text));
    } else {
      const mark = document.createElement(word.op === 'inserted' ? 'ins' : 'del');
      mark.textContent = word.text;
      target.appendChild(mark);
    }
  }
  return dom;
}

export interface PreviewSummary {
  /** Blocks or words the version has and the document now lacks. */
  readonly inserted: number;
  /** Blocks or words the document has now and the version lacks. */
  readonly deleted: number;
}

/** Fills `target` with `version` of document `docName` marked against `current`; says how much differs. */
export function renderVersionPreview(target: HTMLElement, version: PmNode, current: PmNode, docName: string): PreviewSummary {
  const serializer = previewSerializer(docName);
  const fragment = document.createDocumentFragment();
  let inserted = 0;
  let deleted = 0;
  for (const change of diffBlocks(blocksOf(version), blocksOf(current))) {
    if (change.op === 'same') {
      fragment.append(serializer.serializeNode(change.block.source));
    } else if (change.op === 'inserted') {
      inserted++;
      fragment.append(wrapped('ins', serializer.serializeNode(change.block.source)));
    } else if (change.op === 'deleted') {
      deleted++;
      fragment.append(wrapped('del', serializer.serializeNode(change.block.source)));
    } else if (change.version.source.isTextblock) {
      inserted += change.words.filter((word) => word.op === 'inserted').length;
      deleted += change.words.filter((word) => word.op === 'deleted').length;
      fragment.append(changedTextblock(serializer, change.version.source, change.words));
    } else {
      inserted++;
      deleted++;
      fragment.append(wrapped('del', serializer.serializeNode(change.current.source)), wrapped('ins', serializer.serializeNode(change.version.source)));
    }
  }
  target.replaceChildren(fragment);
  return { inserted, deleted };
}
