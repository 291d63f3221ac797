/**
 * Honest editors leaning on undo: three replicas of the editor's fragment edit blocks and text,
 * undo (25% of their turns) and redo (20%), send their changes one by one or, as if offline, all at
 * once, and catch up now and then. Each change goes through the server's checks and is applied to
 * a server document; after each, the server, a reader fed what the server relays, and a reload
 * from the server's encoding must read the same. The replicas run the Yjs module given (the
 * installed one, or the editor's fixed copy); the server side always runs the installed one.
 */
import * as Y from 'yjs';
import { FRAGMENT_NAME } from '../../document/fragment.js';
import { schema } from '../../document/schema.js';
import { documentShape } from '../../document/shape.js';
import { checkPlacedAsSent } from '../../server/core/placed-as-sent.js';
import { checkUpdate } from '../../server/core/update-check.js';
import { int, pick, prng, type Rng } from './seeded.js';

const SHAPE = documentShape(schema);
const LIMITS = { maxStructsPerUpdate: 20_000, maxNestingDepth: 64 };

export interface UndoMixResult {
  readonly changes: number;
  /** Changes the update check or the check after the apply refused. */
  readonly refused: number;
  /** Changes after which a reload or a reader read otherwise than the server. */
  readonly diverged: number;
  /** Whether every replica holds what the server holds at the end (Yjs snapshots and reads). */
  readonly converged: boolean;
}

function oneEdit(Ym: typeof Y, doc: Y.Doc, rng: Rng): void {
  const paragraph = (text: string): Y.XmlElement => {
    const element = new Ym.XmlElement('paragraph');
    element.insert(0, [new Ym.XmlText(text)]);
    return element;
  };
  const fragment = doc.getXmlFragment(FRAGMENT_NAME);
  const choice = rng();
  if (fragment.length === 0 || choice < 0.2) {
    const kind = pick(rng, ['paragraph', 'quote', 'list']);
    let block: Y.XmlElement;
    if (kind === 'quote') {
      block = new Ym.XmlElement('blockquote');
      block.insert(0, [paragraph('quoted')]);
    } else if (kind === 'list') {
      block = new Ym.XmlElement('bullet_list');
      const item = new Ym.XmlElement('list_item');
      item.insert(0, [paragraph('item')]);
      block.insert(0, [item]);
    } else block = paragraph('words');
    fragment.insert(int(rng, fragment.length + 1), [block]);
    return;
  }
  if (choice < 0.3) {
    fragment.delete(int(rng, fragment.length), 1);
    return;
  }
  let node: unknown = fragment.get(int(rng, fragment.length));
  while (node instanceof Ym.XmlElement && !SHAPE.holdsText.has(node.nodeName)) {
    if (node.length === 0) return;
    node = node.get(int(rng, node.length));
  }
  if (!(node instanceof Ym.XmlElement) || node.length === 0) return;
  const text = node.get(0);
  if (!(text instanceof Ym.XmlText)) return;
  const length = text.length;
  const action = rng();
  if (length === 0 || action < 0.5) text.insert(int(rng, length + 1), pick(rng, ['a', 'bc', ' ', 'xyz']));
  else if (action < 0.8) text.delete(int(rng, length), 1 + int(rng, Math.min(3, length)));
  else text.format(int(rng, length), 1 + int(rng, 3), pick(rng, [{ em: true }, { strong: null }]));
}

/**
 * One turn of a replica: an undo (with probability `shares.undo`), a redo (`shares.redo`) or
 * `edit`. Answers the updates the turn made and whether it was an undo or redo.
 */
export function replicaTurn(replica: Y.Doc, undoer: Y.UndoManager, rng: Rng, shares: { readonly undo: number; readonly redo: number }, edit: () => void): { updates: Uint8Array[]; undid: boolean } {
  const updates: Uint8Array[] = [];
  const collect = (update: Uint8Array): void => void updates.push(update);
  replica.on('update', collect);
  const how = rng();
  try {
    if (how < shares.undo) undoer.undo();
    else if (how < shares.undo + shares.redo) undoer.redo();
    else edit();
  } finally {
    replica.off('update', collect);
  }
  return { updates, undid: how < shares.undo + shares.redo };
}

const reads = (doc: Y.Doc): string => doc.getXmlFragment(FRAGMENT_NAME).toString();
const snapshotHex = (Ym: typeof Y, doc: Y.Doc): string => Buffer.from(Ym.encodeSnapshot(Ym.snapshot(doc))).toString('hex');

/** One seeded run of `steps` turns; stops early at the first divergence when `untilDiverged`. */
export function undoMix(Ym: typeof Y, seed: number, steps = 250, untilDiverged = false): UndoMixResult {
  const rng = prng(seed);
  const replicas = [new Ym.Doc(), new Ym.Doc(), new Ym.Doc()];
  replicas.forEach((replica, index) => (replica.clientID = 1 + index + 3 * int(rng, 1000)));
  const undoers = new Map(replicas.map((replica) => [replica, new Ym.UndoManager(replica.getXmlFragment(FRAGMENT_NAME), { captureTimeout: 0 })]));
  const server = new Y.Doc();
  server.getXmlFragment(FRAGMENT_NAME);
  const reader = new Y.Doc();
  reader.getXmlFragment(FRAGMENT_NAME);
  server.on('update', (update: Uint8Array) => Y.applyUpdate(reader, update));
  let changes = 0;
  let refused = 0;
  let diverged = 0;
  for (let step = 0; step < steps && !(untilDiverged && diverged > 0); step++) {
    const replica = pick(rng, replicas);
    const before = Y.encodeStateVector(server);
    const { updates } = replicaTurn(replica, undoers.get(replica)!, rng, { undo: 0.25, redo: 0.2 }, () => oneEdit(Ym, replica, rng));
    const sent = rng() < 0.2 ? [Ym.encodeStateAsUpdate(replica, before)] : updates;
    for (const update of sent) {
      changes++;
      const clocks = new Map<number, number>();
      for (const struct of Y.decodeUpdate(update).structs) clocks.set(struct.id.client, Y.getState(server.store, struct.id.client));
      try {
        checkUpdate(server, update, LIMITS, SHAPE);
        Y.applyUpdate(server, update);
        checkPlacedAsSent(server, clocks);
      } catch {
        refused++;
        continue;
      }
      const reload = new Y.Doc();
      Y.applyUpdate(reload, Y.encodeStateAsUpdate(server));
      if (reads(reload) !== reads(server) || reads(reader) !== reads(server)) diverged++;
      reload.destroy();
    }
    if (rng() < 0.3) for (const other of replicas) Ym.applyUpdate(other, Y.encodeStateAsUpdate(server, Ym.encodeStateVector(other)));
  }
  // Everyone exchanges everything, twice: what a replica integrates can make Yjs clean up its
  // formatting, a change of its own that the next exchange carries (as a provider would send it).
  for (let round = 0; round < 2; round++) {
    for (const replica of replicas) Y.applyUpdate(server, Ym.encodeStateAsUpdate(replica, Y.encodeStateVector(server)));
    for (const replica of replicas) Ym.applyUpdate(replica, Y.encodeStateAsUpdate(server, Ym.encodeStateVector(replica)));
  }
  const converged = replicas.every((replica) => reads(replica) === reads(server) && snapshotHex(Ym, replica) === snapshotHex(Y, server));
  for (const doc of [...replicas, server, reader]) doc.destroy();
  return { changes, refused, diverged, converged };
}
