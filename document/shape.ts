/**
 * The shape a Quire document may have inside its Yjs fragment, derived from the ProseMirror
 * schema: which element may hold which, where text may stand, and which formatting keys are
 * marks. The server checks every change against it, so that nothing the editor cannot show (and
 * that an export could choke on) ever enters a document.
 *
 * y-prosemirror writes a node as a Y.XmlElement named after its type, its attributes as element
 * attributes, text as Y.XmlText children of textblocks, and marks as formatting attributes of
 * that text (a mark that may occur several times gets a `--<hash>` suffix).
 */
import type { NodeType, Schema } from 'prosemirror-model';

export interface DocumentShape {
  /** Element names the fragment itself may hold (the top-level blocks). */
  readonly topLevel: ReadonlySet<string>;
  /** Element names each element may hold as children. */
  readonly children: ReadonlyMap<string, ReadonlySet<string>>;
  /** Elements whose children may include text (textblocks). */
  readonly holdsText: ReadonlySet<string>;
  /** Whether `key` is a formatting attribute of text that stands for a mark of the schema. */
  isMarkKey(key: string): boolean;
  /**
   * Whether text in a `textblock` may carry the mark formatting `key` stands for (a code block
   * takes none). Only for keys isMarkKey accepts.
   */
  allowsMarkKey(textblock: string, key: string): boolean;
}

/** Every node type that may appear directly inside content matching `type`'s content expression. */
function allowedChildren(type: NodeType): Set<string> {
  const names = new Set<string>();
  const seen = new Set<unknown>();
  const queue = [type.contentMatch];
  while (queue.length > 0) {
    const match = queue.pop()!;
    if (seen.has(match)) continue;
    seen.add(match);
    for (let i = 0; i < match.edgeCount; i++) {
      const edge = match.edge(i);
      names.add(edge.type.name);
      queue.push(edge.next);
    }
  }
  names.delete('text');
  return names;
}

/** y-prosemirror's key for a mark that may occur more than once: `<name>--<8 characters>`. */
const HASHED_MARK_KEY = /^(.*)--[A-Za-z0-9+/=]{8}$/;
/** Formatting y-prosemirror itself writes (change tracking of snapshots). */
const Y_PROSEMIRROR_KEYS = new Set(['ychange']);

export function documentShape(schema: Schema): DocumentShape {
  const children = new Map<string, Set<string>>();
  const holdsText = new Set<string>();
  for (const type of Object.values(schema.nodes)) {
    if (type.name === 'text' || type.name === schema.topNodeType.name) continue;
    children.set(type.name, allowedChildren(type));
    if (type.inlineContent) holdsText.add(type.name);
  }
  const marks = new Set(Object.keys(schema.marks));
  // y-prosemirror writes `name--hash` keys only for marks that may overlap themselves; accepting
  // them for other marks would let a change put any number of distinct keys into a text, and Yjs's
  // formatting cleanup costs time in proportion to the keys a text holds.
  const overlapping = new Set(Object.values(schema.marks).filter((type) => !type.excludes(type)).map((type) => type.name));
  const markOf = (key: string): string => (marks.has(key) ? key : (HASHED_MARK_KEY.exec(key)?.[1] ?? key));
  return {
    topLevel: allowedChildren(schema.topNodeType),
    children,
    holdsText,
    isMarkKey(key) {
      if (marks.has(key) || Y_PROSEMIRROR_KEYS.has(key)) return true;
      const hashed = HASHED_MARK_KEY.exec(key);
      return hashed !== null && overlapping.has(hashed[1]!);
    },
    allowsMarkKey(textblock, key) {
      if (Y_PROSEMIRROR_KEYS.has(key)) return true;
      const node = schema.nodes[textblock];
      const mark = schema.marks[markOf(key)];
      return node !== undefined && mark !== undefined && node.allowsMarkType(mark);
    },
  };
}
