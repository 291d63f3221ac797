/**
 * What every backend does the same way: check a call's arguments before storage is touched, track
 * the operations in flight so that `close()` can wait for them, and hand each call to the part of
 * the backend that keeps that concern (content, view tokens, links, versions, trash, blobs).
 * A backend (LevelDocStore, PostgresDocStore) builds its parts and passes them here.
 */

import type { AppendEntry, CompactResult, DocStore, DocSummary, MergeUpdates, StoredDoc } from './doc-store.js';
import type { BlobSummary, NewBlob, StoredBlob } from './blob-store.js';
import type { LinkRecord, LinkUse } from './link-store.js';
import type { DocStatus, TrashEntry, TrashStore } from './trash-store.js';
import type { NewVersion, StoredVersion, VersionRecord } from './version-store.js';
import { assertItemId, assertLinkRecord, assertLinkUses, assertNewBlob, assertNewVersion, assertTime, assertTokenHash, assertVersionIds } from './record-checks.js';
import { assertDocId, assertViewToken, mergeHere, OperationTracker } from './store-support.js';

/** A backend's parts. Each trusts its arguments: they were checked here. */
export interface StoreParts {
  readonly content: {
    load(docName: string): Promise<StoredDoc | null>;
    append(entries: readonly AppendEntry[]): Promise<void>;
    compact(docName: string, merge: MergeUpdates): Promise<CompactResult>;
    list(): Promise<DocSummary[]>;
    stat(docName: string): Promise<DocSummary | null>;
  };
  readonly viewTokens: {
    get(docName: string): Promise<string | null>;
    set(docName: string, token: string): Promise<void>;
    resolve(token: string): Promise<string | null>;
  };
  readonly links: {
    create(link: LinkRecord): Promise<void>;
    find(tokenHash: string): Promise<LinkRecord | null>;
    list(docName: string): Promise<LinkRecord[]>;
    revoke(docName: string, linkId: string, at: number): Promise<LinkRecord | null>;
    touch(uses: readonly LinkUse[]): Promise<void>;
  };
  readonly versions: {
    save(version: NewVersion, snapshot: Uint8Array): Promise<VersionRecord>;
    list(docName: string): Promise<VersionRecord[]>;
    load(docName: string, versionId: string): Promise<StoredVersion | null>;
    delete(docName: string, versionIds: readonly string[]): Promise<number>;
  };
  /** The trash has the store's own methods (see trash-store.ts). */
  readonly trash: TrashStore;
  readonly blobs: {
    put(docName: string, blob: NewBlob): Promise<void>;
    get(docName: string, blobId: string): Promise<StoredBlob | null>;
    list(docName: string): Promise<BlobSummary[]>;
    delete(docName: string, blobId: string): Promise<boolean>;
  };
  /** A cheap round trip to the storage itself. */
  ping(): Promise<void>;
  /** Releases the database or pool; called once, after every operation has finished. */
  release(): Promise<void>;
}

/** A {@link DocStore} over a backend's parts. */
export class CheckedDocStore implements DocStore {
  readonly #parts: StoreParts;
  readonly #operations: OperationTracker;
  #closing: Promise<void> | null = null;

  /** `name` names the store in the errors of calls made after `close()`. */
  protected constructor(name: string, parts: StoreParts) {
    this.#parts = parts;
    this.#operations = new OperationTracker(name);
  }

  // Content.

  async load(docName: string): Promise<StoredDoc | null> {
    assertDocId(docName);
    return this.#operations.track(() => this.#parts.content.load(docName));
  }

  async append(entries: readonly AppendEntry[]): Promise<void> {
    for (const entry of entries) assertDocId(entry.docName);
    return this.#operations.track(() => this.#parts.content.append(entries));
  }

  async compact(docName: string, merge: MergeUpdates = mergeHere): Promise<CompactResult> {
    assertDocId(docName);
    return this.#operations.track(() => this.#parts.content.compact(docName, merge));
  }

  async delete(docName: string): Promise<void> {
    return this.purge(docName, Date.now());
  }

  async list(): Promise<DocSummary[]> {
    return this.#operations.track(() => this.#parts.content.list());
  }

  async stat(docName: string): Promise<DocSummary | null> {
    assertDocId(docName);
    return this.#operations.track(() => this.#parts.content.stat(docName));
  }

  // View tokens.

  async getViewToken(docName: string): Promise<string | null> {
    assertDocId(docName);
    return this.#operations.track(() => this.#parts.viewTokens.get(docName));
  }

  async setViewToken(docName: string, token: string): Promise<void> {
    assertDocId(docName);
    assertViewToken(token);
    return this.#operations.track(() => this.#parts.viewTokens.set(docName, token));
  }

  async resolveViewToken(token: string): Promise<string | null> {
    assertViewToken(token);
    return this.#operations.track(() => this.#parts.viewTokens.resolve(token));
  }

  // Links.

  async createLink(link: LinkRecord): Promise<void> {
    assertLinkRecord(link);
    return this.#operations.track(() => this.#parts.links.create(link));
  }

  async findLink(tokenHash: string): Promise<LinkRecord | null> {
    assertTokenHash(tokenHash);
    return this.#operations.track(() => this.#parts.links.find(tokenHash));
  }

  async listLinks(docName: string): Promise<LinkRecord[]> {
    assertDocId(docName);
    return this.#operations.track(() => this.#parts.links.list(docName));
  }

  async revokeLink(docName: string, linkId: string, at: number): Promise<LinkRecord | null> {
    assertDocId(docName);
    assertItemId('link', linkId);
    assertTime('revocation time', at);
    return this.#operations.track(() => this.#parts.links.revoke(docName, linkId, at));
  }

  async touchLinks(uses: readonly LinkUse[]): Promise<void> {
    assertLinkUses(uses);
    return this.#operations.track(() => this.#parts.links.touch(uses));
  }

  // Versions.

  async saveVersion(version: NewVersion, snapshot: Uint8Array): Promise<VersionRecord> {
    assertNewVersion(version, snapshot);
    return this.#operations.track(() => this.#parts.versions.save(version, snapshot));
  }

  async listVersions(docName: string): Promise<VersionRecord[]> {
    assertDocId(docName);
    return this.#operations.track(() => this.#parts.versions.list(docName));
  }

  async loadVersion(docName: string, versionId: string): Promise<StoredVersion | null> {
    assertDocId(docName);
    assertItemId('version', versionId);
    return this.#operations.track(() => this.#parts.versions.load(docName, versionId));
  }

  async deleteVersions(docName: string, versionIds: readonly string[]): Promise<number> {
    assertDocId(docName);
    assertVersionIds(versionIds);
    return this.#operations.track(() => this.#parts.versions.delete(docName, versionIds));
  }

  // Trash and tombstones.

  async status(docName: string): Promise<DocStatus> {
    assertDocId(docName);
    return this.#operations.track(() => this.#parts.trash.status(docName));
  }

  async trash(docName: string, at: number): Promise<void> {
    assertDocId(docName);
    assertTime('deletion time', at);
    return this.#operations.track(() => this.#parts.trash.trash(docName, at));
  }

  async untrash(docName: string): Promise<void> {
    assertDocId(docName);
    return this.#operations.track(() => this.#parts.trash.untrash(docName));
  }

  async listTrash(): Promise<TrashEntry[]> {
    return this.#operations.track(() => this.#parts.trash.listTrash());
  }

  async purge(docName: string, at: number): Promise<void> {
    assertDocId(docName);
    assertTime('purge time', at);
    return this.#operations.track(() => this.#parts.trash.purge(docName, at));
  }

  async purgeTrash(deletedBefore: number, at: number): Promise<string[]> {
    assertTime('deletedBefore', deletedBefore);
    assertTime('purge time', at);
    return this.#operations.track(() => this.#parts.trash.purgeTrash(deletedBefore, at));
  }

  // Blobs.

  async putBlob(docName: string, blob: NewBlob): Promise<void> {
    assertDocId(docName);
    assertNewBlob(blob);
    return this.#operations.track(() => this.#parts.blobs.put(docName, blob));
  }

  async getBlob(docName: string, blobId: string): Promise<StoredBlob | null> {
    assertDocId(docName);
    assertItemId('blob', blobId);
    return this.#operations.track(() => this.#parts.blobs.get(docName, blobId));
  }

  async listBlobs(docName: string): Promise<BlobSummary[]> {
    assertDocId(docName);
    return this.#operations.track(() => this.#parts.blobs.list(docName));
  }

  async deleteBlob(docName: string, blobId: string): Promise<boolean> {
    assertDocId(docName);
    assertItemId('blob', blobId);
    return this.#operations.track(() => this.#parts.blobs.delete(docName, blobId));
  }

  // Health and shutdown.

  async ping(): Promise<void> {
    return this.#operations.track(() => this.#parts.ping());
  }

  /** Waits for the operations already started, then releases the backend. Later calls (except close) reject. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#operations.close();
      await this.#parts.release();
    })();
    return this.#closing;
  }
}
