/**
 * Typed errors sent to the one connection that caused them. Every refusal on the wire carries
 * one of these codes and a sentence a person can read.
 */
export const ERROR_CODES = [
  'bad-request', // a payload of the wrong type or shape
  'invalid-doc-name', // not a document id nor a view key
  'not-joined', // a document message for a document this connection has not joined
  'not-found', // a document that does not exist (HTTP API)
  'forbidden', // the token verifier refused the connection
  'read-only', // a `view` connection tried to change the document
  'invalid-update', // bytes that are not a well-formed Yjs update or sync message
  'missing-dependencies', // an update building on changes the server does not have (send those first)
  'update-too-large',
  'doc-too-large',
  'invalid-awareness',
  'awareness-too-large',
  'awareness-not-owned', // an awareness update for a client id another connection controls
  'unknown-event',
  'link-revoked', // the view key maps to no document: regenerated, deleted or never issued
  'doc-deleted',
  'rate-limited',
  'too-many-docs',
  'load-failed', // storage could not load the document; it is not served as empty
  'storage-unavailable',
  'server-shutdown',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface QuireErrorPayload {
  readonly code: ErrorCode;
  readonly message: string;
  /** The document name the error is about, when it is about one. */
  readonly doc?: string;
}

const codeSet: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && codeSet.has(value);
}

export function isQuireErrorPayload(value: unknown): value is QuireErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { code?: unknown; message?: unknown };
  return isErrorCode(candidate.code) && typeof candidate.message === 'string';
}

/** An exception that carries a wire error code; thrown inside the server, sent as its payload. */
export class QuireError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'QuireError';
    this.code = code;
  }

  toPayload(doc?: string): QuireErrorPayload {
    return doc === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, doc };
  }
}
