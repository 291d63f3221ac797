/**
 * The built-in observer that writes the structured logs: one line per connection opened or
 * closed, per refusal and per error. Never document content, tokens or document ids (an id is an
 * edit link): documents appear as `doc`, a fingerprint of their name.
 */
import { createHash } from 'node:crypto';
import type { QuireObserver } from '../core/hooks.js';
import type { Logger } from './logger.js';

/**
 * A short, stable fingerprint of a document name for logs: enough to follow one document through
 * the logs, useless as a link (a document id is an edit link, so it never goes into a log line).
 */
export function docRef(docName: string | undefined): string | undefined {
  return docName === undefined ? undefined : createHash('sha256').update(docName).digest('base64url').slice(0, 10);
}

/** Longest text taken from a client (a disconnect reason) into a log line. */
const MAX_LOGGED_TEXT = 200;

export function logObserver(logger: Logger): QuireObserver {
  return {
    connectionOpened: ({ connectionId, address }) => logger.info({ connection: connectionId, address }, 'connection opened'),
    connectionClosed: ({ connectionId, reason }) => logger.info({ connection: connectionId, reason: String(reason).slice(0, MAX_LOGGED_TEXT) }, 'connection closed'),
    clientRefused: ({ connectionId, code, docName }) => logger.warn({ connection: connectionId, code, doc: docRef(docName) }, 'refused a client message'),
    compacted: ({ docName, ...result }) => logger.debug({ doc: docRef(docName), ...result }, 'compacted'),
    storeWriteFailed: ({ error, attempt }) => logger.error({ err: error, attempt }, 'storage write failed; retrying'),
    documentDeleted: ({ docName }) => logger.info({ doc: docRef(docName) }, 'document moved to the trash'),
    documentPurged: ({ docName }) => logger.info({ doc: docRef(docName) }, 'document purged'),
    viewLinkReplaced: ({ docName }) => logger.info({ doc: docRef(docName) }, 'view link regenerated'),
    internalError: ({ what, docName, error }) => logger.error({ err: error, what, doc: docRef(docName) }, `${what} failed`),
  };
}
