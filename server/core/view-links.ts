/**
 * View-only links. Each document has at most one view token at a time; it is created on first
 * request, and regenerating it makes the old one stop working at once: the old token no longer
 * resolves, and the connections that joined with it are removed, on every node.
 */
import { newViewToken } from '../../shared/doc-id.js';
import type { DocStore } from '../../storage/doc-store.js';

export class ViewLinks {
  private readonly store: DocStore;
  private readonly onRevoked: (docName: string, oldToken: string) => void;
  /** Creations in flight per document, so two first requests agree on one token. */
  private readonly creating = new Map<string, Promise<string>>();

  constructor(store: DocStore, onRevoked: (docName: string, oldToken: string) => void) {
    this.store = store;
    this.onRevoked = onRevoked;
  }

  /** The document's view token, created if it has none. */
  async tokenFor(docName: string): Promise<string> {
    const existing = await this.store.getViewToken(docName);
    if (existing !== null) return existing;
    let creation = this.creating.get(docName);
    if (creation === undefined) {
      creation = (async () => {
        const token = newViewToken();
        await this.store.setViewToken(docName, token);
        return token;
      })().finally(() => this.creating.delete(docName));
      this.creating.set(docName, creation);
    }
    return creation;
  }

  /** Replaces the view token and disconnects the pages that used the old one. */
  async regenerate(docName: string): Promise<string> {
    const old = await this.store.getViewToken(docName);
    const token = newViewToken();
    await this.store.setViewToken(docName, token);
    if (old !== null) this.onRevoked(docName, old);
    return token;
  }
}
