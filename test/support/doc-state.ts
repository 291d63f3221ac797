/**
 * Comparable snapshots of a Y.Doc for convergence checks: the content of the shared types the
 * tests use (rich text as a delta, so formatting counts; XML as its string form), the state
 * vector and the delete set. Two replicas are equal when their snapshots are deeply equal.
 */
import * as Y from 'yjs';

export interface DocState {
  /**
   * Y.Text contents as deltas (text plus formatting attributes), by type name, in canonical JSON:
   * attribute keys sorted, since replicas may hold the same attributes in different key order.
   */
  readonly texts: Record<string, string>;
  /** Y.XmlFragment contents in their string form (elements, attributes, formatted text). */
  readonly fragments: Record<string, string>;
  /** Y.Array contents as JSON, by type name. */
  readonly arrays: Record<string, unknown[]>;
  /** `Y.encodeStateVector`, as hex so a mismatch prints readably. */
  readonly stateVector: string;
  /** The delete set, encoded, as hex: a deletion one replica lacks shows here and nowhere else. */
  readonly deleteSet: string;
}

export interface DocShape {
  readonly texts?: readonly string[];
  readonly fragments?: readonly string[];
  readonly arrays?: readonly string[];
}

/** Snapshots the named shared types and the state vector of `doc`. */
export function docState(doc: Y.Doc, shape: DocShape): DocState {
  const texts: Record<string, string> = {};
  const fragments: Record<string, string> = {};
  const arrays: Record<string, unknown[]> = {};
  for (const name of shape.texts ?? []) texts[name] = canonicalJson(doc.getText(name).toDelta());
  for (const name of shape.fragments ?? []) fragments[name] = doc.getXmlFragment(name).toString();
  for (const name of shape.arrays ?? []) arrays[name] = doc.getArray(name).toJSON();
  const snapshot = Y.snapshot(doc);
  return {
    texts,
    fragments,
    arrays,
    stateVector: Buffer.from(Y.encodeStateVector(doc)).toString('hex'),
    deleteSet: deleteSetHex(snapshot.ds),
  };
}

/** The delete set alone, encoded as a snapshot with an empty state vector. */
function deleteSetHex(ds: Y.Snapshot['ds']): string {
  return Buffer.from(Y.encodeSnapshot(Y.createSnapshot(ds, new Map()))).toString('hex');
}

/** A new Y.Doc holding `update` (for example what a DocStore loaded). The caller destroys it. */
export function docFromUpdate(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc;
}

/** JSON with object keys sorted at every level, so equal values always give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
    return sorted;
  });
}

/**
 * The full Yjs snapshot of a document, state vector and delete set, as hex: two replicas have
 * converged exactly when these are equal. (Equal text or equal state vectors can hide a
 * deletion one replica lacks.)
 */
export function snapshotOf(doc: Y.Doc): string {
  return Buffer.from(Y.encodeSnapshot(Y.snapshot(doc))).toString('hex');
}

/**
 * `count` one-character changes to the text `t`, each building on the one before (applied out of
 * order, Yjs would park it), with the document that made them.
 */
export function chainedChanges(count: number): { source: Y.Doc; updates: Uint8Array[] } {
  const source = new Y.Doc();
  const updates: Uint8Array[] = [];
  source.on('update', (update: Uint8Array) => updates.push(update));
  for (let i = 0; i < count; i++) source.getText('t').insert(i, String.fromCharCode(97 + (i % 26)));
  return { source, updates };
}

/** A new document holding what `doc` holds, as a reload from its encoding would (same garbage collection). */
export function copyOf(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc({ gc: doc.gc });
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

/** Gives `to` what `from` holds and it lacks, with origin `'remote'` (an undo manager then leaves it alone). */
export function syncInto(from: Y.Doc, to: Y.Doc): void {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)), 'remote');
}
