/**
 * The formats and bounds of what a DocStore keeps besides updates, checked the same way by every
 * backend before storage is touched. Anything out of bounds is a caller bug and throws a RangeError
 * with a sentence; messages quote no value that could be a secret (labels, hashes, authors).
 */

import { LINK_ROLES, type LinkRecord, type LinkUse } from './link-store.js';
import { VERSION_KINDS, type NewVersion } from './version-store.js';
import type { NewBlob } from './blob-store.js';
import { assertDocId } from './store-support.js';

/** Link, version and blob ids: the document id alphabet, 1 to 64 characters (never `/`, which LevelDB keys rely on). */
export const ITEM_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** A SHA-256 in lowercase hex: one spelling per hash, so uniqueness is by string. */
export const TOKEN_HASH_PATTERN = /^[0-9a-f]{64}$/;
/** `type/subtype` with RFC 6838's restricted-name characters, no parameters. */
export const CONTENT_TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;
export const MAX_CONTENT_TYPE_LENGTH = 127;
export const MAX_LABEL_LENGTH = 200;
export const MAX_AUTHORS = 256;
export const MAX_AUTHOR_LENGTH = 200;
/** Largest blob: images, not archives. The server sets its own, smaller limit. */
export const MAX_BLOB_BYTES = 32 * 1024 * 1024;
/** Largest version snapshot: room for a document well past the default MAX_DOC_BYTES (32 MiB). */
export const MAX_VERSION_BYTES = 128 * 1024 * 1024;
/** Most link uses, or version ids, one call may carry. */
export const MAX_BATCH_ITEMS = 10_000;

// C0 and C1 controls, and lone surrogates (PostgreSQL would store U+FFFD instead, LevelDB the surrogate).
const CONTROL_OR_LONE_SURROGATE = /[\u0000-\u001f\u007f-\u009f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function assertItemId(what: 'link' | 'version' | 'blob', id: string): void {
  if (typeof id !== 'string' || !ITEM_ID_PATTERN.test(id)) {
    throw new RangeError(`Invalid ${what} id ${JSON.stringify(String(id).slice(0, 80))}: expected 1 to 64 characters of A-Z a-z 0-9 _ -.`);
  }
}

export function assertTokenHash(hash: string): void {
  if (typeof hash !== 'string' || !TOKEN_HASH_PATTERN.test(hash)) {
    throw new RangeError('Invalid token hash: expected a SHA-256 as 64 lowercase hex digits.');
  }
}

/** A time: whole milliseconds since the epoch, not negative. */
export function assertTime(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`Invalid ${what}: expected whole milliseconds since the epoch.`);
}

function assertOptionalTime(what: string, value: number | null): void {
  if (value !== null) assertTime(what, value);
}

/** Visible text: 1 to `max` characters, no control characters, well-formed UTF-16. */
function assertText(what: string, value: string, max: number): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || CONTROL_OR_LONE_SURROGATE.test(value)) {
    throw new RangeError(`Invalid ${what}: expected 1 to ${max} characters without control characters.`);
  }
}

function assertLabel(label: string | null): void {
  if (label !== null) assertText('label', label, MAX_LABEL_LENGTH);
}

export function assertLinkRecord(link: LinkRecord): void {
  assertItemId('link', link.id);
  assertDocId(link.docName);
  if (!LINK_ROLES.includes(link.role)) throw new RangeError(`Invalid link role: expected one of ${LINK_ROLES.join(', ')}.`);
  assertTokenHash(link.tokenHash);
  assertLabel(link.label);
  assertTime('createdAt', link.createdAt);
  assertOptionalTime('expiresAt', link.expiresAt);
  assertOptionalTime('lastUsedAt', link.lastUsedAt);
  assertOptionalTime('revokedAt', link.revokedAt);
  if (typeof link.legacy !== 'boolean') throw new RangeError('Invalid link: legacy must be true or false.');
}

export function assertLinkUses(uses: readonly LinkUse[]): void {
  if (uses.length > MAX_BATCH_ITEMS) throw new RangeError(`Too many link uses in one call: at most ${MAX_BATCH_ITEMS}.`);
  for (const use of uses) {
    assertDocId(use.docName);
    assertItemId('link', use.linkId);
    assertTime('link use time', use.at);
  }
}

export function assertNewVersion(version: NewVersion, snapshot: Uint8Array): void {
  assertItemId('version', version.id);
  assertDocId(version.docName);
  assertTime('createdAt', version.createdAt);
  if (!VERSION_KINDS.includes(version.kind)) throw new RangeError(`Invalid version kind: expected one of ${VERSION_KINDS.join(', ')}.`);
  assertLabel(version.label);
  if (!Array.isArray(version.authors) || version.authors.length > MAX_AUTHORS) {
    throw new RangeError(`Invalid version authors: expected an array of at most ${MAX_AUTHORS}.`);
  }
  for (const author of version.authors) assertText('version author', author, MAX_AUTHOR_LENGTH);
  assertBytes('version snapshot', snapshot, MAX_VERSION_BYTES);
}

export function assertVersionIds(ids: readonly string[]): void {
  if (ids.length > MAX_BATCH_ITEMS) throw new RangeError(`Too many version ids in one call: at most ${MAX_BATCH_ITEMS}.`);
  for (const id of ids) assertItemId('version', id);
}

export function assertNewBlob(blob: NewBlob): void {
  assertItemId('blob', blob.id);
  if (typeof blob.contentType !== 'string' || blob.contentType.length > MAX_CONTENT_TYPE_LENGTH || !CONTENT_TYPE_PATTERN.test(blob.contentType)) {
    throw new RangeError(`Invalid content type: expected type/subtype in at most ${MAX_CONTENT_TYPE_LENGTH} characters, without parameters.`);
  }
  assertBytes('blob', blob.bytes, MAX_BLOB_BYTES);
  assertTime('createdAt', blob.createdAt);
}

function assertBytes(what: string, bytes: Uint8Array, max: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes.length > max) {
    throw new RangeError(`Invalid ${what}: expected 1 to ${max} bytes.`);
  }
}
