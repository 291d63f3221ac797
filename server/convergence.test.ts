/**
 * Invariant 2 of DESIGN.md, randomised: five providers edit one document (rich text with
 * formatting, and an XML fragment shaped like a ProseMirror document) while they randomly drop
 * off and come back, and while the server restarts twice. At the end every provider, the
 * server's copy (as served to a fresh provider), what storage holds, and a fresh provider after
 * another restart are all equal, content and state vector. Replay a failure with SEED=n.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import type { DocProvider } from '../client/provider.js';
import { newDocId } from '../shared/doc-id.js';
import { docFromUpdate, docState, type DocShape } from './test-support/doc-state.js';
import { withSeed } from './test-support/seeded.js';
import { prng, startTestServer, testSeed, waitFor, type TestServer } from './test-support/test-server.js';
import { TimerTracker } from './test-support/timer-tracker.js';
import { nextTurn, sleep } from './test-support/wait-until.js';

const SHAPE: DocShape = { texts: ['text'], fragments: ['prosemirror'] };
const PROVIDERS = 5;
const STEPS = 1000;
const WORDS = ['a', 'quire', 'yjs', ' ', 'hello', 'é', '🙂', 'tab\t', 'line\n'];
const MARKS: ReadonlyArray<{ [mark: string]: unknown }> = [{ bold: true }, { bold: null }, { italic: true }, { italic: null }, { link: 'https://example.com/x' }];

type Rng = () => number;
const int = (rng: Rng, below: number): number => Math.floor(rng() * below);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)]!;

/** The characters of a Y.Text (or Y.XmlText, whose toString() renders markup). */
function plainText(text: Y.Text): string {
  return text.toDelta().map((op: { insert: unknown }) => (typeof op.insert === 'string' ? op.insert : ' ')).join('');
}

/**
 * Moves an index off the middle of a surrogate pair. Editors never split a character; Yjs replaces
 * a split pair's halves with U+FFFD on the splitting replica only, so replicas would differ.
 */
function atBoundary(plain: string, index: number): number {
  const before = plain.charCodeAt(index - 1);
  return index > 0 && index < plain.length && before >= 0xd800 && before <= 0xdbff ? index + 1 : index;
}

/** One random insert, delete or format on a Y.Text (or the Y.XmlText of a paragraph). */
function editText(text: Y.Text, rng: Rng): void {
  const plain = plainText(text);
  const length = plain.length;
  const choice = rng();
  if (length === 0 || choice < 0.5) {
    const attributes = rng() < 0.3 ? pick(rng, MARKS) : undefined;
    text.insert(atBoundary(plain, int(rng, length + 1)), pick(rng, WORDS), attributes);
    return;
  }
  const index = atBoundary(plain, int(rng, length));
  if (index >= length) return;
  const end = atBoundary(plain, Math.min(length, index + 1 + int(rng, choice < 0.75 ? 6 : 8)));
  if (choice < 0.75) text.delete(index, end - index);
  else text.format(index, end - index, pick(rng, MARKS));
}

/** One random structural or text change to the XML fragment. */
function editFragment(fragment: Y.XmlFragment, rng: Rng): void {
  const length = fragment.length;
  const choice = rng();
  if (length === 0 || choice < 0.3) {
    const element = new Y.XmlElement(rng() < 0.8 ? 'paragraph' : 'heading');
    element.insert(0, [new Y.XmlText(pick(rng, WORDS))]);
    fragment.insert(int(rng, length + 1), [element]);
    return;
  }
  const child = fragment.get(int(rng, length));
  if (!(child instanceof Y.XmlElement)) return;
  if (choice < 0.42) {
    fragment.delete(int(rng, length), 1);
  } else if (choice < 0.52) {
    child.setAttribute('level', String(1 + int(rng, 3)));
  } else {
    const inner = child.get(0);
    if (inner instanceof Y.XmlText) editText(inner, rng);
    else child.insert(0, [new Y.XmlText(pick(rng, WORDS))]);
  }
}

function randomEdit(doc: Y.Doc, rng: Rng): void {
  const edits = rng() < 0.15 ? 2 + int(rng, 4) : 1;
  doc.transact(() => {
    for (let i = 0; i < edits; i++) {
      if (rng() < 0.5) editText(doc.getText('text'), rng);
      else editFragment(doc.getXmlFragment('prosemirror'), rng);
    }
  });
}

const stateOf = (doc: Y.Doc): string => JSON.stringify(docState(doc, SHAPE));

describe('random convergence', () => {
  let t: TestServer;
  // Restarts race joins and loads; whatever the server leaves running after close() is reported.
  const timers = new TimerTracker();
  before(async () => {
    timers.enable();
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
    try {
      await timers.assertSettled('after the server and every provider were closed');
    } finally {
      timers.disable();
    }
  });

  it(`converges after ${STEPS} random edits, disconnects and restarts of ${PROVIDERS} providers`, async () => {
    const seed = testSeed();
    await withSeed(seed, async () => {
      const rng = prng(seed);
      const docId = newDocId();
      const providers: DocProvider[] = [];
      for (let i = 0; i < PROVIDERS; i++) providers.push(t.provider(docId));
      await Promise.all(providers.map((p) => p.whenSynced()));
      const online = providers.map(() => true);
      // Two server restarts at seeded moments; providers edit on while it is down.
      const restartAt = new Set([50 + int(rng, STEPS / 2 - 50), STEPS / 2 + int(rng, STEPS / 2 - 20)]);
      let toggles = 0;
      let offlineEdits = 0;

      for (let step = 0; step < STEPS; step++) {
        if (restartAt.has(step)) await t.restart();
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
        await waitFor(() => providers.every((p) => stateOf(p.doc) === stateOf(providers[0]!.doc)), 'every provider to converge', 15_000);
      } catch {
        // Not converged in time: the assertions below fail and show how the replicas differ.
      }

      const expected = docState(providers[0]!.doc, SHAPE);
      for (const provider of providers) assert.deepEqual(docState(provider.doc, SHAPE), expected);
      assert.ok(toggles > 0 && offlineEdits > 0, `the run should include disconnects (${toggles}) and offline edits (${offlineEdits})`);
      assert.ok(providers[0]!.doc.getText('text').length > 0 && providers[0]!.doc.getXmlFragment('prosemirror').length > 0, 'the run should leave content behind');

      // The server's copy, as it serves it to a newcomer while the room is loaded.
      const newcomer = t.provider(docId);
      await newcomer.whenSynced();
      assert.deepEqual(docState(newcomer.doc, SHAPE), expected, "the server's copy differs");

      // What storage holds.
      const stored = await t.server.store.load(docId);
      assert.ok(stored !== null, 'the document should be stored');
      const storedDoc = docFromUpdate(stored.update);
      assert.deepEqual(docState(storedDoc, SHAPE), expected, 'the stored copy differs');
      storedDoc.destroy();

      // After a restart, with no old replica around to resend anything.
      for (const provider of [...providers, newcomer]) provider.destroy();
      await t.restart();
      const fresh = t.provider(docId);
      await fresh.whenSynced();
      assert.deepEqual(docState(fresh.doc, SHAPE), expected, 'the copy loaded after a restart differs');
    });
  });
});
