/**
 * After Yjs integrated a client's change: did every new item land where its sender said it was
 * typed, between its origin and its right origin with nothing in between that the sender knew of?
 *
 * An honest item was typed with its origin and right origin side by side. Whatever now lies
 * between them came concurrently: its sender had not seen it. Seeing an item of a client means
 * holding that client's every earlier item (a Yjs document holds each client's clocks without
 * gaps), so the sender of an item knew at least: its own client's earlier items, its origin and
 * right origin, and theirs. A crafted change can name origins that never stood side by side (a
 * right origin left of its origin, an item at the start of a list whose right origin has an
 * origin): where Yjs puts such an item depends on the order in which a document integrates what
 * it holds, so the server, its readers and a reload from its encoding read different texts, with
 * equal snapshots.
 *
 * Items naming only their own client's items, or none in a type their client made, are not held
 * to this (bringsBack): Yjs's undo manager makes them out of order. Crafted, they can still diverge (README, Known limits).
 *
 * The room treats such a change as one Yjs could not apply: it is refused and the room is rebuilt
 * without it (nothing of it was relayed or stored; changes relayed before they are applied are
 * plain typing, whose neighbours the update check has already placed).
 */
import * as Y from 'yjs';

/**
 * How many steps along lists the walks of one change may take. Past it the change is refused: an
 * honest change steps over its concurrent neighbours only, a few structs per item.
 */
export const WALK_BUDGET = 100_000;

export class MisplacedItemError extends Error {
  constructor(message = 'An item of the change did not land between its origins, or something its sender knew of lies between them.') {
    super(message);
  }
}

/** A run of one client's clocks lying between an item's origins: [client, first clock]. */
type Between = [client: number, clock: number];

function holds(struct: Y.Item, id: Y.ID): boolean {
  return struct.id.client === id.client && struct.id.clock <= id.clock && id.clock < struct.id.clock + struct.length;
}

/** The highest clock of each client an item's sender must have held. */
class Known {
  private readonly clocks = new Map<number, number>();

  add(id: Y.ID | null): this {
    if (id === null) return this;
    const held = this.clocks.get(id.client);
    if (held === undefined || held < id.clock) this.clocks.set(id.client, id.clock);
    return this;
  }

  isEmpty(): boolean {
    return this.clocks.size === 0;
  }

  includes(client: number, clock: number): boolean {
    const held = this.clocks.get(client);
    return held !== undefined && clock <= held;
  }

  /** Whether a struct starting at one of `firstClocks` (the lowest clock seen, by client) is known. */
  includesAny(firstClocks: ReadonlyMap<number, number>): boolean {
    for (const [client, clock] of this.clocks) {
      const first = firstClocks.get(client);
      if (first !== undefined && first <= clock) return true;
    }
    return false;
  }
}

/**
 * Whether the item's origins are all its own client's, or it names none and stands in a type its
 * own client made. Yjs's undo manager makes such items when it brings deleted content back among
 * content it brought back before: it names the copies it made of the old neighbours, which need
 * not be side by side, nor in their order, or none at all when it brought back no neighbour into
 * the copy it made of their parent (the item then goes to the start of the list, past the
 * sender's own items). So they cannot be held to the rule, and refusing them refused honest undo.
 * An item naming no origin in a type another client made is held to it: an honest one was typed
 * into a list that was empty, as far as its sender knew, so none of the sender's own items can be
 * in it.
 */
function bringsBack(item: Y.Item): boolean {
  if (item.origin === null && item.rightOrigin === null) {
    const parentItem = item.parent instanceof Y.AbstractType ? item.parent._item : null;
    return parentItem !== null && parentItem.id.client === item.id.client;
  }
  return namesOnlyItsOwn(item);
}

/**
 * Whether every origin the item names (it names at least one) is its own client's: the shape of
 * undo's items above. The update check lets such items through its order rule too.
 */
export function namesOnlyItsOwn(item: Pick<Y.Item, 'id' | 'origin' | 'rightOrigin'>): boolean {
  const { id, origin, rightOrigin } = item;
  if (origin === null && rightOrigin === null) return false;
  return (origin === null || origin.client === id.client) && (rightOrigin === null || rightOrigin.client === id.client);
}

/** What is left of the walks' steps for one change. */
interface Budget {
  steps: number;
}

/**
 * Walks from `start` leftwards or rightwards until the struct holding `target` (returned), or
 * the end of the list when `target` is null (null returned), noting in `between` every struct
 * passed. Throws when the list ends before `target`, or when the budget runs out.
 */
function walkTo(start: Y.Item | null, target: Y.ID | null, towards: 'left' | 'right', between: Between[], budget: Budget): Y.Item | null {
  for (let at = start; ; at = at[towards]) {
    if (at === null) {
      if (target === null) return null;
      throw new MisplacedItemError();
    }
    if (target !== null && holds(at, target)) return at;
    between.push([at.id.client, at.id.clock]);
    if (--budget.steps <= 0) throw new MisplacedItemError('The change is too far from its neighbours to check where its items landed.');
  }
}

/**
 * Throws MisplacedItemError when an item `doc` gained since `before` (each client's clock before
 * the change) does not lie between its origin and right origin, or when something its sender must
 * have known of lies between them.
 */
export function checkPlacedAsSent(doc: Y.Doc, before: ReadonlyMap<number, number>, steps = WALK_BUDGET): void {
  const budget: Budget = { steps };
  const between: Between[] = [];
  // Items with no right origin: whatever stands after them up to the end of their list is checked
  // in one walk per list (a change of many values set in turn would walk each to the end).
  const toEnd = new Map<Y.Item, Known>();
  for (const [client, clock] of before) {
    const structs = doc.store.clients.get(client);
    if (structs === undefined || Y.getState(doc.store, client) <= clock) continue;
    // The struct holding the first new clock (it may have merged with the run before it).
    for (let index = Y.findIndexSS(structs, clock); index < structs.length; index++) {
      const struct = structs[index]!;
      if (!(struct instanceof Y.Item) || struct.id.clock + struct.length <= clock) continue;
      if (bringsBack(struct)) continue;
      between.length = 0;
      const known = new Known();
      if (struct.id.clock > 0) known.add(Y.createID(client, struct.id.clock - 1));
      const { origin, rightOrigin } = struct;

      // Rightwards to the right origin: its struct may start before it.
      const right = rightOrigin === null ? null : walkTo(struct.right, rightOrigin, 'right', between, budget);
      if (right !== null && rightOrigin !== null) {
        known.add(rightOrigin).add(right.origin).add(right.rightOrigin);
        if (right.id.clock < rightOrigin.clock) between.push([right.id.client, right.id.clock]);
      }
      // Leftwards to the origin, or to the start of the list unless its sender knew of nothing
      // that could stand there: the origin's struct may go on past it.
      if (origin !== null || !known.isEmpty()) {
        const left = walkTo(struct.left, origin, 'left', between, budget);
        if (left !== null && origin !== null) {
          known.add(origin).add(left.origin).add(left.rightOrigin);
          if (origin.clock + 1 < left.id.clock + left.length) between.push([left.id.client, origin.clock + 1]);
        }
      }
      // Rightwards to the end of the list, for all such items of the change at once (below).
      if (rightOrigin === null && !known.isEmpty()) toEnd.set(struct, known);

      for (const [betweenClient, firstClock] of between) {
        if (known.includes(betweenClient, firstClock)) throw new MisplacedItemError();
      }
    }
  }
  checkUpToListEnds(toEnd, budget);
}

/**
 * For every item with no right origin: nothing its sender knew of may stand after it in its list.
 * Per list, one walk from its end back to the first such item, noting the lowest clock of each
 * client passed.
 */
function checkUpToListEnds(toEnd: ReadonlyMap<Y.Item, Known>, budget: Budget): void {
  const lists = new Map<unknown, Map<string | null, number>>();
  for (const item of toEnd.keys()) {
    const keys = lists.get(item.parent) ?? new Map<string | null, number>();
    lists.set(item.parent, keys);
    keys.set(item.parentSub, (keys.get(item.parentSub) ?? 0) + 1);
  }
  for (const item of toEnd.keys()) {
    let waiting = lists.get(item.parent)!.get(item.parentSub)!;
    if (waiting === 0) continue;
    lists.get(item.parent)!.set(item.parentSub, 0);
    let at: Y.Item = item;
    while (at.right !== null) {
      at = at.right;
      if (--budget.steps <= 0) throw new MisplacedItemError('The change is too far from its neighbours to check where its items landed.');
    }
    const firstClocks = new Map<number, number>();
    for (let back: Y.Item | null = at; back !== null && waiting > 0; back = back.left) {
      const known = toEnd.get(back);
      if (known !== undefined) {
        if (known.includesAny(firstClocks)) throw new MisplacedItemError();
        waiting--;
      }
      const first = firstClocks.get(back.id.client);
      if (first === undefined || back.id.clock < first) firstClocks.set(back.id.client, back.id.clock);
      if (--budget.steps <= 0) throw new MisplacedItemError('The change is too far from its neighbours to check where its items landed.');
    }
  }
}
