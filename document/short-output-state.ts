/**
 * Markdown serialisation that takes time in proportion to its output. prosemirror-markdown's
 * state reads the last characters of its whole output (`out`) before each piece of text it
 * writes, and V8 flattens the growing string each time to do so: 40,000 short paragraphs took
 * 14 s, a list of 40,000 items 83 s. This state moves all but the last few characters of `out`
 * aside after each block it renders, so `out` stays short.
 *
 * Why that changes nothing in the output: the state reads at most the last two characters of
 * `out` (whether it ends a line; a `!` before a link), and never empties it itself. Tables
 * (markdown-tables.ts) capture a cell's text by saving `out`, rendering the cell's inline content
 * and restoring it; that happens inside one block's rendering, never across a move, because only
 * block nodes move text aside. The constructor and `out` are internal to prosemirror-markdown
 * (markdown-tables.ts relies on `out` too); doc-format.test.ts compares this path with the
 * library's own `serialize` on random documents, so a change there is caught.
 */
import { MarkdownSerializerState, type MarkdownSerializer } from 'prosemirror-markdown';
import type { Node as PmNode } from 'prosemirror-model';

/** Characters left in `out` after a move: more than the state ever looks back. */
const KEEP = 16;

type StateConstructor = new (nodes: MarkdownSerializer['nodes'], marks: MarkdownSerializer['marks'], options: MarkdownSerializer['options']) => MarkdownSerializerState;

class ShortOutputState extends (MarkdownSerializerState as unknown as StateConstructor) {
  /** What was moved out of `out`, in order. */
  private readonly written: string[] = [];

  constructor(
    serializer: MarkdownSerializer,
    /** `out` is moved aside once it is longer than this. */
    private readonly moveAbove: number,
  ) {
    super(serializer.nodes, serializer.marks, serializer.options);
  }

  override render(node: PmNode, parent: PmNode, index: number): void {
    super.render(node, parent, index);
    const state = this as unknown as { out: string };
    if (node.isBlock && state.out.length > this.moveAbove) {
      this.written.push(state.out.slice(0, -KEEP));
      state.out = state.out.slice(-KEEP);
    }
  }

  /** The whole output. */
  wholeOutput(): string {
    return this.written.join('') + (this as unknown as { out: string }).out;
  }
}

/**
 * Serialises `doc` with `serializer`, as `serializer.serialize(doc)` does, in time proportional
 * to the output. `moveAbove` (characters kept in the state before moving them aside) is for tests.
 */
export function serializeMarkdown(serializer: MarkdownSerializer, doc: PmNode, moveAbove = 4096): string {
  const state = new ShortOutputState(serializer, Math.max(moveAbove, KEEP));
  (state as unknown as MarkdownSerializerState).renderContent(doc);
  return state.wholeOutput();
}
