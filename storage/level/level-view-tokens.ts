/** View tokens of LevelDocStore: `d/<doc>/v` holds a document's token, `v/<token>` its document. */

import type { BatchOperation } from '../level-db.js';
import { DocStatusError, StoreConflictError } from '../store-errors.js';
import { decodeStatus, type LevelContext } from './level-context.js';
import { docTokenKey, lockOf, statusKey, tokenKey } from './level-keys.js';

export class LevelViewTokens {
  readonly #ctx: LevelContext;

  constructor(ctx: LevelContext) {
    this.#ctx = ctx;
  }

  async get(docName: string): Promise<string | null> {
    const token = await this.#ctx.db.get(docTokenKey(docName));
    return token === undefined ? null : token.toString('utf8');
  }

  async set(docName: string, token: string): Promise<void> {
    const { db, locks } = this.#ctx;
    await locks.run(lockOf.doc(docName), () =>
      // Lock order is always document, then token, so these two locks cannot deadlock.
      locks.run(lockOf.token(token), async () => {
        const [owner, previous, status] = await db.getMany([tokenKey(token), docTokenKey(docName), statusKey(docName)]);
        if (decodeStatus(status)?.status === 'purged') throw new DocStatusError([{ docName, status: 'purged' }], 'set the view token');
        if (owner !== undefined) {
          if (owner.toString('utf8') === docName) return;
          throw new StoreConflictError('That view token already belongs to another document.');
        }
        const operations: BatchOperation[] = [
          { type: 'put', key: tokenKey(token), value: docName },
          { type: 'put', key: docTokenKey(docName), value: token },
        ];
        if (previous !== undefined) operations.push({ type: 'del', key: tokenKey(previous.toString('utf8')) });
        await db.batch(operations, this.#ctx.sync);
      }),
    );
  }

  async resolve(token: string): Promise<string | null> {
    const docName = await this.#ctx.db.get(tokenKey(token));
    return docName === undefined ? null : docName.toString('utf8');
  }
}
