/** A collaborator in Node: the real DocProvider with its default channel, as bots and importers use it. */
import * as Y from 'yjs';
import { DocProvider } from '../../../client/provider.js';
import { withTimeout } from '../wait.js';
import { FRAGMENT_NAME } from '../../../document/fragment.js';

export interface NodePeer {
  readonly ydoc: Y.Doc;
  readonly provider: DocProvider;
  /** The `prosemirror` fragment the editor binds to. */
  readonly fragment: Y.XmlFragment;
  /** Destroys the provider and the document. */
  close(): void;
}

/** Connects a Node peer to `docName` on `url` and waits for its first sync. */
export async function connectPeer(url: string, docName: string, timeoutMs = 10_000): Promise<NodePeer> {
  const ydoc = new Y.Doc();
  const provider = new DocProvider(url, docName, ydoc);
  const peer: NodePeer = {
    ydoc,
    provider,
    fragment: ydoc.getXmlFragment(FRAGMENT_NAME),
    close() {
      provider.destroy();
      ydoc.destroy();
    },
  };
  try {
    await withTimeout(`a Node peer to sync ${docName}`, provider.whenSynced(), timeoutMs);
  } catch (error) {
    peer.close();
    throw error;
  }
  return peer;
}

/** The plain text of a y-prosemirror fragment: one line per top-level block. */
export function fragmentText(fragment: Y.XmlFragment): string {
  return fragment
    .toArray()
    .map((node) => nodeText(node))
    .join('\n');
}

function nodeText(node: Y.XmlElement | Y.XmlText | Y.XmlHook): string {
  if (node instanceof Y.XmlText) {
    return node
      .toDelta()
      .map((op: { insert?: unknown }) => (typeof op.insert === 'string' ? op.insert : ''))
      .join('');
  }
  if (node instanceof Y.XmlElement) return node.toArray().map((child) => nodeText(child)).join('');
  return '';
}

/**
 * Shows `peer` to the others as a person named `name` in `color`, with their caret in the
 * `blockIndex`-th top-level block (a textblock) after `offset` characters, the way y-prosemirror's
 * cursor plugin publishes it (relative positions in the awareness `cursor` field).
 */
export function placePeerCaret(peer: NodePeer, user: { name: string; color: string }, blockIndex: number, offset: number): void {
  const block = peer.fragment.get(blockIndex);
  if (!(block instanceof Y.XmlElement)) throw new RangeError(`Block ${blockIndex} is not an element.`);
  const text = block.get(0);
  if (!(text instanceof Y.XmlText)) throw new RangeError(`Block ${blockIndex} holds no text.`);
  const position = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, offset)) as unknown;
  peer.provider.awareness.setLocalStateField('user', user);
  peer.provider.awareness.setLocalStateField('cursor', { anchor: position, head: position });
}
