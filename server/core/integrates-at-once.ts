/**
 * Whether a checked update is plain typing: new items of one client, each going between two
 * neighbours that are next to each other in the document now, with nothing to resolve. Yjs then
 * integrates it in time proportional to its few items: no conflict scan (Item.integrate walks the
 * items between an item's origin and its right origin, or a map key's older values, only when
 * there are any), nothing held back as pending, no deletions and no formatting (the only changes
 * after which Yjs cleans formatting up around them). Such a change cannot fail to integrate or
 * outlive its deadline, so the room relays it before applying it (Room.applyClientChange): the
 * readers get it one apply sooner, and a change that is not plain typing is relayed after it
 * integrated, as before.
 *
 * Every condition is checked on the update as decoded and the document as it is; anything not
 * recognised answers false, which only means the change takes the usual way. A map entry goes
 * only as the first value of a key that has none: any other placement among a key's values makes
 * Yjs delete or walk them.
 */
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { heldStruct } from './held-struct.js';

/** More items than typing makes in one update are not worth checking one by one. */
export const MAX_ITEMS_AT_ONCE = 64;

interface DecodedUpdate {
  readonly structs: ReadonlyArray<Y.Item | Y.GC | Y.Skip>;
  readonly ds: { readonly clients: ReadonlyMap<number, ReadonlyArray<unknown>> };
}

export function integratesAtOnce(doc: Y.Doc, bytes: Uint8Array, update: DecodedUpdate): boolean {
  const store = doc.store;
  const { structs } = update;
  if (store.pendingStructs !== null || store.pendingDs !== null) return false;
  if (update.ds.clients.size > 0 || structs.length === 0 || structs.length > MAX_ITEMS_AT_ONCE) return false;
  // One section of structs: Y.decodeUpdate reads every section, while Yjs, given two for one
  // client, integrates only the last; what this function looked at must be what Yjs applies.
  if (!oneSection(bytes)) return false;
  const first = structs[0];
  if (!(first instanceof Y.Item)) return false;
  const client = first.id.client;
  const placing = new Placing(doc);
  let clock = Y.getState(store, client);
  for (const struct of structs) {
    if (!(struct instanceof Y.Item) || struct.id.client !== client || struct.id.clock !== clock) return false;
    if (!plainContent(struct.content) || !placing.placedAtOnce(struct)) return false;
    placing.added(struct);
    clock += struct.length;
  }
  return true;
}

function oneSection(bytes: Uint8Array): boolean {
  try {
    return decoding.readVarUint(decoding.createDecoder(bytes)) === 1;
  } catch {
    return false;
  }
}

function plainContent(content: Y.Item['content']): boolean {
  if (content instanceof Y.ContentString || content instanceof Y.ContentAny) return true;
  return content instanceof Y.ContentType && (content.type instanceof Y.XmlElement || content.type instanceof Y.XmlText || content.type instanceof Y.Text);
}

/** The update's items placed so far, and which neighbours and empty lists or keys they took. */
class Placing {
  private previous: Y.Item | null = null;
  /** The update's items by first clock (a type's item is one clock long). */
  private readonly items = new Map<number, Y.Item>();
  /**
   * The origins and right origins used: a second item placed at the same point would find the
   * first there. (Points, not items: two points inside one held item are apart once it is split.)
   */
  private readonly points = new Set<string>();
  /** Empty lists and unset keys an item was placed into, per parent (a type, or a key for a new one). */
  private readonly slots = new Map<unknown, Set<string | null>>();

  constructor(private readonly doc: Y.Doc) {}

  added(item: Y.Item): void {
    this.previous = item;
    this.items.set(item.id.clock, item);
  }

  /** Whether `item` lands between its origins without Yjs looking at any other item. */
  placedAtOnce(item: Y.Item): boolean {
    const { origin, rightOrigin } = item;
    const previous = this.previous;
    // Next to a map value, an item is a value of the same key: placed after the newest, Yjs deletes
    // that one (a whole element with everything in it, if it is one) though the change carries no
    // deletion; placed before the oldest, it walks the key's history. Only the first value of a
    // key that has none goes (below).
    if (origin !== null && previous !== null && sameId(origin, previous.lastId)) {
      // Typed right behind the update's previous item (which is in a list), before the same right neighbour.
      if (previous.parentSub !== null) return false;
      return rightOrigin === null ? previous.rightOrigin === null : previous.rightOrigin !== null && sameId(rightOrigin, previous.rightOrigin);
    }
    if (origin !== null) {
      const left = this.held(origin);
      if (left === null || left.parentSub !== null || !this.takePoint('left', origin) || (rightOrigin !== null && !this.takePoint('right', rightOrigin))) return false;
      if (origin.clock !== left.id.clock + left.length - 1) {
        // Inside the left item: it is split there, and its own rest is the right neighbour.
        return rightOrigin !== null && rightOrigin.client === origin.client && rightOrigin.clock === origin.clock + 1;
      }
      const right = left.right;
      if (right === null) return rightOrigin === null;
      return rightOrigin !== null && sameId(rightOrigin, right.id);
    }
    if (rightOrigin !== null) {
      const right = this.held(rightOrigin);
      return right !== null && right.parentSub === null && rightOrigin.clock === right.id.clock && right.left === null && this.takePoint('right', rightOrigin);
    }
    // Neither origin: the first item of an empty list, or the first value of a map key.
    return this.intoEmptySlot(item.parent as unknown, item.parentSub);
  }

  private intoEmptySlot(parent: unknown, sub: string | null): boolean {
    let type: Y.AbstractType<unknown> | null = null;
    let identity: unknown;
    if (typeof parent === 'string') {
      type = (this.doc.share.get(parent) as Y.AbstractType<unknown> | undefined) ?? null;
      identity = type ?? `root ${parent}`;
    } else if (parent instanceof Y.ID) {
      const created = parent.client === this.previous?.id.client ? this.items.get(parent.clock) : undefined;
      if (created !== undefined) {
        if (!(created.content instanceof Y.ContentType)) return false;
        identity = created;
      } else {
        const held = this.held(parent);
        if (held === null || !(held.content instanceof Y.ContentType)) return false;
        type = held.content.type as Y.AbstractType<unknown>;
        identity = type;
      }
    } else {
      return false;
    }
    let taken = this.slots.get(identity);
    if (taken === undefined) this.slots.set(identity, (taken = new Set()));
    if (taken.has(sub)) return false;
    taken.add(sub);
    if (type === null) return true;
    return sub === null ? type._start === null : !type._map.has(sub);
  }

  private takePoint(side: 'left' | 'right', id: Y.ID): boolean {
    const point = `${side} ${id.client} ${id.clock}`;
    if (this.points.has(point)) return false;
    this.points.add(point);
    return true;
  }

  /** The item the document holds at `id`, or null (not held, or garbage). */
  private held(id: Y.ID): Y.Item | null {
    const struct = heldStruct(this.doc.store, id);
    return struct instanceof Y.Item ? struct : null;
  }
}

function sameId(a: Y.ID, b: Y.ID): boolean {
  return a.client === b.client && a.clock === b.clock;
}
