/**
 * What the contract cases share: the context they run in, document and token fixtures, a writer
 * that records updates as a client would send them, and assertions on stored state.
 */

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import type { DocStore } from '../doc-store.js';
import type { LinkRecord } from '../link-store.js';
import type { NewVersion } from '../version-store.js';
import { DocStatusError, StoreConflictError } from '../store-errors.js';
import type { DocStatus } from '../trash-store.js';

/** What a case sees of its fixture (see DocStoreFixture). */
export interface ContractContext {
  store(): DocStore;
  reopen(): Promise<void>;
  rawContents(): Promise<Buffer>;
}

export const DOC_A = 'docAAAAAAAAAAAAAAAAAAA';
export const DOC_B = 'docBBBBBBBBBBBBBBBBBBB';
export const DOC_C = 'docCCCCCCCCCCCCCCCCCCC';
export const TOKEN_1 = 'tok1_111111111111111111111111111';
export const TOKEN_2 = 'tok2-222222222222222222222222222';

/** A Y.Doc that records every update it produces, as a client would send them. */
export class Writer {
  readonly doc = new Y.Doc();
  readonly updates: Uint8Array[] = [];
  #taken = 0;

  constructor() {
    this.doc.on('update', (update: Uint8Array) => this.updates.push(update));
  }

  get text(): Y.Text {
    return this.doc.getText('t');
  }

  insert(index: number, content: string): this {
    this.text.insert(index, content);
    return this;
  }

  /** Updates produced since the last call. */
  take(): Uint8Array[] {
    const fresh = this.updates.slice(this.#taken);
    this.#taken = this.updates.length;
    return fresh;
  }

  /** Updates produced since the last `take`, as append entries of `docName`. */
  entries(docName: string): Array<{ docName: string; update: Uint8Array }> {
    return this.take().map((update) => ({ docName, update }));
  }
}

/** Stores a document holding `text` and resolves to its writer. */
export async function seedDoc(store: DocStore, docName: string, text: string): Promise<Writer> {
  const writer = new Writer().insert(0, text);
  await store.append(writer.entries(docName));
  return writer;
}

export function docFrom(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc;
}

export function textOf(update: Uint8Array): string {
  const doc = docFrom(update);
  const text = doc.getText('t').toString();
  doc.destroy();
  return text;
}

/**
 * Asserts that a stored update holds exactly the writer's state: the same text, and the same Yjs
 * snapshot (state vector and delete set; equal state vectors can hide a deletion one side lacks).
 */
export function assertSameState(update: Uint8Array, expected: Y.Doc, message?: string): void {
  const actual = docFrom(update);
  assert.equal(actual.getText('t').toString(), expected.getText('t').toString(), message);
  assert.deepEqual(Y.encodeSnapshot(Y.snapshot(actual)), Y.encodeSnapshot(Y.snapshot(expected)), message);
  actual.destroy();
}

export async function loadOrFail(store: DocStore, docName: string): Promise<Uint8Array> {
  const stored = await store.load(docName);
  assert.ok(stored, `expected ${docName} to be stored`);
  return stored.update;
}

export function sum(updates: readonly Uint8Array[]): number {
  return updates.reduce((total, update) => total + update.length, 0);
}

export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function sha256Hex(value: string | Uint8Array): string {
  return createHash('sha256').update(value).digest('hex');
}

/** A fresh link token as the server would make one (256 random bits), and its raw bytes. */
export function newToken(): { token: string; raw: Buffer } {
  const raw = randomBytes(32);
  return { token: raw.toString('base64url'), raw };
}

let linkCounter = 0;

/** A link record of `docName` for `token`, with every optional field empty unless given. */
export function linkFor(docName: string, token: string, fields: Partial<LinkRecord> = {}): LinkRecord {
  linkCounter += 1;
  return {
    id: `link${linkCounter}`,
    docName,
    role: 'edit',
    tokenHash: sha256Hex(token),
    label: null,
    createdAt: 1_700_000_000_000 + linkCounter,
    expiresAt: null,
    lastUsedAt: null,
    revokedAt: null,
    legacy: false,
    ...fields,
  };
}

export function versionOf(docName: string, id: string, createdAt: number, fields: Partial<NewVersion> = {}): NewVersion {
  return { id, docName, createdAt, kind: 'auto', label: null, authors: [], ...fields };
}

/** Bytes that appear nowhere else: 32 random bytes behind a readable prefix. */
export function marker(prefix: string): Buffer {
  return Buffer.concat([Buffer.from(`${prefix}:`), randomBytes(32)]);
}

/**
 * The spellings in which `secret` could sit in raw storage: as is, its UTF-8 in hex (as
 * PostgreSQL prints bytea) in both cases, and in base64 and base64url.
 */
export function spellings(secret: string | Uint8Array): Array<{ name: string; bytes: Buffer }> {
  const raw = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  const hex = raw.toString('hex');
  return [
    { name: 'as is', bytes: raw },
    { name: 'hex', bytes: Buffer.from(hex) },
    { name: 'HEX', bytes: Buffer.from(hex.toUpperCase()) },
    { name: 'base64', bytes: Buffer.from(raw.toString('base64').replace(/=+$/, '')) },
    { name: 'base64url', bytes: Buffer.from(raw.toString('base64url')) },
  ];
}

/** Asserts that no spelling of `secret` occurs in `raw`. */
export function assertAbsent(raw: Buffer, secret: string | Uint8Array, what: string): void {
  for (const { name, bytes } of spellings(secret)) {
    assert.equal(raw.indexOf(bytes), -1, `${what} (${name}) is still stored`);
  }
}

/** Asserts that `raw` holds `value` as is or as hex (how PostgreSQL prints bytea). */
export function assertPresent(raw: Buffer, value: string | Uint8Array, what: string): void {
  const [asIs, hex] = spellings(value);
  assert.ok(raw.indexOf(asIs?.bytes ?? Buffer.alloc(0)) >= 0 || raw.indexOf(hex?.bytes ?? Buffer.alloc(0)) >= 0, `${what} should be stored`);
}

/** Asserts that `promise` rejects with a DocStatusError naming exactly these documents and statuses. */
export async function assertRefused(promise: Promise<unknown>, expected: ReadonlyArray<{ docName: string; status: DocStatus }>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DocStatusError, `expected a DocStatusError, got ${String(error)}`);
    const sorted = (docs: ReadonlyArray<{ docName: string; status: DocStatus }>) =>
      [...docs].map(({ docName, status }) => ({ docName, status })).sort((a, b) => (a.docName < b.docName ? -1 : 1));
    assert.deepEqual(sorted(error.docs), sorted(expected));
    for (const { docName } of expected) assert.ok(!error.message.includes(docName), 'the message must not name the document');
    return true;
  });
}

export async function assertConflict(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, StoreConflictError);
}
