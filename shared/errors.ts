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
  'change-not-applied', // a change Yjs could not apply as its sender typed it, or not within its deadline: the server reloaded the document without it; the sender's copy no longer fits the server's
  'missing-dependencies', // an update building on changes the server does not have (send those first)
  'update-too-large',
  'update-too-complex', // more structs, deletions or nesting in one update than the server accepts
  'invalid-document', // the update puts something into the editor's fragment that the editor cannot show
  'doc-too-large',
  'image-too-large', // a picture over MAX_IMAGE_BYTES, or one that would take a document past its picture budget
  'unsupported-image', // not a PNG, JPEG, GIF or WebP by its bytes (SVG included), or bytes other than the type declared
  'invalid-awareness',
  'awareness-too-large',
  'awareness-not-owned', // an awareness update for a client id another connection controls
  'client-id-not-owned', // a change written under a Yjs client id another client introduced
  'link-revoked', // the view key maps to no document: regenerated, deleted or never issued
  'link-expired', // the link's expiry time has passed
  'doc-deleted',
  'resync', // the server rebuilt the document from storage: join it again
  'rate-limited',
  'too-many-docs',
  'too-many-connections', // the per-address connection cap
  'slow-reader', // a connection that left more unread than it may; it was closed
  'unauthorized', // an HTTP request without the credentials it needs
  'disabled', // an HTTP API that is turned off (the admin API without ADMIN_TOKEN)
  'busy', // the server is doing as much of this kind of work as it allows; try again
  'too-costly', // a conversion ran over the time or memory the server allows
  'conversion-failed', // an import or export could not be converted
  'load-failed', // storage could not load the document; it is not served as empty
  'storage-unavailable',
  'server-shutdown',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface QuireErrorPayload {
  readonly code: ErrorCode;
  readonly message: string;
  /** The document name the error is about (as the client named it), when it is about one. */
  readonly docName?: string;
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

  toPayload(docName?: string): QuireErrorPayload {
    return docName === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, docName };
  }
}
