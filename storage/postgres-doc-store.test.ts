import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import pg from 'pg';
import * as Y from 'yjs';
import { runDocStoreContract } from './doc-store-contract.js';
import { PostgresDocStore, type PostgresDocStoreOptions } from './postgres-doc-store.js';
import { SCHEMA_VERSION } from './postgres-schema.js';

const DATABASE_URL = 'postgres://root@127.0.0.1:5432/test';

function uniqueSchema(): string {
  return `quire_test_${process.pid}_${randomBytes(6).toString('hex')}`;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const dropSchema = (schema: string): Promise<unknown> => admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));

async function openStore(schema: string, options: PostgresDocStoreOptions = {}, url = DATABASE_URL): Promise<PostgresDocStore> {
  return PostgresDocStore.open(url, { schema, maxConnections: 4, ...options });
}

/** Every row of every table of `schema`, as PostgreSQL prints rows (bytea as hex), one per line. */
async function rawContents(schema: string): Promise<Buffer> {
  return admin(async (client) => {
    const tables = await client.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename', [schema]);
    const lines: string[] = [];
    for (const { tablename } of tables.rows) {
      const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${tablename}" AS t`);
      for (const { row } of rows.rows) lines.push(`${tablename} ${row}`);
    }
    return Buffer.from(lines.join('\n'));
  });
}

// Cases of one file run one after another, so they share a schema, migrated once and emptied
// after each case (its store closed first) over one admin connection: creating and migrating a
// schema per case, or TRUNCATE, which rewrites files, costs a quarter of a second a case.
const contractSchema = uniqueSchema();
let contractAdmin: pg.Client | null = null;
after(async () => {
  await contractAdmin?.end();
  await dropSchema(contractSchema);
});

/** Deletes every row of the contract schema but the migration record: a fresh store without migrating again. */
async function emptyContractSchema(): Promise<void> {
  if (contractAdmin === null) {
    contractAdmin = new pg.Client({ connectionString: DATABASE_URL });
    await contractAdmin.connect();
  }
  const tables = await contractAdmin.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'quire_schema_version'",
    [contractSchema],
  );
  for (const { tablename } of tables.rows) await contractAdmin.query(`DELETE FROM "${contractSchema}"."${tablename}"`);
}

runDocStoreContract('PostgresDocStore', async () => {
  let store = await openStore(contractSchema);
  return {
    store: () => store,
    reopen: async () => {
      await store.close();
      store = await openStore(contractSchema);
    },
    rawContents: () => rawContents(contractSchema),
    teardown: async () => {
      await store.close();
      await emptyContractSchema();
    },
  };
});

const DOC = 'pgDocAAAAAAAAAAAAAAAAA';

describe('PostgresDocStore', { timeout: 60_000 }, () => {
  it('loses nothing when two nodes compact one document at once', async () => {
    const schema = uniqueSchema();
    const nodeA = await openStore(schema);
    const nodeB = await openStore(schema);
    try {
      const writer = new Y.Doc();
      const pending: Uint8Array[] = [];
      writer.on('update', (update: Uint8Array) => pending.push(update));
      const flush = (store: PostgresDocStore): Promise<void> =>
        store.append(pending.splice(0).map((update) => ({ docName: DOC, update })));
      let appended = 0;
      let merged = 0;
      for (let round = 0; round < 8; round += 1) {
        for (let i = 0; i < 15; i += 1) {
          writer.getText('t').insert(0, `${round}.${i} `);
          appended += 1;
          await flush(i % 2 === 0 ? nodeA : nodeB);
        }
        writer.getText('t').insert(0, `[during ${round}]`);
        appended += 1;
        const results = await Promise.all([nodeA.compact(DOC), flush(nodeA), nodeB.compact(DOC), nodeA.compact(DOC)]);
        merged += results[0].entriesMerged + results[2].entriesMerged + results[3].entriesMerged;
      }
      for (const store of [nodeA, nodeB]) {
        const stored = await store.load(DOC);
        assert.ok(stored);
        const loaded = new Y.Doc();
        Y.applyUpdate(loaded, stored.update);
        assert.equal(loaded.getText('t').toString(), writer.getText('t').toString());
        assert.deepEqual(Y.encodeStateVector(loaded), Y.encodeStateVector(writer));
        // Every entry is either still in the log or was merged exactly once.
        assert.equal(merged + stored.logEntries, appended);
      }
    } finally {
      await nodeA.close();
      await nodeB.close();
      await dropSchema(schema);
    }
  });

  it('migrates once, whether nodes start together or one after another', async () => {
    const schema = uniqueSchema();
    try {
      const together = await Promise.all([openStore(schema), openStore(schema), openStore(schema)]);
      const doc = new Y.Doc();
      doc.getText('t').insert(0, 'kept across opens');
      await together[0]?.append([{ docName: DOC, update: Y.encodeStateAsUpdate(doc) }]);
      await Promise.all(together.map((store) => store.close()));

      const later = await openStore(schema);
      assert.equal((await later.load(DOC))?.logEntries, 1);
      await later.close();
      const versions = await admin((client) => client.query<{ version: number }>(`SELECT version FROM "${schema}".quire_schema_version ORDER BY version`));
      assert.deepEqual(
        versions.rows.map((row) => row.version),
        Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
      );
    } finally {
      await dropSchema(schema);
    }
  });

  it('refuses a database whose schema is newer than the code', async () => {
    const schema = uniqueSchema();
    try {
      await (await openStore(schema)).close();
      await admin((client) => client.query(`INSERT INTO "${schema}".quire_schema_version (version) VALUES ($1)`, [SCHEMA_VERSION + 1]));
      await assert.rejects(openStore(schema), /newer than this Quire knows/);
    } finally {
      await dropSchema(schema);
    }
  });

  it('rejects malformed connection strings with a clear message and no password', async () => {
    const cases = ['not a url', 'mysql://user:s3cretPW@127.0.0.1/test', 'postgres://user:s3cretPW@127.0.0.1:99999/test'];
    for (const url of cases) {
      await assert.rejects(PostgresDocStore.open(url), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /Invalid PostgreSQL connection string/);
        assert.ok(!error.message.includes('s3cretPW'), error.message);
        return true;
      });
    }
  });

  it('rejects an unreachable server or a missing database, naming it but not the password', async () => {
    await assert.rejects(PostgresDocStore.open('postgres://root:s3cretPW@127.0.0.1:1/test'), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /Cannot connect to PostgreSQL at 127\.0\.0\.1:1\/test as root/);
      assert.ok(!error.message.includes('s3cretPW'), error.message);
      return true;
    });
    await assert.rejects(PostgresDocStore.open('postgres://root:s3cretPW@127.0.0.1:5432/quire_no_such_database'), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /quire_no_such_database/);
      assert.match(error.message, /does not exist/);
      assert.ok(!error.message.includes('s3cretPW'), error.message);
      return true;
    });
  });

  it('gives up on a server that never answers after the connect timeout', { timeout: 10_000 }, async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    assert.ok(address !== null && typeof address === 'object');
    try {
      await assert.rejects(
        PostgresDocStore.open(`postgres://root:s3cretPW@127.0.0.1:${address.port}/test`, { connectTimeoutMs: 300 }),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, /Cannot connect to PostgreSQL/);
          assert.match(error.message, /timeout/i);
          assert.ok(!error.message.includes('s3cretPW'));
          return true;
        },
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('survives idle connections being killed by the server, and reports them', async () => {
    const schema = uniqueSchema();
    const appName = `quire_idle_${randomBytes(4).toString('hex')}`;
    const errors: Error[] = [];
    const store = await openStore(schema, { onIdleError: (error) => errors.push(error) }, `${DATABASE_URL}?application_name=${appName}`);
    try {
      await Promise.all([store.ping(), store.ping(), store.ping()]);
      const killed = await admin((client) =>
        client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [appName]),
      );
      assert.ok((killed.rowCount ?? 0) >= 1);
      // Every killed connection must have reported before the pool is used again; otherwise
      // the next query may be handed one that is dead but not yet noticed.
      const killedCount = killed.rowCount ?? 0;
      for (let waited = 0; errors.length < killedCount && waited < 5000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(errors.length >= 1, 'the idle error reached the listener');
      await store.ping();
      const doc = new Y.Doc();
      doc.getText('t').insert(0, 'after the outage');
      await store.append([{ docName: DOC, update: Y.encodeStateAsUpdate(doc) }]);
      assert.equal((await store.load(DOC))?.logEntries, 1);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });
});
