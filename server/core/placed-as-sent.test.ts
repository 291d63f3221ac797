import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { attributeHistoryScan, craftedItems } from '../../test/support/crafted-updates.js';
import { copyOf, syncInto } from '../../test/support/doc-state.js';
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
    const server = copyOf(held);
    // "yz" before "d"; "x" after "g" with "yz" as its right neighbour.
    const crossed = craftedItems([{ client: 5, clock: 0, items: [{ rightOrigin: [1, 3], text: 'yz' }, { origin: [1, 6], rightOrigin: [5, 0], text: 'x' }] }]);
    assert.equal(applyAndCheck(server, crossed), 'misplaced');
  });

  it('finds an item placed at the start of a list whose right origin has an origin', () => {
    // The fuzz's case (SEED=80491607): its sender held "s" and so the "e" it follows; "hello"
    // could not have been typed at the start with "s" as its right neighbour. Where Yjs puts it
    // depends on the order a document integrates what it holds: the server and a reload read
    // the text differently a few changes later.
    const held = new Y.Doc();
    held.clientID = 1;
    held.getText('notes').insert(0, 'notes');
    const server = copyOf(held);
    const atStart = craftedItems([{ client: 101, clock: 0, items: [{ rightOrigin: [1, 4], text: 'hello' }] }]);
    assert.equal(applyAndCheck(server, atStart), 'misplaced');
    // Honest: typed at the start, "n" its right neighbour; and concurrently with "notes" (an empty text then).
    for (const placed of [{ rightOrigin: [1, 0] as const, text: 'hello' }, { parent: 'notes', text: 'hello' }]) {
      const fresh = copyOf(held);
      assert.equal(applyAndCheck(fresh, craftedItems([{ client: 101, clock: 0, items: [placed] }])), 'placed');
    }
  });

  it("finds an item whose right origin comes before its origin in another client's run, which reads differently once applied", () => {
    const held = new Y.Doc();
    held.clientID = 10;
    held.getText('t').insert(0, 'start');
    const server = copyOf(held);
    // Client 20 typed "a", "b" and "c" in a row; client 30 puts "d" after "c" and before "b".
    const typed = craftedItems([{ client: 20, clock: 0, items: [{ origin: [10, 4], text: 'a' }, { origin: [20, 0], text: 'b' }, { origin: [20, 1], text: 'c' }] }]);
    assert.equal(applyAndCheck(server, typed), 'placed');
    const crossed = craftedItems([{ client: 30, clock: 0, items: [{ origin: [20, 2], rightOrigin: [20, 1], text: 'd' }] }]);
    const reader = copyOf(server);
    assert.equal(applyAndCheck(server, crossed), 'misplaced');
    // What the room refuses would have read one way on the server and another in a reload.
    Y.applyUpdate(reader, crossed);
    const reloaded = copyOf(server);
    assert.equal(reader.getText('t').toString(), server.getText('t').toString());
    assert.notEqual(reloaded.getText('t').toString(), server.getText('t').toString());
  });

  it('lets undo bring back an item that names no neighbour, past the sender\'s own items', () => {
    // Found by a review's seeded undo mix: "b" comes back into a restored paragraph none of whose
    // old neighbours came back, so Yjs gives it no origins and it goes to the start of the text,
    // before the sender's own (deleted) "xy".
    const fragmentOf = (doc: Y.Doc): Y.XmlFragment => doc.getXmlFragment('prosemirror');
    const a = new Y.Doc();
    a.clientID = 1;
    const b = new Y.Doc();
    b.clientID = 2;
    const server = new Y.Doc();
    const outcomes: string[] = [];
    const send = (doc: Y.Doc): void => void outcomes.push(applyAndCheck(server, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(server))));
    // With an origin, so that A's undo manager does not take B's changes for A's own.
    const undo = new Y.UndoManager(fragmentOf(a), { captureTimeout: 0 });
    const paragraph = new Y.XmlElement('paragraph');
    const text = new Y.XmlText();
    paragraph.insert(0, [text]);
    fragmentOf(a).insert(0, [paragraph]);
    text.insert(0, 'abc');
    const other = new Y.XmlElement('paragraph');
    other.insert(0, [new Y.XmlText('other')]);
    fragmentOf(a).insert(1, [other]);
    send(a);
    syncInto(a, b);
    text.delete(1, 1);
    send(a);
    syncInto(a, b);
    ((fragmentOf(b).get(0) as Y.XmlElement).get(0) as Y.XmlText).delete(0, 2);
    send(b);
    syncInto(b, a);
    fragmentOf(a).delete(0, 1);
    send(a);
    undo.undo();
    send(a);
    ((fragmentOf(a).get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(0, 'xy');
    send(a);
    undo.undo();
    send(a);
    undo.undo();
    send(a);
    assert.equal(fragmentOf(a).toString(), '<paragraph>b</paragraph><paragraph>other</paragraph>');
    assert.deepEqual(outcomes, Array(outcomes.length).fill('placed'));
    assert.equal(fragmentOf(server).toString(), fragmentOf(a).toString());
  });

  it('refuses a change whose walks would go past the budget', () => {
    // "s", then ten clients typing after it concurrently; then "x" after "s", concurrent with them
    // too: its walk to the end of the list passes ten structs, none of which its sender knew.
    const base = new Y.Doc();
    base.clientID = 1;
    base.getText('t').insert(0, 's');
    const server = copyOf(base);
    for (let client = 10; client < 20; client++) {
      const typist = new Y.Doc();
      typist.clientID = client;
      Y.applyUpdate(typist, Y.encodeStateAsUpdate(base));
      typist.getText('t').insert(1, 'a');
      Y.applyUpdate(server, Y.encodeStateAsUpdate(typist, Y.encodeStateVector(base)));
    }
    Y.applyUpdate(server, craftedItems([{ client: 5, clock: 0, items: [{ origin: [1, 0], text: 'x' }] }]));
    assert.equal(server.getText('t').toString(), 'sxaaaaaaaaaa');
    assert.doesNotThrow(() => checkPlacedAsSent(server, new Map([[5, 0]]), 50));
    assert.throws(() => checkPlacedAsSent(server, new Map([[5, 0]]), 5), MisplacedItemError);
  });

  it('checks a change of many values set in turn in one walk per list, not one per value', () => {
    // 1,000 values of a heading's level, two clients in turn, each after the one before: walking
    // each to the end of the key's list took 500,000 steps, past the budget.
    const { history } = attributeHistoryScan([1_000, 1_001], 900_000, 2_000, 1_000, 1);
    const server = new Y.Doc();
    for (const part of history) assert.equal(applyAndCheck(server, part), 'placed');
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
