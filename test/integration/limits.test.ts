/**
 * The server's limits, each on a real server configured with a small value: update size,
 * document size, per-connection rate, join timeout, documents per connection and connections
 * per address. Every refusal is typed and reaches only the offender; everyone else carries on.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import type { DocProvider } from '../../client/provider.js';
import type { QuireErrorPayload } from '../../shared/errors.js';
import { encodeUpdateMessage } from '../../shared/protocol.js';
import type { OpenQuireServerOptions } from '../../server/quire-server.js';
import { LevelDocStore } from '../../storage/level-doc-store.js';
import { FailingDocStore } from '../support/failing-doc-store.js';
import { RawClient } from '../support/raw-client.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';
import { nextTurn, sleep, waitFor } from '../support/wait.js';

/** Runs `body` against a fresh server and closes the server and every raw client afterwards. */
async function withServer(options: OpenQuireServerOptions, body: (t: TestServer, raw: () => Promise<RawClient>) => Promise<void>): Promise<void> {
  const t = await startTestServer(options);
  const raws: RawClient[] = [];
  try {
    await body(t, async () => {
      const client = await RawClient.connect(t.url);
      raws.push(client);
      return client;
    });
  } finally {
    await Promise.all(raws.map((r) => r.close()));
    await t.close();
  }
}

function collectErrors(provider: DocProvider): QuireErrorPayload[] {
  const errors: QuireErrorPayload[] = [];
  provider.on('error', (error) => errors.push(error));
  return errors;
}

/** A Yjs update that inserts `text` into Y.Text `t`, made on a throwaway doc. */
function textUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, text);
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

async function expectRejection(promise: Promise<unknown>, pattern: RegExp, what: string): Promise<void> {
  await assert.rejects(
    Promise.race([promise, sleep(5000).then(() => Promise.reject(new Error(`${what}: still pending after 5 s`)))]),
    pattern,
    what,
  );
}

describe('maxUpdateBytes', () => {
  it('refuses a larger update with update-too-large, to the sender only', async () => {
    await withServer({ limits: { maxUpdateBytes: 2048 } }, async (t, raw) => {
      const docName = await t.createDoc();
      const a = t.provider(docName);
      const b = t.provider(docName);
      await Promise.all([a.whenSynced(), b.whenSynced()]);
      const errorsA = collectErrors(a);
      const errorsB = collectErrors(b);
      a.doc.getText('t').insert(0, 'small');
      await a.whenSaved();
      a.doc.getText('t').insert(5, 'x'.repeat(4000));
      await expectRejection(a.whenSaved(), /update-too-large/, 'whenSaved after the big edit');
      assert.deepEqual(errorsA.map((e) => e.code), ['update-too-large']);
      assert.equal(a.unsavedCount, 0, 'a refused change is not resent');
      await sleep(200);
      assert.deepEqual(errorsB, []);
      assert.equal(b.doc.getText('t').toString(), 'small');

      const client = await raw();
      assert.deepEqual(await client.join(docName), { ok: true, role: 'edit' });
      const reply = await client.sync(docName, encodeUpdateMessage(textUpdate('y'.repeat(3000))));
      assert.equal(reply.ok, false);
      assert.equal(!reply.ok && reply.error.code, 'update-too-large');
      assert.equal(client.connected, true, 'the offender stays connected');

      const fresh = t.provider(docName);
      await fresh.whenSynced();
      assert.equal(fresh.doc.getText('t').toString(), 'small');
    });
  });
});

describe('maxDocBytes', () => {
  it('refuses an update that would push the document past its limit, and keeps the document as it was', async () => {
    await withServer({ limits: { maxDocBytes: 4096 } }, async (t) => {
      const docName = await t.createDoc();
      const a = t.provider(docName);
      const b = t.provider(docName);
      await Promise.all([a.whenSynced(), b.whenSynced()]);
      const errors = collectErrors(a);
      a.doc.getText('t').insert(0, 'a'.repeat(1500));
      await a.whenSaved();
      await waitFor('b to get the first edit', () => b.doc.getText('t').length === 1500);

      // 1500 + 3000 bytes is past 4096, though the update alone is under every other limit.
      a.doc.getText('t').insert(1500, 'b'.repeat(3000));
      await expectRejection(a.whenSaved(), /doc-too-large/, 'whenSaved after the edit past the limit');
      await waitFor("a's error event", () => errors.some((e) => e.code === 'doc-too-large'));
      assert.equal(errors.find((e) => e.code === 'doc-too-large')?.docName, docName);

      await sleep(200);
      assert.equal(b.doc.getText('t').length, 1500, 'the other page never saw the refused change');
      assert.equal(t.server.loadedDoc(docName)?.getText('t').length, 1500, "the server's copy");
      const fresh = t.provider(docName);
      await fresh.whenSynced();
      assert.equal(fresh.doc.getText('t').toString(), 'a'.repeat(1500), 'a fresh page sees the document as it was');
      const stored = await t.server.store.load(docName);
      const reloaded = new Y.Doc();
      Y.applyUpdate(reloaded, stored!.update);
      assert.equal(reloaded.getText('t').toString(), 'a'.repeat(1500), 'storage holds the document as it was');
      reloaded.destroy();
    });
  });
});

describe('maxDocBytes under ordinary editing', () => {
  it('accepts any number of edits while the document stays well under its limit', async () => {
    // Typing and deleting 300 characters, one keystroke per update, leaves a document of a few
    // dozen bytes; the limit is on the document, not on the sum of the updates it has seen.
    const rateLimit = { messagesPerSecond: 10_000, messageBurst: 10_000, bytesPerSecond: 1024 * 1024, byteBurst: 1024 * 1024 };
    await withServer({ limits: { maxDocBytes: 4096 }, rateLimit }, async (t) => {
      const docName = await t.createDoc();
      const a = t.provider(docName);
      await a.whenSynced();
      const errors = collectErrors(a);
      const text = a.doc.getText('t');
      // One keystroke per event-loop turn, so each goes to the server as its own update.
      for (let i = 0; i < 300; i++) {
        text.insert(i, 'k');
        await nextTurn();
      }
      for (let i = 300; i > 0; i--) {
        text.delete(i - 1, 1);
        await nextTurn();
      }
      text.insert(0, 'still editable');
      const encoded = Y.encodeStateAsUpdate(a.doc).length;
      assert.ok(encoded < 200, `the document itself is ${encoded} bytes`);
      await a.whenSaved().catch((error: Error) => {
        error.message += ` (errors: ${JSON.stringify(errors.map((e) => e.code).slice(0, 3))}, ${errors.length} in all)`;
        throw error;
      });
      assert.deepEqual(errors, []);
      const fresh = t.provider(docName);
      await fresh.whenSynced();
      assert.equal(fresh.doc.getText('t').toString(), 'still editable');
    });
  });
});

/** How long another client's edit may take to be relayed during a flood. */
const RELAY_LIMIT_MS = 5000;

describe('rate limit', () => {
  it('refuses a flooding connection with rate-limited while other clients relay promptly', async (context) => {
    const rateLimit = { messagesPerSecond: 5, messageBurst: 10, bytesPerSecond: 1024 * 1024, byteBurst: 1024 * 1024 };
    await withServer({ rateLimit }, async (t, raw) => {
      const docName = await t.createDoc();
      const b = t.provider(docName);
      const c = t.provider(docName);
      await Promise.all([b.whenSynced(), c.whenSynced()]);
      const flooder = await raw();
      assert.deepEqual(await flooder.join(docName), { ok: true, role: 'edit' });

      const source = new Y.Doc();
      const updates: Uint8Array[] = [];
      source.on('update', (update: Uint8Array) => updates.push(update));
      for (let i = 0; i < 60; i++) source.getText('flood').insert(0, String(i % 10));
      const replies = Promise.all(updates.map((u) => flooder.ack('sync', [docName, encodeUpdateMessage(u)])));

      // While the flood is being refused, another client's edit reaches a third promptly. A relay
      // takes milliseconds, but a busy CI machine can stall this process for a second or more, so
      // the bound is 5 s: still far below the 10 s that b's edit would wait if the flood's 50
      // refused messages were instead queued at 5 a second ahead of it.
      const started = Date.now();
      b.doc.getText('t').insert(0, 'hello from b');
      await waitFor('c to see b', () => c.doc.getText('t').toString() === 'hello from b', RELAY_LIMIT_MS);
      const relayMs = Date.now() - started;
      context.diagnostic(`b's edit reached c in ${relayMs} ms during the flood`);

      const codes = (await replies).map((r) => ((r as { ok: boolean; error?: QuireErrorPayload }).ok ? 'ok' : (r as { error: QuireErrorPayload }).error.code));
      const limited = codes.filter((c) => c === 'rate-limited').length;
      assert.ok(limited >= 40, `most of the flood is refused: ${JSON.stringify(codes)}`);
      assert.ok(codes.filter((c) => c === 'ok').length >= 5, 'the burst got through');
      // Each change of the flood builds on the one before: once one was refused, a later one the
      // bucket has refilled for lacks what it builds on (a slow machine refills mid-flood).
      const firstLimited = codes.indexOf('rate-limited');
      codes.forEach((code, i) => {
        const allowed = i < firstLimited ? ['ok'] : i === firstLimited ? ['rate-limited'] : ['rate-limited', 'missing-dependencies'];
        assert.ok(allowed.includes(code), `change ${i}: ${code} (${JSON.stringify(codes)})`);
      });
      assert.ok(relayMs < RELAY_LIMIT_MS, `relay took ${relayMs} ms`);
      await b.whenSaved();
      assert.equal(b.unsavedCount, 0);
      source.destroy();
    });
  });
});

describe('rate limit and an honest provider', () => {
  it('a provider that types faster than the limit gets every change saved in the end', async () => {
    const rateLimit = { messagesPerSecond: 10, messageBurst: 10, bytesPerSecond: 1024 * 1024, byteBurst: 1024 * 1024 };
    await withServer({ rateLimit }, async (t) => {
      const docName = await t.createDoc();
      const a = t.provider(docName);
      const b = t.provider(docName);
      await Promise.all([a.whenSynced(), b.whenSynced()]);
      const errors = collectErrors(a);
      const text = a.doc.getText('t');
      for (let i = 0; i < 40; i++) {
        text.insert(i, String(i % 10));
        await nextTurn();
      }
      const expected = text.toString();
      await a.whenSaved();
      assert.ok(errors.some((e) => e.code === 'rate-limited'), 'the limit was reached');
      assert.equal(a.unsavedCount, 0);
      await waitFor('b to converge', () => b.doc.getText('t').toString() === expected);
      assert.equal(t.server.loadedDoc(docName)?.getText('t').toString(), expected);
    });
  });
});

describe('join timeout', () => {
  it('disconnects a connection that joins nothing, and keeps one that joined', async () => {
    const joinTimeoutMs = 1000;
    await withServer({ joinTimeoutMs }, async (t, raw) => {
      // The documents exist before anyone connects: a storage write between connecting and
      // joining could outlast the timeout on a busy machine and drop the joiner too.
      const joinerDoc = await t.createDoc();
      const providerDoc = await t.createDoc();
      const idle = await raw();
      const joiner = await raw();
      assert.deepEqual(await joiner.join(joinerDoc), { ok: true, role: 'edit' });
      const provider = t.provider(providerDoc);
      await provider.whenSynced();
      const lastConnected = Date.now();
      await idle.waitFor('the idle connection to be closed', () => !idle.connected, 5000);
      assert.equal(idle.disconnectedBecause, 'io server disconnect');
      // All three connections were made before lastConnected, so once this sleep ends every join
      // timer has fired (they run on this process's event loop, before a later-due sleep).
      await sleep(Math.max(0, lastConnected + joinTimeoutMs + 200 - Date.now()));
      assert.equal(joiner.connected, true, 'a connection that joined stays');
      assert.equal(provider.status, 'synced');
    });
  });
});

describe('join timeout, with a join in flight at the deadline', () => {
  it('closes the connection once that join failed and nothing else was joined', async () => {
    const dir = await makeTempDir('quire-join-in-flight-');
    const store = new FailingDocStore(await LevelDocStore.open(dir, { sync: false }));
    const joinTimeoutMs = 300;
    try {
      await withServer({ joinTimeoutMs, store, dataDir: dir }, async (t, raw) => {
        const docName = await t.createDoc();
        let release!: () => void;
        store.failLoadsAfter = new Promise<void>((resolve) => (release = resolve));
        const client = await raw();
        const reply = client.join(docName);
        // Well past the deadline: the join, waiting for storage, keeps the connection open.
        await sleep(joinTimeoutMs * 3);
        assert.equal(client.connected, true, 'a connection whose join is in flight stays');
        release();
        const answer = await reply;
        assert.equal(answer.ok, false, 'the document could not be read');
        // Its time is up and it joined nothing: closed at a sweep soon after.
        await client.waitFor('the connection to be closed', () => !client.connected, 3000);
        assert.equal(client.disconnectedBecause, 'io server disconnect');
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('documents per connection', () => {
  it('refuses a join past maxDocsPerConnection with too-many-docs', async () => {
    await withServer({ limits: { maxDocsPerConnection: 2 } }, async (t, raw) => {
      const client = await raw();
      const docs = [await t.createDoc(), await t.createDoc(), await t.createDoc()];
      assert.equal((await client.join(docs[0])).ok, true);
      assert.equal((await client.join(docs[1])).ok, true);
      const third = await client.join(docs[2]);
      assert.equal(third.ok ? 'joined' : third.error.code, 'too-many-docs', 'the third document of a connection limited to 2');
      client.emitRaw('leave', docs[0]);
      const afterLeave = await client.join(docs[2]);
      assert.equal(afterLeave.ok, true, 'after leaving one, another can be joined');
    });
  });

  it('counts joins in flight: of four concurrent joins, two succeed', async () => {
    await withServer({ limits: { maxDocsPerConnection: 2 } }, async (t, raw) => {
      const client = await raw();
      const docs = await Promise.all([t.createDoc(), t.createDoc(), t.createDoc(), t.createDoc()]);
      const replies = await Promise.all(docs.map((d) => client.join(d)));
      const codes = replies.map((r) => (r.ok ? 'ok' : r.error.code));
      assert.deepEqual(codes.filter((c) => c === 'ok').length, 2, JSON.stringify(codes));
      assert.deepEqual(codes.filter((c) => c === 'too-many-docs').length, 2, JSON.stringify(codes));
    });
  });
});

describe('connections per address', () => {
  it('refuses the connection past maxConnectionsPerAddress, loopback included', async () => {
    await withServer({ maxConnectionsPerAddress: 2 }, async (_t, raw) => {
      const first = await raw();
      await raw();
      await assert.rejects(RawClient.connect(_t.url), (error: Error & { data?: unknown }) => {
        assert.deepEqual(error.data, { code: 'too-many-connections', message: 'At most 2 connections per address are allowed; close some and try again.' });
        return true;
      });
      await first.close();
      // The server notices the close; then a new connection fits again.
      let replacement: RawClient | null = null;
      const deadline = Date.now() + 3000;
      while (replacement === null && Date.now() < deadline) {
        try {
          replacement = await raw();
        } catch {
          await sleep(50);
        }
      }
      assert.ok(replacement?.connected, 'a connection fits again once one closed');
    });
  });
});
