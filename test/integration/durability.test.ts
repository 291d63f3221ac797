/**
 * Invariant 1 of docs/architecture.md: an update acknowledged as saved survives `kill -9` of the server at any
 * moment. The server that gets killed runs as a child process (`node --import tsx server/main.ts`)
 * on a LevelDB data dir in a temp dir, with fsync on (the default). Every edit inserts a unique token, so a lost
 * edit is visible by name. Before each restart, every provider that talked to the killed server
 * is destroyed: otherwise its resync would quietly put back what the server lost.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, afterEach, describe, it } from 'node:test';
import * as Y from 'yjs';
import { DocProvider } from '../../client/provider.js';
import { createDocument } from '../support/http.js';
import { withSeed } from '../support/seeded.js';
import { ServerProcess } from '../support/server-process.js';
import { makeTempDir, startTestServer } from '../support/test-server.js';
import { nextTurn, sleep, waitFor } from '../support/wait.js';

const tokens = (count: number): string[] => Array.from({ length: count }, (_, i) => `e${i}`);

describe('durability across kill -9 and SIGTERM', () => {
  const servers: ServerProcess[] = [];
  const providers: DocProvider[] = [];
  const dirs: string[] = [];

  async function startServer(dataDir: string): Promise<ServerProcess> {
    const server = await ServerProcess.start({ dataDir });
    servers.push(server);
    return server;
  }

  function connect(server: ServerProcess, docName: string): DocProvider {
    const provider = new DocProvider(server.url, docName, new Y.Doc(), { transports: ['websocket'], reconnectDelayMs: 100, reconnectDelayMaxMs: 500 });
    providers.push(provider);
    return provider;
  }

  /** A server process on a new data dir, a new document on it, and an editor connected to it. */
  async function startEditing(): Promise<{ dataDir: string; server: ServerProcess; docName: string; editor: DocProvider }> {
    const dataDir = await makeTempDir('quire-durability-');
    dirs.push(dataDir);
    const server = await startServer(dataDir);
    const docName = await createDocument(server.url);
    return { dataDir, server, docName, editor: connect(server, docName) };
  }

  /**
   * What a newcomer sees in the `edits` log after a restart on `dataDir` (a Y.Text, one token per
   * line: a list of that many values from one client would pass the server's cap on value runs). The restarted server
   * runs in this process (the same server code; it starts in milliseconds rather than seconds).
   */
  async function storedTokens(dataDir: string, docName: string): Promise<string[]> {
    const restarted = await startTestServer({ dataDir });
    try {
      const fresh = restarted.provider(docName);
      await fresh.whenSynced();
      return linesOf(fresh.doc.getText('edits'));
    } finally {
      await restarted.close();
    }
  }

  afterEach(async () => {
    for (const provider of providers.splice(0)) provider.destroy();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  after(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('keeps 2,000 saved edits when the server is killed with SIGKILL', { timeout: 60_000 }, async () => {
    const { dataDir, server, docName, editor } = await startEditing();
    await editor.whenSynced();
    const edits = editor.doc.getText('edits');
    for (let i = 0; i < 2000; i++) {
      edits.insert(edits.length, `e${i}\n`);
      if (i % 50 === 49) await nextTurn();
    }
    await editor.whenSaved();
    assert.equal(editor.unsavedCount, 0);

    server.kill('SIGKILL');
    editor.destroy();
    assert.equal((await server.waitForExit()).signal, 'SIGKILL');
    assert.deepEqual(await storedTokens(dataDir, docName), tokens(2000));
  });

  it('keeps every acknowledged edit when killed at a random moment mid-stream', { timeout: 60_000 }, async (context) => {
    await withSeed(async (seed, rng) => {
      const { dataDir, server, docName, editor } = await startEditing();
      await editor.whenSynced();
      const edits = editor.doc.getText('edits');
      const killAfter = 200 + Math.floor(rng() * 1800);
      let made = 0;
      /** Edits e0 … e(acked-1) were acknowledged as saved. */
      let acked = 0;
      while (made < killAfter || acked === 0) {
        const burst = 1 + Math.floor(rng() * 20);
        for (let i = 0; i < burst; i++) edits.insert(edits.length, `e${made++}\n`);
        const upTo = made;
        editor.whenSaved().then(
          () => (acked = Math.max(acked, upTo)),
          () => undefined, // rejected by destroy() after the kill: those edits were never acked
        );
        if (rng() < 0.5) await nextTurn();
        else await sleep(Math.floor(rng() * 4));
        assert.ok(made < 50_000, 'the server never acknowledged anything');
      }
      server.kill('SIGKILL');
      const ackedAtKill = acked;
      editor.destroy();
      await server.waitForExit();

      const stored = await storedTokens(dataDir, docName);
      context.diagnostic(`SEED=${seed}: killed after ${made} edits, ${ackedAtKill} acknowledged, ${stored.length} stored`);
      const missing = tokens(ackedAtKill).filter((token) => !stored.includes(token));
      assert.deepEqual(missing, [], `${missing.length} of ${ackedAtKill} acknowledged edits were lost (made ${made}, stored ${stored.length})`);
      // One client's edits reach storage in order, so what survived is a prefix of what was made.
      assert.ok(stored.length <= made);
      assert.deepEqual(stored, tokens(stored.length));
    });
  });

  it('on SIGTERM exits with code 0 after storing every edit it had received', { timeout: 60_000 }, async () => {
    const { dataDir, server, docName, editor } = await startEditing();
    const observer = connect(server, docName);
    await Promise.all([editor.whenSynced(), observer.whenSynced()]);
    const edits = editor.doc.getText('edits');
    for (let i = 0; i < 1000; i++) {
      edits.insert(edits.length, `e${i}\n`);
      if (i % 100 === 99) await nextTurn();
    }
    // The observer has them all, so the server applied them all; their writes may be pending.
    await waitFor('the observer to receive every edit', () => linesOf(observer.doc.getText('edits')).length === 1000, 20_000);
    server.kill('SIGTERM');
    assert.deepEqual(await server.waitForExit(), { code: 0, signal: null }, server.log);
    editor.destroy();
    observer.destroy();
    assert.deepEqual(await storedTokens(dataDir, docName), tokens(1000));
  });
});

/** The tokens of an edit log, one per line. */
function linesOf(text: Y.Text): string[] {
  return text.toString().split('\n').filter((line) => line !== '');
}
