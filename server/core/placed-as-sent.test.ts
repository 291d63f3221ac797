import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { craftedItems } from '../../test/support/crafted-updates.js';
import { int, pick, withSeed } from '../../test/support/seeded.js';
import { checkPlacedAsSent, MisplacedItemError } from './placed-as-sent.js';

/** Applies `update` to `doc` and runs the check over what it added. */
function applyAndCheck(doc: Y.Doc, update: Uint8Array): 'placed' | 'misplaced' {
  const before = new Map<number, number>();
  for (const struct of Y.decodeUpdate(update).structs) before.set(struct.id.client, Y.getState(doc.store, struct.id.client));
  Y.applyUpdate(doc, update);
  try {
    checkPlacedAsSent(doc, before);
    return 'placed';
  } catch (error) {
    if (error instanceof MisplacedItemError) return 'misplaced';
    throw error;
  }
}

describe('checkPlacedAsSent', () => {
  it('finds an item whose right origin ended up to its left', () => {
    const held = new Y.Doc();
    held.clientID = 1;
    held.getText('t').insert(0, 'abcdefgh');
    const server = new Y.Doc();
    Y.applyUpdate(server, Y.encodeStateAsUpdate(held));
    // "yz" before "d"; "x" after "g" with "yz" as its right neighbour.
    const crossed = craftedItems([{ client: 5, clock: 0, items: [{ rightOrigin: [1, 3], text: 'yz' }, { origin: [1, 6], rightOrigin: [5, 0], text: 'x' }] }]);
    assert.equal(applyAndCheck(server, crossed), 'misplaced');
  });

  it('passes honest editors typing at the same places concurrently, over many seeds', () =>
    withSeed(async (_seed, rng) => {
      for (let round = 0; round < 30; round++) {
        const replicas = [1, 2, 3].map((client) => {
          const doc = new Y.Doc();
          doc.clientID = client;
          return doc;
        });
        const server = new Y.Doc();
        for (let step = 0; step < 60; step++) {
          const replica = pick(rng, replicas);
          const text = replica.getText('t');
          if (text.length > 0 && rng() < 0.25) text.delete(int(rng, text.length), 1);
          else text.insert(int(rng, text.length + 1), pick(rng, ['a', 'bc', 'def']));
          if (rng() < 0.3) replica.getMap('m').set(pick(rng, ['k', 'j']), step);
          // Now and then a replica sends all the server lacks, concurrent edits of others in between.
          if (rng() < 0.4) {
            const update = Y.encodeStateAsUpdate(replica, Y.encodeStateVector(server));
            assert.equal(applyAndCheck(server, update), 'placed', `round ${round} step ${step}`);
            Y.applyUpdate(replica, Y.encodeStateAsUpdate(server, Y.encodeStateVector(replica)));
          }
        }
      }
    }));
});
