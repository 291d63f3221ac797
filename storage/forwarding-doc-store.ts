/**
 * A DocStore that passes every call on to another one, found anew for each call. Subclasses
 * override the calls they watch or change (test wrappers that count loads or inject write
 * failures); the server uses it to hand its parts a store that is only opened in listen().
 */
import type { AppendEntry, CompactResult, DocStore, DocSummary, StoredDoc } from './doc-store.js';

export class ForwardingDocStore implements DocStore {
  private readonly target: () => DocStore;

  constructor(target: DocStore | (() => DocStore)) {
    this.target = typeof target === 'function' ? target : () => target;
  }

  load(docId: string): Promise<StoredDoc | null> {
    return this.target().load(docId);
  }
  append(entries: readonly AppendEntry[]): Promise<void> {
    return this.target().append(entries);
  }
  compact(docId: string): Promise<CompactResult> {
    return this.target().compact(docId);
  }
  delete(docId: string): Promise<void> {
    return this.target().delete(docId);
  }
  list(): Promise<DocSummary[]> {
    return this.target().list();
  }
  stat(docId: string): Promise<DocSummary | null> {
    return this.target().stat(docId);
  }
  getViewToken(docId: string): Promise<string | null> {
    return this.target().getViewToken(docId);
  }
  setViewToken(docId: string, token: string): Promise<void> {
    return this.target().setViewToken(docId, token);
  }
  resolveViewToken(token: string): Promise<string | null> {
    return this.target().resolveViewToken(token);
  }
  ping(): Promise<void> {
    return this.target().ping();
  }
  close(): Promise<void> {
    return this.target().close();
  }
}
