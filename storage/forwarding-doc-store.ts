/**
 * A DocStore that passes every call on to another one: the base of decorators, which override
 * the calls they watch or change (a store that counts loads, one that injects write failures).
 * Every method of DocStore is forwarded unchanged, so a decorator only writes what it changes.
 */
import type { AppendEntry, CompactResult, DocStore, DocSummary, MergeUpdates, StoredDoc } from './doc-store.js';
import type { LinkRecord, LinkUse } from './link-store.js';
import type { NewVersion, StoredVersion, VersionRecord } from './version-store.js';
import type { DocStatus, TrashEntry } from './trash-store.js';
import type { BlobSummary, NewBlob, StoredBlob } from './blob-store.js';

export class ForwardingDocStore implements DocStore {
  constructor(protected readonly inner: DocStore) {}

  load(docName: string): Promise<StoredDoc | null> {
    return this.inner.load(docName);
  }
  append(entries: readonly AppendEntry[]): Promise<void> {
    return this.inner.append(entries);
  }
  compact(docName: string, merge?: MergeUpdates): Promise<CompactResult> {
    return this.inner.compact(docName, merge);
  }
  /** @deprecated See DocStore.delete. */
  delete(docName: string): Promise<void> {
    return this.inner.delete(docName);
  }
  list(): Promise<DocSummary[]> {
    return this.inner.list();
  }
  stat(docName: string): Promise<DocSummary | null> {
    return this.inner.stat(docName);
  }
  getViewToken(docName: string): Promise<string | null> {
    return this.inner.getViewToken(docName);
  }
  setViewToken(docName: string, token: string): Promise<void> {
    return this.inner.setViewToken(docName, token);
  }
  resolveViewToken(token: string): Promise<string | null> {
    return this.inner.resolveViewToken(token);
  }

  createLink(link: LinkRecord): Promise<void> {
    return this.inner.createLink(link);
  }
  findLink(tokenHash: string): Promise<LinkRecord | null> {
    return this.inner.findLink(tokenHash);
  }
  listLinks(docName: string): Promise<LinkRecord[]> {
    return this.inner.listLinks(docName);
  }
  revokeLink(docName: string, linkId: string, at: number): Promise<LinkRecord | null> {
    return this.inner.revokeLink(docName, linkId, at);
  }
  touchLinks(uses: readonly LinkUse[]): Promise<void> {
    return this.inner.touchLinks(uses);
  }

  saveVersion(version: NewVersion, snapshot: Uint8Array): Promise<VersionRecord> {
    return this.inner.saveVersion(version, snapshot);
  }
  listVersions(docName: string): Promise<VersionRecord[]> {
    return this.inner.listVersions(docName);
  }
  loadVersion(docName: string, versionId: string): Promise<StoredVersion | null> {
    return this.inner.loadVersion(docName, versionId);
  }
  deleteVersions(docName: string, versionIds: readonly string[]): Promise<number> {
    return this.inner.deleteVersions(docName, versionIds);
  }

  status(docName: string): Promise<DocStatus> {
    return this.inner.status(docName);
  }
  trash(docName: string, at: number): Promise<void> {
    return this.inner.trash(docName, at);
  }
  untrash(docName: string): Promise<void> {
    return this.inner.untrash(docName);
  }
  listTrash(): Promise<TrashEntry[]> {
    return this.inner.listTrash();
  }
  purge(docName: string, at: number): Promise<void> {
    return this.inner.purge(docName, at);
  }
  purgeTrash(deletedBefore: number, at: number): Promise<string[]> {
    return this.inner.purgeTrash(deletedBefore, at);
  }

  putBlob(docName: string, blob: NewBlob): Promise<void> {
    return this.inner.putBlob(docName, blob);
  }
  getBlob(docName: string, blobId: string): Promise<StoredBlob | null> {
    return this.inner.getBlob(docName, blobId);
  }
  listBlobs(docName: string): Promise<BlobSummary[]> {
    return this.inner.listBlobs(docName);
  }
  deleteBlob(docName: string, blobId: string): Promise<boolean> {
    return this.inner.deleteBlob(docName, blobId);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
