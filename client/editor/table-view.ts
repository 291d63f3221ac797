/**
 * How a table is drawn in the editor: inside a box that scrolls sideways on its own, so that a
 * table wider than the screen never widens the page. No widths or styles are applied (cells are
 * sized by the stylesheet and their content).
 */
import type { Node as PmNode } from 'prosemirror-model';
import type { NodeView, ViewMutationRecord } from 'prosemirror-view';

export class TableView implements NodeView {
  readonly dom: HTMLElement;
  readonly contentDOM: HTMLElement;
  private readonly table: HTMLTableElement;

  constructor(private node: PmNode) {
    this.dom = document.createElement('div');
    this.dom.className = 'table-scroll';
    this.table = document.createElement('table');
    this.contentDOM = document.createElement('tbody');
    this.table.append(this.contentDOM);
    this.dom.append(this.table);
  }

  update(node: PmNode): boolean {
    if (node.type !== this.node.type) return false;
    this.node = node;
    return true;
  }

  /** The wrapper's own attributes (scroll position, classes) are no change to the document. */
  ignoreMutation(mutation: ViewMutationRecord): boolean {
    return mutation.type === 'attributes' && (mutation.target === this.dom || mutation.target === this.table);
  }
}
