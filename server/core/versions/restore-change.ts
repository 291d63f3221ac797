/**
 * Restoring a version as a new change on top: the document is edited, in one transaction, until
 * its editor fragment holds what the version held. Nothing is rewound, so connected editors and
 * offline copies merge with the restore like with anyone's edit, and the restore itself can be
 * undone by restoring the version taken before it.
 *
 * The edit is computed the way the editor computes its own: the version is read as a ProseMirror
 * document and y-prosemirror's `updateYFragment` changes the live fragment to match it, keeping
 * what both share (so unchanged paragraphs keep their identity and concurrent typing in them
 * survives) and rewriting only what differs.
 */
import * as Y from 'yjs';
import { updateYFragment, yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror';
import { FRAGMENT_NAME } from '../../../document/fragment.js';
import { schema } from '../../../document/schema.js';

/** The content of a version (a Yjs update of a whole document) as a ProseMirror document. */
export function versionContent(snapshot: Uint8Array): ReturnType<typeof yXmlFragmentToProseMirrorRootNode> {
  const doc = new Y.Doc({ gc: true });
  try {
    Y.applyUpdate(doc, snapshot);
    return yXmlFragmentToProseMirrorRootNode(doc.getXmlFragment(FRAGMENT_NAME), schema);
  } finally {
    doc.destroy();
  }
}

/**
 * Changes `doc` so that its editor fragment holds the content of `snapshot`, in one transaction
 * with `origin`. Throws (changing nothing) when the snapshot is not a Yjs update.
 */
export function applyVersionContent(doc: Y.Doc, snapshot: Uint8Array, origin: unknown): void {
  const target = versionContent(snapshot);
  const fragment = doc.getXmlFragment(FRAGMENT_NAME);
  doc.transact(() => {
    updateYFragment(doc, fragment, target, { mapping: new Map(), isOMark: new Map() });
  }, origin);
}
