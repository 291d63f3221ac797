/**
 * The typed refusals every backend gives. Their messages never name a document, a link or a token
 * (a document id is an edit link, and messages reach logs); the documents concerned are in fields.
 */

import type { DocStatus } from './trash-store.js';

/** Thrown by every call made on a store after `close()`. */
export class StoreClosedError extends Error {
  constructor(backend: string) {
    super(`This ${backend} is closed; open a new store to use it again.`);
    this.name = 'StoreClosedError';
  }
}

/** The write would store a second thing under a name that must be unique; nothing was written. */
export class StoreConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflictError';
  }
}

export interface RefusedDoc {
  readonly docName: string;
  readonly status: DocStatus;
}

/**
 * The call is not possible in the status a document is in (writing to a purged document, trashing
 * a missing one, …); nothing was written. `docs` lists each document refused, with its status then.
 */
export class DocStatusError extends Error {
  readonly docs: readonly RefusedDoc[];

  constructor(docs: readonly RefusedDoc[], action: string) {
    const statuses = [...new Set(docs.map((doc) => doc.status))].join(' or ');
    const what = docs.length === 1 ? `the document is ${statuses}` : `${docs.length} documents are ${statuses}`;
    super(`Cannot ${action}: ${what}.`);
    this.name = 'DocStatusError';
    this.docs = docs;
  }
}
