/**
 * A hint in an empty document ("Start writing…"), drawn by CSS from a class and a data
 * attribute on the empty first paragraph, so it is never part of the document or its text.
 */
import { Plugin } from 'prosemirror-state';
import { Decoration, DecorationSet } from 'prosemirror-view';

/** Shows `text()` while the document is a single empty paragraph. */
export function placeholderPlugin(text: () => string): Plugin {
  return new Plugin({
    props: {
      decorations(state) {
        const doc = state.doc;
        const first = doc.firstChild;
        if (doc.childCount !== 1 || !first || !first.isTextblock || first.content.size > 0) return null;
        return DecorationSet.create(doc, [
          Decoration.node(0, first.nodeSize, { class: 'is-placeholder', 'data-placeholder': text() }),
        ]);
      },
    },
  });
}
