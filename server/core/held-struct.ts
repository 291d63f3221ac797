/**
 * The struct a document holds at an id, looked up without throwing: Yjs's own lookup throws for
 * a clock past what the document holds, and ids in a client's update are the client's to choose.
 */
import * as Y from 'yjs';

export function heldStruct(store: Y.Doc['store'], id: Y.ID): Y.Item | Y.GC | null {
  if (id.clock >= Y.getState(store, id.client)) return null;
  return Y.getItem(store, id) as Y.Item | Y.GC;
}
