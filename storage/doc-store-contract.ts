/**
 * The contract every DocStore backend must pass. A backend's test file calls
 * `runDocStoreContract(name, setup)` once; `setup` is called before every case and must return a
 * fixture over a fresh, empty store. The cases live in contract/, one file per concern, and all
 * run from here. Uses node:test, so import it only from tests, never from index.ts.
 *
 * Randomised cases take their seed from the SEED environment variable (else a random one), print
 * it when they fail, and replay with SEED=n.
 */

import { afterEach, beforeEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { DocStore } from './doc-store.js';
import type { ContractContext } from './contract/contract-helpers.js';
import { contentCases } from './contract/content-cases.js';
import { linkCases } from './contract/link-cases.js';
import { versionCases } from './contract/version-cases.js';
import { trashCases } from './contract/trash-cases.js';
import { blobCases } from './contract/blob-cases.js';
import { isolationCases } from './contract/isolation-cases.js';
import { randomCases } from './contract/random-cases.js';

export interface DocStoreFixture {
  /** The store under test: the one setup opened, or the one `reopen` or `rawContents` opened since. */
  readonly store: () => DocStore;
  /** Closes the store and opens the backend again on the same data, as a restart would. */
  readonly reopen: () => Promise<void>;
  /**
   * Everything the backend holds now, as one buffer to search: every LevelDB key and value, or
   * every row of every table as PostgreSQL prints it (bytea as hex). A backend that cannot read
   * its data while the store is open may close and reopen the store to do so.
   */
  readonly rawContents: () => Promise<Buffer>;
  /** Releases everything; must accept a store the case already closed. */
  readonly teardown: () => Promise<void>;
}

/** Registers the DocStore contract cases for one backend. */
export function runDocStoreContract(name: string, setup: () => Promise<DocStoreFixture>): void {
  describe(`DocStore contract: ${name}`, { timeout: 60_000 }, () => {
    let fixture: DocStoreFixture | null = null;
    const current = (): DocStoreFixture => {
      assert.ok(fixture, 'setup did not run');
      return fixture;
    };
    const context: ContractContext = {
      store: () => current().store(),
      reopen: () => current().reopen(),
      rawContents: () => current().rawContents(),
    };

    beforeEach(async () => {
      fixture = await setup();
    });
    afterEach(async () => {
      const done = fixture;
      fixture = null;
      if (done) await done.teardown();
    });

    describe('content', () => contentCases(context));
    describe('links', () => linkCases(context));
    describe('versions', () => versionCases(context));
    describe('trash and tombstones', () => trashCases(context));
    describe('blobs', () => blobCases(context));
    describe('documents apart', () => isolationCases(context));
    describe('randomised', () => randomCases(context));
  });
}
