/**
 * Quire's storage layer: the DocStore interface and its backends. The contract test suite lives
 * in `doc-store-contract.ts` and is deliberately not exported here (it depends on node:test).
 */

export type { AppendEntry, CompactResult, DocStore, DocSummary, StoredDoc } from './doc-store.js';
export { LINK_ROLES, type LinkRecord, type LinkRole, type LinkStore, type LinkUse } from './link-store.js';
export { VERSION_KINDS, type NewVersion, type StoredVersion, type VersionKind, type VersionRecord, type VersionStore } from './version-store.js';
export type { DocStatus, TrashEntry, TrashStore } from './trash-store.js';
export type { BlobStore, BlobSummary, NewBlob, StoredBlob } from './blob-store.js';
export { DocStatusError, StoreClosedError, StoreConflictError, type RefusedDoc } from './store-errors.js';
export { MAX_AUTHORS, MAX_AUTHOR_LENGTH, MAX_BLOB_BYTES, MAX_CONTENT_TYPE_LENGTH, MAX_LABEL_LENGTH, MAX_VERSION_BYTES } from './record-checks.js';
export { LevelDocStore, type LevelDocStoreOptions } from './level-doc-store.js';
export { PostgresDocStore, type PostgresDocStoreOptions } from './postgres-doc-store.js';
export { ForwardingDocStore } from './forwarding-doc-store.js';
