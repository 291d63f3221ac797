/**
 * integratesAtOnce: plain typing is recognised, anything Yjs would have to resolve is not, and
 * (seeded) whenever it answers yes, applying the client's bytes and applying what the server's
 * Yjs made of them leave readers with equal snapshots and content, each new item between the neighbours it
 * named and nothing pending: what the room relays before applying is what it then stores.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Y from 'yjs';
import { FRAGMENT_NAME } from '../../document/fragment.js';
import { int, pick, withSeed, type Rng } from '../../test/support/seeded.js';
import { craftedItems } from '../../test/support/crafted-updates.js';
import { copyOf } from '../../test/support/doc-state.js';
import { integratesAtOnce } from './integrates-at-once.js';

type Decoded = Parameters<typeof integratesAtOnce>[2];

function atOnce(server: Y.Doc, update: Uint8Array): boolean {
  return integratesAtOnce(server, update, Y.decodeUpdate(update) as unknown as Decoded);
}

/** The update `edit` makes on `client` (kept in step with the server first). */
function changeOf(client: Y.Doc, edit: (doc: Y.Doc) => void): Uint8Array {
  let made: Uint8Array | null = null;
  const record = (update: Uint8Array) => {
    made = made === null ? update : Y.mergeUpdates([made, update]);
  };
  client.on('update', record);
  edit(client);
  client.off('update', record);
  if (made === null) throw new Error('The edit changed nothing.');
  return made;
}

/** A server document and a client in step with it, holding one paragraph of `text`. */
function pair(text = 'hello'): { server: Y.Doc; client: Y.Doc; paragraph: () => Y.XmlText } {
  const server = new Y.Doc();
  const block = new Y.XmlElement('paragraph');
  block.insert(0, [new Y.XmlText(text)]);
  server.getXmlFragment(FRAGMENT_NAME).insert(0, [block]);
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  const paragraph = () => (client.getXmlFragment(FRAGMENT_NAME).get(0) as Y.XmlElement).get(0) as Y.XmlText;
  return { server, client, paragraph };
}

describe('integratesAtOnce', () => {
  it('takes typing at the end, in the middle and at the start of a text', () => {
    for (const at of [5, 2, 0]) {
      const { server, client, paragraph } = pair();
      assert.equal(atOnce(server, changeOf(client, () => paragraph().insert(at, 'x'))), true, `typing at ${at}`);
    }
  });

  it('takes a new paragraph with its text, a first character into an empty text and a new map key, not a key set again', () => {
    const { server, client, paragraph } = pair();
    const fragment = client.getXmlFragment(FRAGMENT_NAME);
    const block = new Y.XmlElement('paragraph');
    block.insert(0, [new Y.XmlText('new')]);
    const newParagraph = changeOf(client, () => fragment.insert(1, [block]));
    assert.equal(atOnce(server, newParagraph), true, 'a new paragraph');
    Y.applyUpdate(server, newParagraph);

    const empty = pair('');
    assert.equal(atOnce(empty.server, changeOf(empty.client, () => empty.paragraph().insert(0, 'a'))), true, 'into an empty text');

    const map = client.getMap('meta');
    const first = changeOf(client, () => map.set('k', 1));
    assert.equal(atOnce(server, first), true, 'a new key');
    Y.applyUpdate(server, first);
    // Setting a key again deletes its old value in the same change: a deletion.
    assert.equal(atOnce(server, changeOf(client, () => map.set('k', 2))), false, 'the same key again');
    assert.equal(atOnce(server, changeOf(client, () => paragraph().insert(0, 'y'))), false, 'a change after one the server lacks');
  });

  it('refuses deletions, formatting, gaps and anything placed among items the client did not see', () => {
    const { server, client } = pair();
    // Each made on a copy of the client, so that the client stays in step with the server.
    const onCopy = (edit: (text: Y.XmlText) => void) => {
      const copy = copyOf(client);
      return changeOf(copy, () => edit((copy.getXmlFragment(FRAGMENT_NAME).get(0) as Y.XmlElement).get(0) as Y.XmlText));
    };
    assert.equal(atOnce(server, onCopy((text) => text.delete(1, 1))), false, 'a deletion');
    assert.equal(atOnce(server, onCopy((text) => text.format(0, 2, { bold: true }))), false, 'formatting');
    assert.equal(atOnce(server, onCopy((text) => text.insert(5, 'b', { bold: true }))), false, 'formatted typing');
    assert.equal(atOnce(server, onCopy((text) => text.insert(5, 'b'))), true, 'while plain typing is');

    // Someone else typed at the same place first: the server holds an item between the neighbours.
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(server));
    const otherText = (other.getXmlFragment(FRAGMENT_NAME).get(0) as Y.XmlElement).get(0) as Y.XmlText;
    Y.applyUpdate(server, changeOf(other, () => otherText.insert(2, 'o')));
    assert.equal(atOnce(server, onCopy((text) => text.insert(2, 'c'))), false, 'concurrent typing at one place');
    assert.equal(atOnce(server, onCopy((text) => text.insert(5, 'e'))), true, 'typing elsewhere still is');

    // A change whose origin the server lacks would be held back as pending.
    const ahead = new Y.Doc();
    Y.applyUpdate(ahead, Y.encodeStateAsUpdate(client));
    const aheadText = (ahead.getXmlFragment(FRAGMENT_NAME).get(0) as Y.XmlElement).get(0) as Y.XmlText;
    changeOf(ahead, () => aheadText.insert(0, 'm'));
    const onMissing = changeOf(ahead, () => aheadText.insert(1, 'n'));
    assert.equal(atOnce(server, onMissing), false, 'building on a change the server lacks');

    // Two items of one update against the same neighbour: the second finds the first between.
    const fresh = pair();
    const both = changeOf(fresh.client, (doc) => {
      const map = doc.getMap('twice');
      doc.transact(() => {
        map.set('a', 1);
        map.delete('a');
        map.set('a', 2);
      });
    });
    assert.equal(atOnce(fresh.server, both), false, 'a key set twice in one change with a deletion');
  });

  it('refuses crafted changes that Yjs would read otherwise, or that delete or walk a map key\'s values', () => {
    const { server } = pair();
    const text = (server.getXmlFragment(FRAGMENT_NAME).get(0) as Y.XmlElement).get(0) as Y.XmlText;
    const hello = text._start!;
    const at = (offset: number) => [hello.id.client, hello.id.clock + offset] as const;
    const typed = (clock: number, letter: string, left = 4) => ({ origin: [777, clock - 1] as const, text: letter, ...(clock === 0 ? { origin: at(left) } : {}) });

    const alone = craftedItems([{ client: 777, clock: 0, items: [typed(0, 'a')] }]);
    assert.equal(atOnce(server, alone), true, 'one typed letter goes');
    const inOneSection = craftedItems([{ client: 777, clock: 0, items: [typed(0, 'a'), typed(1, 'b')] }]);
    assert.equal(atOnce(server, inOneSection), true, 'and two, in one section');
    // Two sections for one client: Y.decodeUpdate reads both, Yjs integrates only the last.
    const twoSections = craftedItems([
      { client: 777, clock: 0, items: [typed(0, 'a')] },
      { client: 777, clock: 1, items: [typed(1, 'b')] },
    ]);
    assert.deepEqual(Y.decodeUpdate(twoSections).structs.map((struct) => struct.id.clock), [0, 1], 'crafted as intended');
    assert.equal(atOnce(server, twoSections), false, 'two sections of one client');

    // One held neighbour used twice: the second item would find the first between them.
    const sameNeighbour = craftedItems([{ client: 777, clock: 0, items: [{ origin: at(1), rightOrigin: at(2), text: 'p' }, { origin: at(1), rightOrigin: at(2), text: 'q' }] }]);
    assert.equal(atOnce(server, sameNeighbour), false, 'one neighbour used twice');
    const apart = craftedItems([{ client: 777, clock: 0, items: [{ origin: at(1), rightOrigin: at(2), text: 'p' }, { origin: at(3), rightOrigin: at(4), text: 'q' }] }]);
    assert.equal(atOnce(server, apart), true, 'while two places apart go');

    // A map key holding an element: a value placed after it (the newest), with no deletion in the
    // change, would make Yjs delete the element; one placed before the oldest walks the history.
    const meta = server.getMap('meta');
    meta.set('k', new Y.XmlElement('paragraph'));
    const oldest = meta._map.get('k')!;
    server.clientID = 5;
    meta.set('k', 2);
    const newest = meta._map.get('k')!;
    const afterNewest = craftedItems([{ client: 777, clock: 0, items: [{ origin: [newest.id.client, newest.id.clock], value: 3 }] }]);
    assert.equal(atOnce(server, afterNewest), false, 'after the newest value of a key');
    const beforeOldest = craftedItems([{ client: 777, clock: 0, items: [{ rightOrigin: [oldest.id.client, oldest.id.clock], value: 3 }] }]);
    assert.equal(atOnce(server, beforeOldest), false, 'before the oldest value of a key');
    const chainedAfterNew = craftedItems([{ client: 777, clock: 0, items: [{ parent: 'meta', sub: 'fresh', value: 1 }, { origin: [777, 0], value: 2 }] }]);
    assert.equal(atOnce(server, chainedAfterNew), false, 'a value after a new key\'s own first value');
    const newKey = craftedItems([{ client: 777, clock: 0, items: [{ parent: 'meta', sub: 'fresh', value: 1 }] }]);
    assert.equal(atOnce(server, newKey), true, 'while a new key\'s first value goes');
  });

  it('refuses everything while the server holds pending structs', () => {
    const { server, client, paragraph } = pair();
    const stranger = new Y.Doc();
    stranger.getText('t').insert(0, 'a');
    const dependent = new Y.Doc();
    Y.applyUpdate(dependent, Y.encodeStateAsUpdate(stranger));
    const before = Y.encodeStateVector(dependent);
    dependent.getText('t').insert(1, 'b');
    Y.applyUpdate(server, Y.encodeStateAsUpdate(dependent, before));
    assert.notEqual(server.store.pendingStructs, null);
    assert.equal(atOnce(server, changeOf(client, () => paragraph().insert(5, 'x'))), false);
  });

  it('(seeded) what it takes integrates between the named neighbours, leaves nothing pending, and reads the same from either encoding, content included', async () => {
    await withSeed(async (_seed, rng) => {
      const server = new Y.Doc();
      const clients = [0, 1, 2].map(() => new Y.Doc());
      const taken = { yes: 0, no: 0 };
      for (let step = 0; step < 1500; step++) {
        const client = pick(rng, clients);
        // Clients are sometimes behind: they catch up only now and then, so changes cross.
        if (rng() < 0.6) Y.applyUpdate(client, Y.encodeStateAsUpdate(server, Y.encodeStateVector(client)));
        // What a provider sends: the edit's own update (a diff against a state vector would carry
        // the whole delete set).
        let update: Uint8Array | null = null;
        const sent = (change: Uint8Array) => {
          update = change;
        };
        client.on('update', sent);
        randomEdit(client, rng);
        client.off('update', sent);
        if (update === null) continue;
        if (!atOnce(server, update)) {
          taken.no++;
          Y.applyUpdate(server, update);
          continue;
        }
        taken.yes++;
        const readerOfBytes = copyOf(server);
        const readerOfYjs = copyOf(server);
        let made: Uint8Array | null = null;
        const record = (change: Uint8Array, origin: unknown) => {
          if (origin === 'client') made = change;
        };
        server.on('update', record);
        Y.applyUpdate(server, update, 'client');
        server.off('update', record);
        assert.equal(server.store.pendingStructs, null, `step ${step}: nothing pending`);
        assert.notEqual(made, null, `step ${step}: the change changed the server`);
        Y.applyUpdate(readerOfBytes, update);
        Y.applyUpdate(readerOfYjs, made!);
        // Equal snapshots (state vector and delete set) and equal content: items in the same places.
        const expected = { snapshot: Y.encodeSnapshot(Y.snapshot(server)), content: contentOf(server) };
        assert.deepEqual({ snapshot: Y.encodeSnapshot(Y.snapshot(readerOfBytes)), content: contentOf(readerOfBytes) }, expected, `step ${step}: the client's bytes`);
        assert.deepEqual({ snapshot: Y.encodeSnapshot(Y.snapshot(readerOfYjs)), content: contentOf(readerOfYjs) }, expected, `step ${step}: the server's encoding`);
        for (const struct of Y.decodeUpdate(update).structs) assertBetweenNamedNeighbours(server, struct as Y.Item, step);
      }
      // Both answers are exercised, or the checks above prove little.
      assert.ok(taken.yes > 200 && taken.no > 100, `taken ${taken.yes}, refused ${taken.no}`);
    });
  });
});

function contentOf(doc: Y.Doc): string {
  // A map's keys in order: its JSON lists them in the order each replica first saw them.
  const meta = Object.entries(doc.getMap('meta').toJSON()).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify({ text: doc.getXmlFragment(FRAGMENT_NAME).toString(), meta });
}

/** The integrated item of `decoded` has its origin as left and its right origin as right neighbour. */
function assertBetweenNamedNeighbours(server: Y.Doc, decoded: Y.Item, step: number): void {
  const item = Y.getItem(server.store, decoded.id);
  assert.ok(item instanceof Y.Item, `step ${step}: integrated as an item`);
  // Yjs merges typing into the item before or after it (same client, next clock): then the
  // neighbour on that side is that item's own clock.
  const { client, clock } = decoded.id;
  const end = clock + decoded.length;
  const left = item.id.clock < clock ? [client, clock - 1] : item.left === null ? null : [item.left.lastId.client, item.left.lastId.clock];
  const right = item.id.clock + item.length > end ? [client, end] : item.right === null ? null : [item.right.id.client, item.right.id.clock];
  assert.deepEqual(left, decoded.origin === null ? null : [decoded.origin.client, decoded.origin.clock], `step ${step}: left neighbour`);
  assert.deepEqual(right, decoded.rightOrigin === null ? null : [decoded.rightOrigin.client, decoded.rightOrigin.clock], `step ${step}: right neighbour`);
}

/** Typing (mostly), new paragraphs, map values, deletions and formatting, as an editor would. */
function randomEdit(doc: Y.Doc, rng: Rng): void {
  const fragment = doc.getXmlFragment(FRAGMENT_NAME);
  const texts: Y.XmlText[] = [];
  fragment.forEach((block) => {
    if (block instanceof Y.XmlElement && block.get(0) instanceof Y.XmlText) texts.push(block.get(0) as Y.XmlText);
  });
  const choice = rng();
  if (texts.length === 0 || choice < 0.1) {
    const block = new Y.XmlElement('paragraph');
    block.insert(0, [new Y.XmlText(rng() < 0.5 ? '' : 'p')]);
    fragment.insert(int(rng, fragment.length + 1), [block]);
    return;
  }
  const text = pick(rng, texts);
  if (choice < 0.7) {
    text.insert(rng() < 0.6 ? text.length : int(rng, text.length + 1), pick(rng, ['a', 'bc', ' ', 'def']));
  } else if (choice < 0.8) {
    doc.getMap('meta').set(pick(rng, ['title', 'seq', String(int(rng, 50))]), int(rng, 1000));
  } else if (choice < 0.9 && text.length > 0) {
    const at = int(rng, text.length);
    text.delete(at, 1 + int(rng, Math.min(3, text.length - at)));
  } else if (text.length > 0) {
    const at = int(rng, text.length);
    text.format(at, 1 + int(rng, text.length - at), { bold: rng() < 0.7 ? true : null });
  }
}
