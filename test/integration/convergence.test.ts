/**
 * Invariant 2 of docs/architecture.md, randomised: five providers edit one document (rich text with
 * formatting, and an XML fragment shaped like a ProseMirror document) while they randomly drop
 * off and come back, and while the server restarts twice. At the end every provider, the
 * server's copy (as served to a fresh provider), what storage holds, and a fresh provider after
 * another restart are all equal, content and state vector. Replay a failure with SEED=n.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import type { DocProvider } from '../../client/provider.js';
import { docFromUpdate, docState, type DocShape } from '../support/doc-state.js';
import { int, withSeed } from '../support/seeded.js';
import { randomEdit } from '../support/random-edits.js';
import { useTestServer } from '../support/test-server.js';
import { nextTurn, sleep, waitFor } from '../support/wait.js';
import { FRAGMENT_NAME } from '../../document/fragment.js';

const SHAPE: DocShape = { texts: ['text'], fragments: [FRAGMENT_NAME] };
const PROVIDERS = 5;
const STEPS = 1000;
const stateOf = (doc: Y.Doc): string => JSON.stringify(docState(doc, SHAPE));

describe('random convergence', () => {
  const t = useTestServer({}, { assertTimersSettled: true });

  it(`converges after ${STEPS} random edits, disconnects and restarts of ${PROVIDERS} providers`, { timeout: 180_000 }, async () => {
    await withSeed(async (_seed, rng) => {
      const docName = await t().createDoc();
      const providers: DocProvider[] = [];
      for (let i = 0; i < PROVIDERS; i++) providers.push(t().provider(docName));
      await Promise.all(providers.map((p) => p.whenSynced()));
      const online = providers.map(() => true);
      // Two server restarts at seeded moments; providers edit on while it is down.
      const restartAt = new Set([50 + int(rng, STEPS / 2 - 50), STEPS / 2 + int(rng, STEPS / 2 - 20)]);
      let toggles = 0;
      let offlineEdits = 0;

      for (let step = 0; step < STEPS; step++) {
        if (restartAt.has(step)) await t().restart();
        const i = int(rng, PROVIDERS);
        const provider = providers[i]!;
        if (rng() < 0.07) {
          if (online[i]) provider.disconnect();
          else provider.connect();
          online[i] = !online[i];
          toggles++;
        } else {
          randomEdit(provider.doc, rng);
          if (!online[i]) offlineEdits++;
        }
        const pause = rng();
        if (pause < 0.3) await nextTurn();
        else if (pause < 0.36) await sleep(int(rng, 15));
      }

      for (let i = 0; i < PROVIDERS; i++) if (!online[i]) providers[i]!.connect();
      await Promise.all(providers.map((p) => p.whenSynced()));
      await Promise.all(providers.map((p) => p.whenSaved()));
      try {
        await waitFor('every provider to converge', () => providers.every((p) => stateOf(p.doc) === stateOf(providers[0]!.doc)), 15_000);
      } catch {
        // Not converged in time: the assertions below fail and show how the replicas differ.
      }

      const expected = docState(providers[0]!.doc, SHAPE);
      for (const provider of providers) assert.deepEqual(docState(provider.doc, SHAPE), expected);
      assert.ok(toggles > 0 && offlineEdits > 0, `the run should include disconnects (${toggles}) and offline edits (${offlineEdits})`);
      assert.ok(providers[0]!.doc.getText('text').length > 0 && providers[0]!.doc.getXmlFragment(FRAGMENT_NAME).length > 0, 'the run should leave content behind');

      // The server's copy, as it serves it to a newcomer while the room is loaded.
      const newcomer = t().provider(docName);
      await newcomer.whenSynced();
      assert.deepEqual(docState(newcomer.doc, SHAPE), expected, "the server's copy differs");

      // What storage holds.
      const stored = await t().server.store.load(docName);
      assert.ok(stored !== null, 'the document should be stored');
      const storedDoc = docFromUpdate(stored.update);
      assert.deepEqual(docState(storedDoc, SHAPE), expected, 'the stored copy differs');
      storedDoc.destroy();

      // After a restart, with no old replica around to resend anything.
      for (const provider of [...providers, newcomer]) provider.destroy();
      await t().restart();
      const fresh = t().provider(docName);
      await fresh.whenSynced();
      assert.deepEqual(docState(fresh.doc, SHAPE), expected, 'the copy loaded after a restart differs');
    });
  });
});
