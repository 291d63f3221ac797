/**
 * The key layout of LevelDocStore, in one place. Keys are ASCII. `/` never occurs in a document
 * id, view token, link, version or blob id or token hash, and `0` is the character after `/`, so
 * the range from `<prefix>/` up to `<prefix>0` holds exactly the keys that start with `<prefix>/`:
 * one document's keys never fall inside another document's range, even when one id is a prefix of
 * another (`-` sorts before `/`, letters, digits and `_` after `0`).
 *
 *   d/<doc>/l/<seq>       one log entry (a Yjs update); <seq> is 16 hex digits (level-content.ts)
 *   d/<doc>/m             metadata: time of the last append or compaction, decimal ms
 *   d/<doc>/s             snapshot: the merge of every log entry compacted away
 *   d/<doc>/t             status: `trashed <ms>`, or `purged <ms>` (the tombstone); absent: missing or live
 *   d/<doc>/v             the document's view token
 *   v/<token>             the document id a view token belongs to
 *   k/<doc>/<linkId>      a link, JSON (its token's SHA-256, never the token)
 *   h/<tokenHash>         `<doc>/<linkId>` of the link with this token hash (findLink)
 *   r/<doc>/<versionId>   a version's record, JSON
 *   R/<doc>/<versionId>   a version's snapshot
 *   b/<doc>/<blobId>      a blob's record, JSON (content type, size, creation time)
 *   B/<doc>/<blobId>      a blob's bytes
 *   t/<doc>               a document in the trash: its deletion time, decimal ms (listTrash)
 *   x/epoch               how many times the database was opened (decimal)
 *
 * Records and bytes of versions and blobs have prefixes of their own, so listing them never reads
 * a snapshot or an image. Only content and per-document scalars live under d/, so `list()` and
 * the document scans read nothing else.
 */

export const EPOCH_KEY = 'x/epoch';
export const DOCS_PREFIX = 'd/';
export const TRASH_PREFIX = 't/';

/** The range of keys that start with `prefix`, which must end with `/`. */
export function under(prefix: string): { readonly gte: string; readonly lt: string } {
  return { gte: prefix, lt: `${prefix.slice(0, -1)}0` };
}

export const docPrefix = (docName: string): string => `d/${docName}/`;
export const logPrefix = (docName: string): string => `d/${docName}/l/`;
export const metaKey = (docName: string): string => `d/${docName}/m`;
export const snapshotKey = (docName: string): string => `d/${docName}/s`;
export const statusKey = (docName: string): string => `d/${docName}/t`;
export const docTokenKey = (docName: string): string => `d/${docName}/v`;
export const tokenKey = (token: string): string => `v/${token}`;
export const linksPrefix = (docName: string): string => `k/${docName}/`;
export const linkKey = (docName: string, linkId: string): string => `k/${docName}/${linkId}`;
export const hashKey = (tokenHash: string): string => `h/${tokenHash}`;
export const versionsPrefix = (docName: string): string => `r/${docName}/`;
export const versionKey = (docName: string, versionId: string): string => `r/${docName}/${versionId}`;
export const versionBytesPrefix = (docName: string): string => `R/${docName}/`;
export const versionBytesKey = (docName: string, versionId: string): string => `R/${docName}/${versionId}`;
export const blobsPrefix = (docName: string): string => `b/${docName}/`;
export const blobKey = (docName: string, blobId: string): string => `b/${docName}/${blobId}`;
export const blobBytesPrefix = (docName: string): string => `B/${docName}/`;
export const blobBytesKey = (docName: string, blobId: string): string => `B/${docName}/${blobId}`;
export const trashKey = (docName: string): string => `t/${docName}`;

/** Orders ASCII ids as PostgreSQL's "C" collation does. */
export function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The last segment of a key (an item id or a document id after its prefix). */
export function lastSegment(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/**
 * Keys of the in-process KeyedLock. A document's lock serialises every change of it except
 * appends; its append gate serialises appends with purges (a purge holds both).
 */
export const lockOf = {
  doc: (docName: string): string => `d/${docName}`,
  appendGate: (docName: string): string => `g/${docName}`,
  token: (token: string): string => `v/${token}`,
  tokenHash: (tokenHash: string): string => `h/${tokenHash}`,
} as const;
