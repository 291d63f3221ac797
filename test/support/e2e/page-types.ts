/**
 * What the editor page exposes for tests and diagnostics (`window.quire`, see the editor brief),
 * typed for use inside `page.evaluate` callbacks as `(window as unknown as QuireWindow)`.
 * Declared here instead of augmenting `Window`, so these types cannot clash with the editor's own.
 */
import type { EditorView } from 'prosemirror-view';
import type * as Y from 'yjs';
import type { DocProvider } from '../../../client/provider.js';

export interface QuireHandle {
  readonly provider: DocProvider;
  readonly ydoc: Y.Doc;
  readonly view: EditorView;
  readonly docName: string;
}

export interface QuireWindow {
  quire?: QuireHandle;
  /** Set by the hostile payloads of the paste test; must stay undefined. */
  __pwned?: unknown;
}
