/**
 * Comparable snapshots of a Y.Doc for convergence checks: the content of the shared types the
 * tests use (rich text as a delta, so formatting counts; XML as its string form) and the state
 * vector. Two replicas are equal when their snapshots are deeply equal.
 */
import * as Y from 'yjs';

export interface DocState {
  /** Y.Text contents as deltas (text plus formatting attributes), by type name. */
  readonly texts: Record<string, unknown>;
  /** Y.XmlFragment contents in their string form (elements, attributes, formatted text). */
  readonly fragments: Record<string, string>;
  /** Y.Array contents as JSON, by type name. */
  readonly arrays: Record<string, unknown[]>;
  /** `Y.encodeStateVector`, as hex so a mismatch prints readably. */
  readonly stateVector: string;
}

export interface DocShape {
  readonly texts?: readonly string[];
  readonly fragments?: readonly string[];
  readonly arrays?: readonly string[];
}

/** Snapshots the named shared types and the state vector of `doc`. */
export function docState(doc: Y.Doc, shape: DocShape): DocState {
  const texts: Record<string, unknown> = {};
  const fragments: Record<string, string> = {};
  const arrays: Record<string, unknown[]> = {};
  for (const name of shape.texts ?? []) texts[name] = doc.getText(name).toDelta();
  for (const name of shape.fragments ?? []) fragments[name] = doc.getXmlFragment(name).toString();
  for (const name of shape.arrays ?? []) arrays[name] = doc.getArray(name).toJSON();
  return { texts, fragments, arrays, stateVector: Buffer.from(Y.encodeStateVector(doc)).toString('hex') };
}

/** A new Y.Doc holding `update` (for example what a DocStore loaded). The caller destroys it. */
export function docFromUpdate(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc;
}
