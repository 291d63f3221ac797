/**
 * Links of LevelDocStore: `k/<doc>/<linkId>` holds a link as JSON, `h/<tokenHash>` the
 * `<doc>/<linkId>` of the link with that hash. Records are written field by field, so nothing a
 * caller adds to a record (a token in clear, say) is ever stored.
 */

import type { BatchOperation } from '../level-db.js';
import type { LinkRecord, LinkUse } from '../link-store.js';
import { StoreConflictError } from '../store-errors.js';
import { assertStored, type LevelContext } from './level-context.js';
import { compareAscii, hashKey, linkKey, linksPrefix, lockOf, under } from './level-keys.js';
import { LinkLookupCache } from './link-lookup-cache.js';

export class LevelLinks {
  readonly #ctx: LevelContext;
  /** Lookups by token hash: every join reads one. Told of every write below, after it. */
  readonly #found = new LinkLookupCache();

  constructor(ctx: LevelContext) {
    this.#ctx = ctx;
  }

  async create(link: LinkRecord): Promise<void> {
    const { db, locks } = this.#ctx;
    // Lock order is always document, then hash: the hash is unique across documents.
    await locks.run(lockOf.doc(link.docName), () =>
      locks.run(lockOf.tokenHash(link.tokenHash), async () => {
        await assertStored(db, link.docName, 'create a link');
        const [existing, owner] = await db.getMany([linkKey(link.docName, link.id), hashKey(link.tokenHash)]);
        if (existing !== undefined) throw new StoreConflictError('The document already has a link with this id.');
        if (owner !== undefined) throw new StoreConflictError('A link with this token hash exists already.');
        try {
          await db.batch(
            [
              { type: 'put', key: linkKey(link.docName, link.id), value: encodeLink(link) },
              { type: 'put', key: hashKey(link.tokenHash), value: `${link.docName}/${link.id}` },
            ],
            this.#ctx.sync,
          );
        } finally {
          this.#found.changed([link.tokenHash]);
        }
      }),
    );
  }

  async find(tokenHash: string): Promise<LinkRecord | null> {
    const remembered = this.#found.get(tokenHash);
    if (remembered !== undefined) return remembered;
    const since = this.#found.generation;
    const found = await this.#read(tokenHash);
    this.#found.keep(tokenHash, found, since);
    return found;
  }

  async #read(tokenHash: string): Promise<LinkRecord | null> {
    const owner = await this.#ctx.db.get(hashKey(tokenHash));
    if (owner === undefined) return null;
    const [docName, linkId] = owner.toString('utf8').split('/');
    if (docName === undefined || linkId === undefined) throw new Error('A link hash index entry in LevelDB is corrupt.');
    // Purged between the two reads: the link is gone, as the caller would have seen a moment later.
    const record = await this.#ctx.db.get(linkKey(docName, linkId));
    return record === undefined ? null : decodeLink(record);
  }

  async list(docName: string): Promise<LinkRecord[]> {
    const entries = await this.#ctx.db.entries(under(linksPrefix(docName)));
    return entries.map(([, value]) => decodeLink(value)).sort((a, b) => a.createdAt - b.createdAt || compareAscii(a.id, b.id));
  }

  async revoke(docName: string, linkId: string, at: number): Promise<LinkRecord | null> {
    return this.#ctx.locks.run(lockOf.doc(docName), async () => {
      const stored = await this.#ctx.db.get(linkKey(docName, linkId));
      if (stored === undefined) return null;
      const link = decodeLink(stored);
      if (link.revokedAt !== null) return link;
      const revoked = { ...link, revokedAt: at };
      try {
        await this.#ctx.db.batch([{ type: 'put', key: linkKey(docName, linkId), value: encodeLink(revoked) }], this.#ctx.sync);
      } finally {
        this.#found.changed([link.tokenHash]);
      }
      return revoked;
    });
  }

  async touch(uses: readonly LinkUse[]): Promise<void> {
    const latest = new Map<string, LinkUse>();
    for (const use of uses) {
      const key = linkKey(use.docName, use.linkId);
      const seen = latest.get(key);
      if (seen === undefined || use.at > seen.at) latest.set(key, use);
    }
    if (latest.size === 0) return;
    const { db, locks } = this.#ctx;
    // Under the documents' locks, so a purge or a revocation cannot interleave with the rewrite.
    await locks.runAll(
      [...latest.values()].map((use) => lockOf.doc(use.docName)),
      async () => {
        const keys = [...latest.keys()];
        const stored = await db.getMany(keys);
        const operations: BatchOperation[] = [];
        const touched: LinkRecord[] = [];
        keys.forEach((key, index) => {
          const value = stored[index];
          const use = latest.get(key);
          if (value === undefined || use === undefined) return;
          const link = decodeLink(value);
          if (link.lastUsedAt !== null && link.lastUsedAt >= use.at) return;
          const used = { ...link, lastUsedAt: use.at };
          operations.push({ type: 'put', key, value: encodeLink(used) });
          touched.push(used);
        });
        if (operations.length === 0) return;
        try {
          await db.batch(operations, this.#ctx.sync);
        } catch (error) {
          this.#found.changed(touched.map((link) => link.tokenHash));
          throw error;
        }
        // Links in use are looked up at every join: they stay remembered, as written.
        this.#found.written(touched);
      },
    );
  }

  /** After a purge's batch (purgeOperations) is written: nothing remembered may outlive it. */
  purged(): void {
    this.#found.clear();
  }

  /** Deletes the document's links and their hash index entries. Call holding the document's lock. */
  async purgeOperations(docName: string): Promise<BatchOperation[]> {
    const operations: BatchOperation[] = [];
    await this.#ctx.db.scan(under(linksPrefix(docName)), (key, value) => {
      operations.push({ type: 'del', key }, { type: 'del', key: hashKey(decodeLink(value).tokenHash) });
    });
    return operations;
  }
}

function encodeLink(link: LinkRecord): string {
  const { id, docName, role, tokenHash, label, createdAt, expiresAt, lastUsedAt, revokedAt, legacy } = link;
  return JSON.stringify({ id, docName, role, tokenHash, label, createdAt, expiresAt, lastUsedAt, revokedAt, legacy });
}

function decodeLink(value: Buffer): LinkRecord {
  const { id, docName, role, tokenHash, label, createdAt, expiresAt, lastUsedAt, revokedAt, legacy } = JSON.parse(value.toString('utf8')) as LinkRecord;
  return { id, docName, role, tokenHash, label, createdAt, expiresAt, lastUsedAt, revokedAt, legacy };
}
