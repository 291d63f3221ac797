/**
 * After Yjs integrated a client's change: did every new item land to the left of its right
 * origin, as its sender said it was? An honest item always does (Yjs places it between its origin
 * and its right origin). One whose right origin was not to the right of its origin (a crafted
 * change; the update check cannot always tell before integrating) lands elsewhere, and where it
 * lands depends on how the receiving document has merged its runs: the server, its readers and a
 * reload from its encoding then read the text in different orders, with equal snapshots. The room
 * treats such a change as one Yjs could not apply: it is refused and the room is rebuilt without
 * it (nothing of it was relayed or stored; changes relayed before they are applied are plain
 * typing, whose neighbours the update check has already placed).
 */
import * as Y from 'yjs';

/** How many steps along lists the walks of one change may take; past it, the rest is not checked. */
const WALK_BUDGET = 100_000;

export class MisplacedItemError extends Error {
  constructor() {
    super('An item of the change did not land before its right origin.');
  }
}

/**
 * Throws MisplacedItemError when a struct `doc` gained since `before` (each client's clock before
 * the change) is an item whose right origin is not to its right in its list.
 */
export function checkPlacedAsSent(doc: Y.Doc, before: ReadonlyMap<number, number>): void {
  let budget = WALK_BUDGET;
  for (const [client, clock] of before) {
    const structs = doc.store.clients.get(client);
    if (structs === undefined || Y.getState(doc.store, client) <= clock) continue;
    let index = structs.length - 1;
    while (index > 0 && structs[index]!.id.clock > clock) index--;
    for (; index < structs.length; index++) {
      const struct = structs[index]!;
      if (!(struct instanceof Y.Item) || struct.rightOrigin === null || struct.id.clock + struct.length <= clock) continue;
      const right = struct.rightOrigin;
      let at: Y.Item | null = struct.right;
      for (;;) {
        if (at === null) throw new MisplacedItemError();
        if (at.id.client === right.client && at.id.clock <= right.clock && right.clock < at.id.clock + at.length) break;
        if (--budget <= 0) return;
        at = at.right;
      }
    }
  }
}
