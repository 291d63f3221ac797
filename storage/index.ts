/**
 * Quire's storage layer: the DocStore interface and its backends. The contract test suite lives
 * in `doc-store-contract.ts` and is deliberately not exported here (it depends on node:test).
 */

export type { AppendEntry, CompactResult, DocStore, DocSummary, StoredDoc } from './doc-store.js';
export { LevelDocStore, type LevelDocStoreOptions } from './level-doc-store.js';
export { StoreClosedError } from './store-support.js';
export { PostgresDocStore, type PostgresDocStoreOptions } from './postgres-doc-store.js';
export { ForwardingDocStore } from './forwarding-doc-store.js';
