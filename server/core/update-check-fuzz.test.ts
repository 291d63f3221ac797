/**
 * A differential fuzz of the update check: crafted changes (items with origins, right origins,
 * parents and keys picked among what the document holds and what the change itself makes, in one
 * to three sections; garbage structs and deleted content among them; deletions of held and new
 * clocks a third of the time) are checked against a document honest editors built, and every change the
 * check accepts is applied as the room would: the server's document, a reader that gets what the
 * server relays, and a document loaded from the server's encoding must then agree, in their Yjs
 * snapshots and in what they read. Yjs may not throw on an accepted change (that costs the room a
 * rebuild); only the check after the apply (placed-as-sent.ts) may still refuse it.
 *
 * Runs 5 seeds by default (from a random one, or SEED=s); `UPDATE_CHECK_FUZZ_RUNS=n` runs n. It
 * found the rules of placed-as-sent.ts and several of update-check.ts.
 *
 * It does not craft items naming origins that are all their own client's, or naming none in a
 * type their own client made: the room lets those through unchecked, because Yjs's undo manager makes them (it names the
 * copies it made of an item's old neighbours, which need not be side by side nor in their order;
 * a known Yjs bug, open upstream), and refusing them refuses honest undo. Crafted, they can still
 * make the server, its readers and a reload read differently: with this filter off, one of 500
 * seeds found such a change.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { FRAGMENT_NAME } from '../../document/fragment.js';
import { schema } from '../../document/schema.js';
import { documentShape } from '../../document/shape.js';
import { QuireError } from '../../shared/errors.js';
import { craftedItems, craftedLength, type CraftedItem } from '../../test/support/crafted-updates.js';
import { int, pick, testSeed, withSeed, type Rng } from '../../test/support/seeded.js';
import { checkPlacedAsSent, MisplacedItemError } from './placed-as-sent.js';
import { checkUpdate } from './update-check.js';

const SHAPE = documentShape(schema);
const LIMITS = { maxStructsPerUpdate: 20_000, maxNestingDepth: 64 };
const RUNS = Number(process.env['UPDATE_CHECK_FUZZ_RUNS'] ?? 5);
const CHANGES_PER_RUN = 300;

/** A document honest editors wrote: paragraphs with formatted text, a heading, a map and a text outside the fragment. */
function honestDocument(): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = 1;
  const fragment = doc.getXmlFragment(FRAGMENT_NAME);
  for (const words of ['alpha beta', 'gamma']) {
    const paragraph = new Y.XmlElement('paragraph');
    const text = new Y.XmlText();
    paragraph.insert(0, [text]);
    fragment.insert(fragment.length, [paragraph]);
    text.insert(0, words);
    text.format(0, 3, { strong: true });
  }
  const heading = new Y.XmlElement('heading');
  heading.setAttribute('level', '2');
  heading.insert(0, [new Y.XmlText('title')]);
  fragment.insert(0, [heading]);
  doc.getMap('meta').set('k', 1);
  doc.getMap('meta').set('k', 2);
  doc.getText('notes').insert(0, 'notes');
  return doc;
}

/** Every held clock of an item, as [client, clock]. */
function heldClocks(doc: Y.Doc): Array<[number, number]> {
  const clocks: Array<[number, number]> = [];
  for (const [client, structs] of doc.store.clients) {
    for (const struct of structs) for (let i = 0; i < struct.length; i++) clocks.push([client, struct.id.clock + i]);
  }
  return clocks;
}

function craftedChange(doc: Y.Doc, rng: Rng): Uint8Array {
  const held = heldClocks(doc);
  const sections: Array<{ client: number; clock: number; items: CraftedItem[] }> = [];
  const made: Array<[number, number]> = [];
  for (let s = 0, count = 1 + int(rng, 3); s < count; s++) {
    const client = pick(rng, [1, 7, 8, 9, 100 + int(rng, 3)]);
    const clock = rng() < 0.7 ? Y.getState(doc.store, client) : int(rng, Y.getState(doc.store, client) + 3);
    const items: CraftedItem[] = [];
    let next = clock;
    for (let i = 0, n = 1 + int(rng, 4); i < n; i++) {
      const ref = (): [number, number] => (made.length > 0 && rng() < 0.5 ? pick(rng, made) : pick(rng, held));
      const kind = rng();
      let item: CraftedItem;
      if (kind < 0.08) item = { garbage: 1 + int(rng, 3) };
      else {
        do item = craftedPlace(rng, ref);
        while (namesOnlyItsOwn(item, client));
        item = kind < 0.15 ? { ...item, deleted: 1 + int(rng, 3) } : kind < 0.7 ? { ...item, text: pick(rng, ['x', 'yz', 'hello']) } : { ...item, value: int(rng, 10) };
      }
      items.push(item);
      for (let c = 0; c < craftedLength(item); c++) made.push([client, next + c]);
      next += craftedLength(item);
    }
    sections.push({ client, clock, items });
  }
  // Deletions, a third of the time: of what the document holds or the change makes.
  const deletions: Array<[number, number, number]> = [];
  if (rng() < 0.33) {
    for (let d = 0, n = 1 + int(rng, 3); d < n; d++) {
      const [client, clock] = made.length > 0 && rng() < 0.3 ? pick(rng, made) : pick(rng, held);
      deletions.push([client, clock, 1 + int(rng, 3)]);
    }
  }
  return craftedItems(sections, deletions);
}

/** Where a crafted item goes: after and/or before items, or into a parent (and key). */
function craftedPlace(rng: Rng, ref: () => [number, number]): CraftedItem {
  const where = rng();
  return where < 0.45
    ? { origin: ref(), ...(rng() < 0.5 ? { rightOrigin: ref() } : {}) }
    : where < 0.6
      ? { rightOrigin: ref() }
      : where < 0.8
        ? { parent: ref(), ...(rng() < 0.4 ? { sub: pick(rng, ['level', 'k', 'x']) } : {}) }
        : { parent: pick(rng, [FRAGMENT_NAME, 'meta', 'notes']), ...(rng() < 0.4 ? { sub: pick(rng, ['k', 'x']) } : {}) };
}

/**
 * Whether the item names only its own client's items as origins, or none and a parent its own
 * client made: the room lets those through unchecked (placed-as-sent.ts: Yjs's undo manager makes
 * them), and they can still be crafted into a divergence (see the header), so they are not crafted
 * here.
 */
function namesOnlyItsOwn(item: CraftedItem, client: number): boolean {
  const named = [item.origin, item.rightOrigin].filter((id) => id !== undefined);
  if (named.length === 0) return Array.isArray(item.parent) && item.parent[0] === client;
  return named.every(([owner]) => owner === client);
}

function snapshotHex(doc: Y.Doc): string {
  return Buffer.from(Y.encodeSnapshot(Y.snapshot(doc))).toString('hex');
}

function reads(doc: Y.Doc): string {
  // A map's keys in a fixed order: the order a Map met them in is not part of what it holds.
  const meta = Object.entries(doc.getMap('meta').toJSON()).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([doc.getXmlFragment(FRAGMENT_NAME).toString(), meta, doc.getText('notes').toString()]);
}

describe('the update check, fuzzed', () => {
  it(`lets through only changes the server, its readers and a reload agree on (${RUNS} seeds)`, async () => {
    // SEED=n replays from n (the first seed run is n, the next n + 1, …).
    const first = testSeed();
    for (let run = 0; run < RUNS; run++) {
      await withSeed(async (seed, rng) => {
        let server = honestDocument();
        let accepted = 0;
        for (let step = 0; step < CHANGES_PER_RUN; step++) {
          const change = craftedChange(server, rng);
          let checked: ReturnType<typeof checkUpdate>;
          try {
            checked = checkUpdate(server, change, LIMITS, SHAPE);
          } catch (error) {
            if (error instanceof QuireError) continue;
            throw error;
          }
          accepted++;
          const reader = new Y.Doc();
          Y.applyUpdate(reader, Y.encodeStateAsUpdate(server));
          const relayed: Uint8Array[] = [];
          const collect = (update: Uint8Array): void => void relayed.push(update);
          server.on('update', collect);
          const before = new Map<number, number>();
          for (const client of checked.writers.keys()) before.set(client, Y.getState(server.store, client));
          let threw = false;
          try {
            Y.applyUpdate(server, change);
            checkPlacedAsSent(server, before);
          } catch (error) {
            // Yjs throwing on a change the check let through is a miss of the check: it costs the
            // room a rebuild. An item placed otherwise than it was typed is what placed-as-sent.ts finds.
            if (!(error instanceof MisplacedItemError)) assert.fail(`Yjs threw (${String(error)}) on an accepted change: seed ${seed}, step ${step}, change ${Buffer.from(change).toString('hex')}`);
            threw = true;
          }
          server.off('update', collect);
          const what = `seed ${seed}, step ${step}, change ${Buffer.from(change).toString('hex')}`;
          if (threw) {
            // An item did not land where it was typed (placed-as-sent.ts): the room is rebuilt from
            // storage, and nothing of the change was relayed, unless it went out before it was applied.
            assert.equal(checked.integratesAtOnce, false, `relayed ahead of an apply that threw: ${what}`);
            // As a room does, the fragment is asked for by name first: until then Yjs holds the
            // root as a plain type, and the shape rules would refuse every paragraph in it.
            const rebuilt = new Y.Doc();
            rebuilt.getXmlFragment(FRAGMENT_NAME);
            Y.applyUpdate(rebuilt, Y.encodeStateAsUpdate(reader));
            server = rebuilt;
            continue;
          }
          for (const update of relayed) Y.applyUpdate(reader, update);
          // What the server holds pending is dropped by the room (see Room.applyClientChange).
          server.store.pendingStructs = null;
          server.store.pendingDs = null;
          const reloaded = new Y.Doc();
          Y.applyUpdate(reloaded, Y.encodeStateAsUpdate(server));
          assert.equal(snapshotHex(reader), snapshotHex(server), `a reader's snapshot differs from the server's: ${what}`);
          assert.equal(snapshotHex(reloaded), snapshotHex(server), `a reload's snapshot differs from the server's: ${what}`);
          assert.equal(reads(reader), reads(server), `a reader reads otherwise than the server: ${what}`);
          assert.equal(reads(reloaded), reads(server), `a reload reads otherwise than the server: ${what}`);
        }
        assert.ok(accepted > 0, `seed ${seed}: no crafted change was accepted, so nothing was compared`);
      }, first + run);
    }
  });
});
