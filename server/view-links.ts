/**
 * View-only links. Each document has at most one view token at a time; it is created on first
 * request, and regenerating it makes the old one stop working at once: the old token no longer
 * resolves, and the connections that joined with it are removed, on every node.
 */
import { newViewToken } from '../shared/doc-id.js';
import type { DocStore } from '../storage/doc-store.js';

export class ViewLinks {
  private readonly store: DocStore;
  private readonly onRevoked: (docId: string, oldToken: string) => void;
  /** Creations in flight per document, so two first requests agree on one token. */
  private readonly creating = new Map<string, Promise<string>>();

  constructor(store: DocStore, onRevoked: (docId: string, oldToken: string) => void) {
    this.store = store;
    this.onRevoked = onRevoked;
  }

  /** The document's view token, created if it has none. */
  async tokenFor(docId: string): Promise<string> {
    const existing = await this.store.getViewToken(docId);
    if (existing !== null) return existing;
    let creation = this.creating.get(docId);
    if (creation === undefined) {
      creation = (async () => {
        const token = newViewToken();
        await this.store.setViewToken(docId, token);
        return token;
      })().finally(() => this.creating.delete(docId));
      this.creating.set(docId, creation);
    }
    return creation;
  }

  /** Replaces the view token and disconnects the pages that used the old one. */
  async regenerate(docId: string): Promise<string> {
    const old = await this.store.getViewToken(docId);
    const token = newViewToken();
    await this.store.setViewToken(docId, token);
    if (old !== null) this.onRevoked(docId, old);
    return token;
  }
}
