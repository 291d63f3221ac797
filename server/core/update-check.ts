/**
 * Checks a client's Yjs update against the room's document before it is applied: that it decodes,
 * what it costs (structs and deletion ranges), how deep it nests types, and that whatever it puts
 * into the editor's fragment is something the editor can show. A refused update is never applied.
 *
 * Yjs encodes an item's parent only when the item has neither a left nor a right origin; otherwise
 * the parent is that of its origin, which may be another item of the same update or one the
 * document already holds. Parents are resolved iteratively (an update can chain thousands of
 * items), and an item whose parent cannot be resolved is left alone: Yjs will either keep it
 * pending (refused as missing-dependencies) or drop it as garbage.
 */
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { FRAGMENT_NAME } from '../../document/fragment.js';
import type { DocumentShape } from '../../document/shape.js';
import { QuireError } from '../../shared/errors.js';
import { heldStruct } from './held-struct.js';
import { integratesAtOnce } from './integrates-at-once.js';
import { namesOnlyItsOwn } from './placed-as-sent.js';

export interface UpdateCheckLimits {
  /** Structs plus deletion ranges one update may carry. */
  readonly maxStructsPerUpdate: number;
  /** How deep types may nest (the fragment's own children are at depth 1). */
  readonly maxNestingDepth: number;
}

export interface CheckedUpdate {
  /**
   * Structs (items and garbage) plus the deletion ranges that delete something the document does
   * not hold deleted yet: what the update adds, and what the per-update and document caps count.
   */
  readonly cost: number;
  /**
   * Deletion ranges the document already holds deleted. A handshake's step 2 carries the client's
   * whole delete set, mostly known to the server: these cost a lookup each, not a change.
   */
  readonly knownDeletions: number;
  /** The client ids the update writes structs for, with the first clock of each. */
  readonly writers: ReadonlyMap<number, number>;
  /** Plain typing that Yjs integrates without fail and at once (see integrates-at-once.ts). */
  readonly integratesAtOnce: boolean;
}

/**
 * Where an item sits: in a root type, in a type the document holds, or in a type the update
 * creates; and under which key (`sub`), when it is an entry of a map (an element's attribute).
 * Yjs encodes the key only with an explicit parent; otherwise it is the origin's key too.
 */
type Parent = (
  | { readonly kind: 'root'; readonly name: string }
  | { readonly kind: 'type'; readonly type: Y.AbstractType<unknown> }
  | { readonly kind: 'new'; readonly item: Y.Item }
) & { readonly sub: string | null };

/** What an item's parent is, for the shape rules. */
interface Container {
  /** Inside the editor's fragment (so the shape rules apply). */
  readonly inTree: boolean;
  /** 'fragment', 'text', the element name, or 'other'. */
  readonly kind: string;
  /** Nesting depth of the container itself (a root is 0). */
  readonly depth: number;
  /** The kind of the container's own container (for a text: the element it is in). */
  readonly within: string;
}

const OUTSIDE: Container = { inTree: false, kind: 'other', depth: 0, within: 'other' };

/**
 * Decodes and checks `update` against `doc`. Returns its cost and writers; throws a QuireError
 * (`invalid-update`, `update-too-complex`, `invalid-document`) when it must be refused.
 */
export function checkUpdate(doc: Y.Doc, update: Uint8Array, limits: UpdateCheckLimits, shape: DocumentShape): CheckedUpdate {
  let decoded: { structs: Array<Y.Item | Y.GC | Y.Skip>; ds: { clients: Map<number, Array<{ clock: number; len: number }>> } };
  leastStructs(update, limits);
  try {
    if (update.length < 2) throw new Error('too short');
    decoded = Y.decodeUpdate(update) as unknown as typeof decoded;
  } catch {
    throw new QuireError('invalid-update', 'The update is not a well-formed Yjs update.');
  }
  let cost = 0;
  const writers = new Map<number, number>();
  const items: Y.Item[] = [];
  const valueRuns = new ValueRuns(doc.store);
  const clients = new Set<number>();
  for (const struct of decoded.structs) {
    // Past 2^53 a number no longer holds every integer: clocks there name other clocks than the
    // sender meant, and splitting a struct at one made Yjs throw (a garbage struct of 2^53 - 4
    // clocks costs one struct, and lets the next struct of its client start there).
    if (!Number.isSafeInteger(struct.id.client) || !Number.isSafeInteger(struct.id.clock + struct.length)) {
      throw new QuireError('invalid-update', 'The update has a Yjs client id or clock beyond 2^53 - 1.');
    }
    clients.add(struct.id.client);
    if (struct instanceof Y.Skip) continue;
    // Yjs never writes an empty struct (an insert of nothing is no change), and applying one can
    // throw halfway through (after the items before it were integrated).
    if (struct.length < 1) throw new QuireError('invalid-update', 'The update has a struct of length 0.');
    cost++;
    if (struct instanceof Y.Item && (struct.content instanceof Y.ContentAny || struct.content instanceof Y.ContentJSON)) {
      // Every value is work when Yjs copies the list (see ValueRuns).
      cost += struct.length - 1;
      valueRuns.add(struct);
    }
    const { client, clock } = struct.id;
    const first = writers.get(client);
    if (first === undefined || clock < first) writers.set(client, clock);
    if (struct instanceof Y.Item) {
      // Yjs takes a reference to an earlier clock of the item's own client as already present;
      // one that points at the item itself or later makes it read past its struct store.
      for (const ref of [struct.origin, struct.rightOrigin, struct.parent]) {
        if (ref instanceof Y.ID && ref.client === client && ref.clock >= clock) {
          throw new QuireError('invalid-update', 'The update has an item that refers to itself or to a later item of its own client.');
        }
      }
      items.push(struct);
    }
  }
  // Y.decodeUpdate reads every section of structs, while Yjs keeps one per client, the last (an
  // empty one included): given two for one client it integrates only the second. What is checked
  // here must be what Yjs applies. No Yjs encoder writes a client twice or a section without structs.
  if (sectionCount(update) !== clients.size) {
    throw new QuireError('invalid-update', 'The update lists the structs of one Yjs client in more than one section, or a section without structs.');
  }
  if (writers.size > MAX_WRITERS_PER_UPDATE) {
    throw new QuireError('update-too-complex', `One change may carry structs of at most ${MAX_WRITERS_PER_UPDATE} Yjs clients; this one has ${writers.size}.`);
  }
  const deletions = countDeletions(doc.store, decoded.ds.clients);
  cost += deletions.fresh;
  if (cost > limits.maxStructsPerUpdate) {
    throw new QuireError('update-too-complex', `One change may carry at most ${limits.maxStructsPerUpdate} structs and deletions; this one has ${cost}. Send it in smaller parts.`);
  }
  new ShapeCheck(doc, items, limits, shape, decoded.ds.clients).run();
  return { cost, knownDeletions: deletions.known, writers, integratesAtOnce: integratesAtOnce(doc, update, decoded) };
}

/**
 * The most Yjs clients one change may carry structs of. Yjs goes over the update's list of clients
 * once for every struct it has to hold back for missing dependencies: 20,000 clients of one such
 * struct each (185 KB) took 2 s. A live change has one client; a handshake those of the sessions
 * whose work the server lacks.
 */
export const MAX_WRITERS_PER_UPDATE = 1000;

/** The most values one client may append in a row to a list of plain values (a Y.Array). */
export const MAX_VALUE_RUN = 2000;

/**
 * Runs of plain values (ContentAny, ContentJSON) one client appends in a row. Yjs merges such a
 * run into one item after each transaction by copying the whole list for every merge, and copies
 * it again to split it: 2,000 one-value items and one item of 500,000 values (510 KB) ran the
 * server out of heap. So an item may hold at most MAX_VALUE_RUN values, and so may the run it
 * extends (the same client's item ending just before it, in the update or in the document).
 * Quire's editor stores no lists (element attributes are single values), so this binds only
 * other uses of the document.
 */
class ValueRuns {
  /** Per client, the clock after the last value item of the update and its run's length. */
  private readonly runs = new Map<number, { end: number; length: number }>();

  constructor(private readonly store: Y.Doc['store']) {}

  add(item: Y.Item): void {
    const { client, clock } = item.id;
    const origin = item.origin;
    let before = 0;
    if (origin !== null && origin.client === client && origin.clock === clock - 1) {
      const inUpdate = this.runs.get(client);
      before = inUpdate !== undefined && inUpdate.end === clock ? inUpdate.length : this.heldRunEndingAt(client, origin.clock);
    }
    const length = before + item.length;
    if (length > MAX_VALUE_RUN) {
      throw new QuireError('update-too-complex', `A list may get at most ${MAX_VALUE_RUN} values in a row from one client; this change makes ${length}.`);
    }
    this.runs.set(client, { end: clock + item.length, length });
  }

  /** The length of the document's value item of `client` that ends at `clock`, else 0. */
  private heldRunEndingAt(client: number, clock: number): number {
    const structs = this.store.clients.get(client);
    const last = structs?.[structs.length - 1];
    if (structs === undefined || last === undefined || last.id.clock + last.length <= clock) return 0;
    const held = structs[Y.findIndexSS(structs, clock)];
    if (!(held instanceof Y.Item) || held.id.clock + held.length - 1 !== clock) return 0;
    return held.content instanceof Y.ContentAny || held.content instanceof Y.ContentJSON ? held.length : 0;
  }
}

/**
 * Sorts an update's deletion ranges into those that delete something new and those the document
 * already holds deleted; refuses ranges that are empty, impossible or overlap one another.
 *
 * Overlap matters because of what applying costs: Yjs walks every struct a range covers, deleted
 * or not, so 20,000 ranges that each cover a whole document of 50,000 structs (an 80 KB update)
 * keep the event loop busy for seconds. Ranges that do not overlap cover each struct once at most,
 * and encoders (Yjs sorts and merges a delete set before writing it) never send overlapping ones.
 */
function countDeletions(
  store: Y.Doc['store'],
  clients: ReadonlyMap<number, ReadonlyArray<{ clock: number; len: number }>>,
): { fresh: number; known: number } {
  let fresh = 0;
  let known = 0;
  for (const [client, ranges] of clients) {
    for (const range of ranges) {
      // Yjs re-encodes the deletions it cannot apply yet, and an empty range throws there.
      if (!(range.len >= 1) || !Number.isSafeInteger(range.clock + range.len)) {
        throw new QuireError('invalid-update', 'The update deletes an empty or impossible range.');
      }
    }
    // Encoders write them in clock order; others are sorted here (paid for by the byte budget).
    const sorted = inClockOrder(ranges) ? ranges : [...ranges].sort((a, b) => a.clock - b.clock);
    const structs = store.clients.get(client);
    let end = 0;
    for (const range of sorted) {
      if (range.clock < end) throw new QuireError('invalid-update', 'The update deletes overlapping ranges of one client.');
      end = range.clock + range.len;
      if (structs !== undefined && splitsKeyedValues(structs, range.clock, end)) {
        throw new QuireError('invalid-update', 'The update deletes part of a map value or attribute holding several values.');
      }
      if (structs !== undefined && heldDeleted(structs, range.clock, end)) known++;
      else fresh++;
    }
  }
  return { fresh, known };
}

function inClockOrder(ranges: ReadonlyArray<{ clock: number }>): boolean {
  for (let i = 1; i < ranges.length; i++) if (ranges[i]!.clock < ranges[i - 1]!.clock) return false;
  return true;
}

/**
 * Whether the held keyed entry of several values (see isKeyedValues) holding `clock` starts
 * before it.
 */
function cutsKeyedValuesAt(structs: ReadonlyArray<Y.Item | Y.GC>, clock: number): boolean {
  const last = structs[structs.length - 1];
  if (last === undefined || clock <= 0 || clock >= last.id.clock + last.length) return false;
  const struct = structs[Y.findIndexSS(structs as Array<Y.Item | Y.GC>, clock)]!;
  return struct.id.clock < clock && isKeyedValues(struct);
}

/** Whether deleting [clock, end) would split a live keyed entry of several values the document holds. */
function splitsKeyedValues(structs: ReadonlyArray<Y.Item | Y.GC>, clock: number, end: number): boolean {
  return cutsKeyedValuesAt(structs, clock) || cutsKeyedValuesAt(structs, end);
}

/**
 * A live map value or attribute holding several values: Yjs's redo copies a client's values of a
 * key that were overwritten in a row, which Yjs had merged into one deleted item, as one new
 * item. It reads as its last value. Split, its parts would each overwrite the one before on a
 * reload from the server's encoding, but not on the server: only a change that never splits one
 * is taken (an honest change deletes it whole, or sets the key after its last value).
 */
function isKeyedValues(struct: Y.Item | Y.GC): boolean {
  return struct instanceof Y.Item && struct.parentSub !== null && struct.length > 1 && !struct.deleted;
}

/** Whether every clock in [clock, end) is held by `structs` (one client's, in clock order) and deleted. */
function heldDeleted(structs: ReadonlyArray<Y.Item | Y.GC>, clock: number, end: number): boolean {
  const last = structs[structs.length - 1];
  if (last === undefined || last.id.clock + last.length < end) return false;
  for (let index = Y.findIndexSS(structs as Array<Y.Item | Y.GC>, clock); index < structs.length; index++) {
    const struct = structs[index]!;
    if (struct.id.clock >= end) break;
    if (!struct.deleted) return false;
  }
  return true;
}

/**
 * The fewest structs the update holds, read without decoding it: the length its first client run
 * declares. Whatever must be refused on cost alone is refused on this, before decoding makes a
 * throwaway Yjs object of every struct: a run longer than the update has bytes (every struct
 * takes at least one) is `invalid-update`, one longer than a change may carry `update-too-complex`.
 * Returns 0 when the run cannot be read (decoding then tells what is wrong).
 */
export function leastStructs(update: Uint8Array, limits: Pick<UpdateCheckLimits, 'maxStructsPerUpdate'>): number {
  let declared: number;
  try {
    const decoder = decoding.createDecoder(update);
    declared = decoding.readVarUint(decoder) === 0 ? 0 : decoding.readVarUint(decoder);
  } catch {
    return 0;
  }
  if (declared > update.length) throw new QuireError('invalid-update', 'The update declares more structs than it has bytes; it is not a well-formed Yjs update.');
  if (declared > limits.maxStructsPerUpdate) {
    // Refused before decoding: decoding itself is the cost being refused.
    throw new QuireError('update-too-complex', `One change may carry at most ${limits.maxStructsPerUpdate} structs and deletions. Send it in smaller parts.`);
  }
  return declared;
}

/** How many sections of structs (one client's run each) the update says it has. */
function sectionCount(update: Uint8Array): number {
  return decoding.readVarUint(decoding.createDecoder(update));
}

class ShapeCheck {
  private readonly byClient = new Map<number, Y.Item[]>();
  private readonly parents = new Map<Y.Item, Parent | null>();
  private readonly newContainers = new Map<Y.Item, Container>();
  private readonly typeContainers = new Map<Y.AbstractType<unknown>, Container>();
  /** Steps the origin checks may still walk along lists (bounded per update, whatever it holds). */
  private walkBudget = 100_000;
  /** The update's keyed entries holding several values (isKeyedValues), not deleted by it. */
  private readonly keyedValues = new Set<Y.Item>();

  constructor(
    private readonly doc: Y.Doc,
    private readonly items: readonly Y.Item[],
    private readonly limits: UpdateCheckLimits,
    private readonly shape: DocumentShape,
    /** The update's own delete set, by client. */
    private readonly deletes: ReadonlyMap<number, ReadonlyArray<{ readonly clock: number; readonly len: number }>>,
  ) {
    for (const item of items) {
      const list = this.byClient.get(item.id.client);
      if (list === undefined) this.byClient.set(item.id.client, [item]);
      else list.push(item);
    }
    for (const list of this.byClient.values()) list.sort((a, b) => a.id.clock - b.id.clock);
  }

  run(): void {
    for (const item of this.items) {
      this.checkOrigins(item);
      const parent = this.parentOf(item);
      this.checkContinuesHeldRun(item, parent);
      if (parent === null) continue;
      if (parent.sub !== null) this.checkKeyed(item);
      const container = this.containerOf(parent);
      if (item.content instanceof Y.ContentType && container.depth + 1 > this.limits.maxNestingDepth) {
        throw new QuireError('update-too-complex', `Elements may nest at most ${this.limits.maxNestingDepth} deep.`);
      }
      if (container.inTree) this.checkPlacement(item, container, parent.sub);
    }
    // Once every keyed entry of several values the update makes is known.
    for (const item of this.items) this.checkSplitsNoKeyedValues(item);
  }

  /**
   * An item goes between its origin and its right origin, which must then be neighbours-to-be in
   * one list: Yjs integrates an item whose origins lie in different lists, or in the wrong order,
   * by walking off the end of the list and throwing.
   */
  private checkOrigins(item: Y.Item): void {
    if (item.origin === null || item.rightOrigin === null) return;
    // Only origins the document holds are checked (Yjs takes a held clock as the held struct,
    // whatever the update says it is); those the update creates are placed as Yjs integrates them.
    const left = this.held(item.origin);
    const right = this.held(item.rightOrigin);
    const bad = (): never => {
      throw new QuireError('invalid-update', 'The update places an item between two items that are not in one list in that order.');
    };
    if (!(left instanceof Y.Item) || !(right instanceof Y.Item)) {
      // One of them (at least) is the update's own: the two must still be in one list. Yjs takes
      // the list of the origin and links the item to a right neighbour in another; once that
      // neighbour's type is deleted, a reload from the server's encoding loses the item.
      const leftPlace = this.placeOf(item.origin, left);
      const rightPlace = this.placeOf(item.rightOrigin, right);
      if (leftPlace !== null && rightPlace !== null && (leftPlace.list !== rightPlace.list || leftPlace.sub !== rightPlace.sub)) bad();
      return;
    }
    if (left.parent !== right.parent || left.parentSub !== right.parentSub) bad();
    // Yjs's undo manager, bringing deleted content back among content it brought back before,
    // names its own earlier items as neighbours, and not always in their order (see
    // placed-as-sent.ts): an item whose origins are both its own client's is not held to it.
    if (namesOnlyItsOwn(item)) return;
    // Both within one run of the same client: its clocks are its order.
    if (left === right) {
      if (item.rightOrigin.clock <= item.origin.clock) bad();
      return;
    }
    // The right origin must come after the origin: walk right from the origin, a bounded distance.
    for (let at: Y.Item | null = left.right; at !== null; at = at.right) {
      if (at === right) return;
      // Past the budget the order is not checked: Yjs copes with almost every case, and the
      // room is rebuilt from storage for the rest.
      if (--this.walkBudget <= 0) return;
    }
    bad();
  }

  /**
   * The list (a type, a root type by name, or the update's item creating a new type) and key the
   * struct `id` is in, or null when that cannot be told (garbage, or a parent the update does not
   * lead to). `held` is what the document holds at `id`.
   */
  private placeOf(id: Y.ID, held: Y.Item | Y.GC | null): { readonly list: unknown; readonly sub: string | null } | null {
    if (held instanceof Y.GC) return null;
    if (held instanceof Y.Item) return held.parent instanceof Y.AbstractType ? { list: held.parent, sub: held.parentSub } : null;
    const inUpdate = this.find(id);
    const parent = inUpdate === null ? null : this.parentOf(inUpdate);
    if (parent === null) return null;
    return { list: this.listOf(parent), sub: parent.sub };
  }

  /**
   * What tells the list a parent stands for: the type the document holds (a root type by name,
   * a name the document has no type of yet by itself), or the update's item creating a new type.
   */
  private listOf(parent: Parent): unknown {
    if (parent.kind === 'root') return this.doc.share.get(parent.name) ?? `root ${parent.name}`;
    return parent.kind === 'type' ? parent.type : parent.item;
  }

  /**
   * An item that starts before what the document holds of its client and ends past it: Yjs
   * integrates only the new part, as the right neighbour of the struct the document holds just
   * before it, but keeps the parent the item's own origins give it. When the two disagree (a
   * crafted item resending clocks the document holds as something else, say the value of an
   * element's attribute), the part is linked into another type's list on the server, while every
   * reader, given the server's encoding (whose origin is that struct), places it in the struct's
   * own type: replicas diverge for good. An honest resend continues its own run, in the same type
   * under the same key, and with the run's right origin (every piece of a run keeps the one the
   * run was typed with): Yjs makes the held struct the new part's origin, and a different right
   * origin could stand before it, which the check after the apply lets through when both are
   * the item's own client's (placed-as-sent.ts). Where the parent is not known, it is left to Yjs.
   *
   * The struct before may be garbage: Yjs collects the content of a deleted type, and an honest
   * resend into such a type has no parent either (its origins are garbage too, or the deleted
   * type), so Yjs turns its new part into garbage. A crafted one, resending garbage clocks into a
   * live list, makes Yjs take the garbage as the new part's left neighbour and throw halfway
   * through the apply, which costs the room a rebuild from storage.
   */
  private checkContinuesHeldRun(item: Y.Item, parent: Parent | null): void {
    const { client, clock } = item.id;
    const held = Y.getState(this.doc.store, client);
    if (clock >= held || clock + item.length <= held || parent === null) return;
    const before = this.held(Y.createID(client, held - 1));
    if (before instanceof Y.GC) {
      throw new QuireError('invalid-update', 'The update resends garbage the document holds as an item in a live list.');
    }
    if (before === null) return;
    if (this.listOf(parent) !== before.parent || parent.sub !== before.parentSub) {
      throw new QuireError('invalid-update', 'The update resends an item the document holds with a different place for its new part.');
    }
    if (!Y.compareIDs(item.rightOrigin, before.rightOrigin)) {
      throw new QuireError('invalid-update', 'The update resends an item the document holds with a different right neighbour for its new part.');
    }
  }

  /**
   * A keyed entry (a map's value, an element's attribute) has no right neighbour: that is all
   * Yjs's map sets write, and a right origin makes an entry that is not its key's current value,
   * though nothing comes after it. One holding several values (isKeyedValues; Yjs's redo makes
   * them) may not be split by the change's own deletions; the origins pointing into it are
   * checked in checkSplitsNoKeyedValues.
   */
  private checkKeyed(item: Y.Item): void {
    if (item.rightOrigin !== null) throw new QuireError('invalid-update', 'The update has a keyed entry with a right neighbour.');
    if (item.length === 1 || item.id.clock + item.length <= Y.getState(this.doc.store, item.id.client)) return;
    if (this.deletedByUpdate(item)) return;
    if (this.deletedInPart(item)) throw new QuireError('invalid-update', 'The update deletes part of a map value or attribute holding several values.');
    this.keyedValues.add(item);
  }

  /**
   * An item placed after a value of a keyed entry of several values other than its last, or
   * before one other than its first, would split it (Yjs splits the entry its origins point into
   * even when the item then turns out to have no place, its other origin being garbage).
   */
  private checkSplitsNoKeyedValues(item: Y.Item): void {
    const cutAfter = item.origin !== null && this.cutsKeyedValues(item.origin, 'after');
    if (cutAfter || (item.rightOrigin !== null && this.cutsKeyedValues(item.rightOrigin, 'before'))) {
      throw new QuireError('invalid-update', 'The update places an item inside a map value or attribute holding several values.');
    }
  }

  /** Whether cutting after (or before) `id` splits a keyed entry of several values, held or the update's. */
  private cutsKeyedValues(id: Y.ID, where: 'after' | 'before'): boolean {
    const held = this.held(id);
    const into = held instanceof Y.Item ? held : this.find(id);
    if (into === null) return false;
    const edge = where === 'after' ? into.id.clock + into.length - 1 : into.id.clock;
    if (id.clock === edge) return false;
    return held instanceof Y.Item ? isKeyedValues(held) : this.keyedValues.has(into);
  }

  /** The ranges of the update's own delete set that cover some of `item`, in clock order. */
  private deletionsOf(item: Y.Item): Array<{ readonly clock: number; readonly len: number }> {
    const { client, clock } = item.id;
    const end = clock + item.length;
    return (this.deletes.get(client) ?? []).filter((range) => range.clock < end && range.clock + range.len > clock).sort((a, b) => a.clock - b.clock);
  }

  /** Whether the update's own delete set covers part, but not the whole, of `item` (checked after deletedByUpdate). */
  private deletedInPart(item: Y.Item): boolean {
    return this.deletionsOf(item).length > 0;
  }

  /** Whether the update's own delete set covers the whole of `item`. */
  private deletedByUpdate(item: Y.Item): boolean {
    const { clock } = item.id;
    const end = clock + item.length;
    const ranges = this.deletionsOf(item);
    let covered = clock;
    for (const range of ranges) {
      if (range.clock > covered) return false;
      covered = Math.max(covered, range.clock + range.len);
    }
    return covered >= end;
  }

  /** The rules of the editor's fragment for one item placed in `container`. */
  private checkPlacement(item: Y.Item, container: Container, sub: string | null): void {
    const content = item.content;
    if (content instanceof Y.ContentDeleted) return;
    const refuse = (what: string): never => {
      throw new QuireError('invalid-document', `The change puts ${what} into the document, which the editor cannot show.`);
    };
    if (sub !== null) {
      // Element attributes are plain values; nothing else in the fragment is a map.
      if (container.kind === 'fragment' || container.kind === 'text' || container.kind === 'other') refuse('a keyed entry where only content may stand');
      if (!(content instanceof Y.ContentAny || content instanceof Y.ContentString || content instanceof Y.ContentJSON)) refuse('an attribute that is not a plain value');
      return;
    }
    if (container.kind === 'text') {
      if (content instanceof Y.ContentString) return;
      if (content instanceof Y.ContentFormat) {
        if (!this.shape.isMarkKey(content.key)) refuse(`formatting "${content.key.slice(0, 40)}" that is no mark of the editor`);
        // Ending or removing a mark is harmless anywhere; setting one where the block takes none is not.
        if (content.value !== null && !this.shape.allowsMarkKey(container.within, content.key)) refuse(`formatting "${content.key}" in a ${container.within.slice(0, 40)}, which takes no such mark`);
        return;
      }
      refuse('an embedded object inside text');
    }
    if (!(content instanceof Y.ContentType)) refuse('raw values where elements belong');
    const type = (content as Y.ContentType).type;
    if (type instanceof Y.XmlText) {
      if (!this.shape.holdsText.has(container.kind)) refuse(`text directly inside ${container.kind === 'fragment' ? 'the document' : `a ${container.kind}`}`);
      return;
    }
    if (!(type instanceof Y.XmlElement)) refuse('a shared type the editor does not use');
    const name = (type as Y.XmlElement).nodeName;
    const allowed = container.kind === 'fragment' ? this.shape.topLevel : this.shape.children.get(container.kind);
    if (allowed === undefined || !allowed.has(name)) {
      refuse(`a "${name.slice(0, 40)}" element ${container.kind === 'fragment' ? 'at the top level' : `inside a ${container.kind}`}`);
    }
  }

  /** The parent of an update item, or null when it cannot be known before integration. */
  private parentOf(start: Y.Item): Parent | null {
    // Follow origins through the update until a known parent, then remember it for the chain.
    const chain = new Set<Y.Item>();
    let item: Y.Item | null = start;
    let found: Parent | null = null;
    while (item !== null) {
      const known = this.parents.get(item);
      if (known !== undefined) {
        found = known;
        break;
      }
      // Two items of the update that are each other's origin (across clients, which the check for
      // references to later clocks cannot see) would be followed round for ever.
      if (chain.has(item)) throw new QuireError('invalid-update', 'The update has items whose origins go round in a cycle.');
      chain.add(item);
      const direct = item.parent as unknown;
      if (typeof direct === 'string') {
        found = { kind: 'root', name: direct, sub: item.parentSub };
        break;
      }
      if (direct instanceof Y.ID) {
        const parent = this.itemAsParent(direct);
        found = parent === null ? null : { ...parent, sub: item.parentSub };
        break;
      }
      const ref = item.origin ?? item.rightOrigin;
      if (ref === null) break;
      // A clock the document holds is the held struct to Yjs, whatever the update says it is.
      const held = this.held(ref);
      if (held !== null) {
        found = held instanceof Y.Item && held.parent !== null && !(held.parent instanceof Y.ID) ? { kind: 'type', type: held.parent as Y.AbstractType<unknown>, sub: held.parentSub } : null;
        break;
      }
      const inUpdate = this.find(ref);
      if (inUpdate === null) break;
      item = inUpdate;
    }
    for (const link of chain) this.parents.set(link, found);
    return found;
  }

  /** The type created by the item `id` (a parent given by id), in the update or the document. */
  private itemAsParent(id: Y.ID): Parent | null {
    const held = this.held(id);
    if (held !== null) return held instanceof Y.Item && held.content instanceof Y.ContentType ? { kind: 'type', type: held.content.type, sub: null } : null;
    const inUpdate = this.find(id);
    return inUpdate === null ? null : { kind: 'new', item: inUpdate, sub: null };
  }

  private containerOf(parent: Parent): Container {
    if (parent.kind === 'root') return parent.name === FRAGMENT_NAME ? { inTree: true, kind: 'fragment', depth: 0, within: 'other' } : OUTSIDE;
    if (parent.kind === 'type') return this.heldContainer(parent.type);
    return this.newContainer(parent.item);
  }

  /** A type the document holds: walk up to its root once and remember the answer. */
  private heldContainer(type: Y.AbstractType<unknown>): Container {
    const known = this.typeContainers.get(type);
    if (known !== undefined) return known;
    let depth = 0;
    let root: Y.AbstractType<unknown> = type;
    while (root._item !== null) {
      depth++;
      root = root._item.parent as Y.AbstractType<unknown>;
    }
    let rootName: string | null = null;
    try {
      rootName = Y.findRootTypeKey(root);
    } catch {
      rootName = null;
    }
    const holder = type._item?.parent;
    const within = holder instanceof Y.AbstractType ? kindOf(holder) : 'other';
    const container: Container = rootName === FRAGMENT_NAME ? { inTree: true, kind: kindOf(type), depth, within } : { inTree: false, kind: 'other', depth, within: 'other' };
    this.typeContainers.set(type, container);
    return container;
  }

  /** A type the update creates: its container is one deeper than its parent's. */
  private newContainer(start: Y.Item): Container {
    const chain: Y.Item[] = [];
    let item: Y.Item = start;
    let base: Container | null = null;
    for (;;) {
      const known = this.newContainers.get(item);
      if (known !== undefined) {
        base = known;
        break;
      }
      chain.push(item);
      const parent = this.parentOf(item);
      if (parent === null) {
        base = OUTSIDE;
        break;
      }
      if (parent.kind !== 'new') {
        base = this.containerOf(parent);
        break;
      }
      item = parent.item;
      if (chain.length > this.limits.maxNestingDepth + 1) {
        throw new QuireError('update-too-complex', `Elements may nest at most ${this.limits.maxNestingDepth} deep.`);
      }
    }
    // Unwind: each item in the chain is the container of the one before it.
    let container = base;
    for (let i = chain.length - 1; i >= 0; i--) {
      const item = chain[i]!;
      const type = item.content instanceof Y.ContentType ? item.content.type : null;
      container = { inTree: container.inTree, kind: type === null ? 'other' : kindOf(type), depth: container.depth + 1, within: container.kind };
      this.newContainers.set(item, container);
    }
    return container;
  }

  /** The update's item containing `id`, or null. */
  private find(id: Y.ID): Y.Item | null {
    const list = this.byClient.get(id.client);
    if (list === undefined) return null;
    let low = 0;
    let high = list.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const item = list[middle]!;
      if (id.clock < item.id.clock) high = middle - 1;
      else if (id.clock >= item.id.clock + item.length) low = middle + 1;
      else return item;
    }
    return null;
  }

  /** The struct the document holds at `id`, or null. */
  private held(id: Y.ID): Y.Item | Y.GC | null {
    return heldStruct(this.doc.store, id);
  }}

function kindOf(type: Y.AbstractType<unknown>): string {
  if (type instanceof Y.XmlElement) return type.nodeName;
  if (type instanceof Y.XmlText) return 'text';
  if (type instanceof Y.XmlFragment) return 'fragment';
  return 'other';
}
