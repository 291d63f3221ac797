/**
 * Yjs updates written byte by byte, for attacks the Yjs API makes slow or impossible to build:
 * deep nesting and very many elements. The encoding is Yjs's v1 update format: per client a run
 * of structs, then the delete set (see lib0 encoding and Yjs's UpdateEncoderV1).
 */
import * as encoding from 'lib0/encoding';
import { FRAGMENT_NAME } from '../../document/fragment.js';

const CONTENT_TYPE = 7;
const HAS_ORIGIN = 0x80;
const XML_ELEMENT = 3;

function finish(encoder: encoding.Encoder): Uint8Array {
  encoding.writeVarUint(encoder, 0); // an empty delete set
  return encoding.toUint8Array(encoder);
}

function header(encoder: encoding.Encoder, client: number, structs: number): void {
  encoding.writeVarUint(encoder, 1); // one client
  encoding.writeVarUint(encoder, structs);
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, 0); // its first clock
}

/** `depth` block quotes, each inside the one before, in the editor's fragment. */
export function nestedElements(client: number, depth: number, name = 'blockquote'): Uint8Array {
  const encoder = encoding.createEncoder();
  header(encoder, client, depth);
  for (let i = 0; i < depth; i++) {
    encoding.writeUint8(encoder, CONTENT_TYPE);
    if (i === 0) {
      encoding.writeVarUint(encoder, 1); // the parent is a root type, named next
      encoding.writeVarString(encoder, FRAGMENT_NAME);
    } else {
      encoding.writeVarUint(encoder, 0); // the parent is the item given by id next
      encoding.writeVarUint(encoder, client);
      encoding.writeVarUint(encoder, i - 1);
    }
    encoding.writeVarUint(encoder, XML_ELEMENT);
    encoding.writeVarString(encoder, name);
  }
  return finish(encoder);
}

/** `count` empty paragraphs in a row at the top of the editor's fragment. */
export function manyElements(client: number, count: number, name = 'paragraph'): Uint8Array {
  const encoder = encoding.createEncoder();
  header(encoder, client, count);
  for (let i = 0; i < count; i++) {
    if (i === 0) {
      encoding.writeUint8(encoder, CONTENT_TYPE);
      encoding.writeVarUint(encoder, 1);
      encoding.writeVarString(encoder, FRAGMENT_NAME);
    } else {
      encoding.writeUint8(encoder, CONTENT_TYPE | HAS_ORIGIN);
      encoding.writeVarUint(encoder, client);
      encoding.writeVarUint(encoder, i - 1);
    }
    encoding.writeVarUint(encoder, XML_ELEMENT);
    encoding.writeVarString(encoder, name);
  }
  return finish(encoder);
}

const HAS_RIGHT_ORIGIN = 0x40;
const CONTENT_STRING = 4;
const XML_TEXT = 6;

/**
 * One update of two clients that makes Yjs scan a long run for every item it places, inside a
 * paragraph of the editor's fragment (the shape rules allow it). Client `typist` (the larger id)
 * adds a paragraph with a text of `run` one-character strings, each after the one before, so they
 * are separate items until the transaction ends. Client `placer` (the smaller id) adds `placed`
 * one-character strings, each with no origin and as right origin a different character near the
 * run's end: Yjs integrates the larger client first, then scans the run from its start for each
 * of the placer's items.
 */
export function conflictScan(typist: number, placer: number, run: number, placed: number): Uint8Array {
  if (!(placer < typist) || placed > run) throw new RangeError('The placer needs the smaller id, and at most one item per character of the run.');
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 2); // two clients, the larger id first as Yjs writes them
  encoding.writeVarUint(encoder, 2 + run);
  encoding.writeVarUint(encoder, typist);
  encoding.writeVarUint(encoder, 0);
  // Clock 0: a paragraph at the top of the fragment; clock 1: its text.
  encoding.writeUint8(encoder, CONTENT_TYPE);
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarString(encoder, FRAGMENT_NAME);
  encoding.writeVarUint(encoder, XML_ELEMENT);
  encoding.writeVarString(encoder, 'paragraph');
  encoding.writeUint8(encoder, CONTENT_TYPE);
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, typist);
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, XML_TEXT);
  // Clocks 2 …: the run; the first character's parent is the text, each next one's origin the last.
  for (let i = 0; i < run; i++) {
    if (i === 0) {
      encoding.writeUint8(encoder, CONTENT_STRING);
      encoding.writeVarUint(encoder, 0);
      encoding.writeVarUint(encoder, typist);
      encoding.writeVarUint(encoder, 1);
    } else {
      encoding.writeUint8(encoder, CONTENT_STRING | HAS_ORIGIN);
      encoding.writeVarUint(encoder, typist);
      encoding.writeVarUint(encoder, 1 + i);
    }
    encoding.writeVarString(encoder, 'a');
  }
  encoding.writeVarUint(encoder, placed);
  encoding.writeVarUint(encoder, placer);
  encoding.writeVarUint(encoder, 0);
  for (let i = 0; i < placed; i++) {
    encoding.writeUint8(encoder, CONTENT_STRING | HAS_RIGHT_ORIGIN);
    encoding.writeVarUint(encoder, typist);
    encoding.writeVarUint(encoder, 2 + run - 1 - i);
    encoding.writeVarString(encoder, 'b');
  }
  return finish(encoder);
}

/** An update of no structs and one client's deletion ranges (lib0 v1 encoding; Yjs would merge them). */
export function deleteSetUpdate(client: number, ranges: ReadonlyArray<readonly [number, number]>): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  writeDeleteSet(encoder, ranges.map(([clock, len]) => [client, clock, len] as const));
  return encoding.toUint8Array(encoder);
}

/** A delete set of (client, clock, length) ranges, written in the order given, grouped by client. */
function writeDeleteSet(encoder: encoding.Encoder, deletions: ReadonlyArray<readonly [client: number, clock: number, len: number]>): void {
  const byClient = new Map<number, Array<readonly [number, number]>>();
  for (const [client, clock, len] of deletions) {
    const ranges = byClient.get(client) ?? [];
    byClient.set(client, ranges);
    ranges.push([clock, len]);
  }
  encoding.writeVarUint(encoder, byClient.size);
  for (const [client, ranges] of byClient) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, ranges.length);
    for (const [clock, len] of ranges) {
      encoding.writeVarUint(encoder, clock);
      encoding.writeVarUint(encoder, len);
    }
  }
}

const HAS_PARENT_SUB = 0x20;
const CONTENT_ANY = 8;
const CONTENT_DELETED = 1;

/** One client's run of structs in an update: its id, the clock of its first struct, and the structs. */
interface ClientRun {
  readonly client: number;
  readonly clock: number;
  readonly structs: Array<(encoder: encoding.Encoder) => void>;
}

function clientRuns(runs: readonly ClientRun[]): Uint8Array {
  const encoder = encoding.createEncoder();
  const written = runs.filter((run) => run.structs.length > 0);
  encoding.writeVarUint(encoder, written.length);
  for (const run of written) {
    encoding.writeVarUint(encoder, run.structs.length);
    encoding.writeVarUint(encoder, run.client);
    encoding.writeVarUint(encoder, run.clock);
    for (const struct of run.structs) struct(encoder);
  }
  return finish(encoder);
}

/** A value item (what Y.Map and element attributes hold) placed right after `origin`, under its origin's key. */
function valueAfter(origin: readonly [number, number], value: number): (encoder: encoding.Encoder) => void {
  return (encoder) => {
    encoding.writeUint8(encoder, CONTENT_ANY | HAS_ORIGIN);
    encoding.writeVarUint(encoder, origin[0]);
    encoding.writeVarUint(encoder, origin[1]);
    encoding.writeVarUint(encoder, 1);
    encoding.writeAny(encoder, value);
  };
}

/** The updates of an attribute with a long overwrite history, and of a change that scans it. */
export interface AttributeHistoryScan {
  /** The heading and its history of `level` values, one update per part. */
  readonly history: Uint8Array[];
  /** The `placed` values that each make Yjs scan the whole history. */
  readonly scan: Uint8Array;
}

/**
 * A map key with a long overwrite history, and one change that makes Yjs scan all of it for each
 * value it places. The map is a heading's attributes in the editor's fragment (y-prosemirror keeps
 * node attributes there, and the shape rules allow any plain value under any key); the key its
 * `level`. Two clients (`writers`, the first also writing the heading) overwrite it `entries` times
 * in turn, each value placed after the one before: a client's own overwrites would merge into one
 * item once deleted, another's never do. Every overwritten value stays in the key's list of items.
 *
 * The scan is `placed` values of client `scanner` (an id above both writers'), each placed after
 * the first value of the history. Yjs looks for its place among the items between that value and
 * the key's end: every item of the history is concurrent-looking and of a smaller client, so it
 * walks all of them, for each value placed (a few hundred ns per item and value).
 */
export function attributeHistoryScan(writers: readonly [number, number], scanner: number, entries: number, perPart: number, placed: number): AttributeHistoryScan {
  if (!(scanner > writers[0] && scanner > writers[1])) throw new RangeError('The scanner needs an id above both writers’.');
  const [first, second] = writers;
  // The id of the history's value `index`: the first writer's clock 0 is the heading.
  const idOf = (index: number): [number, number] => (index % 2 === 0 ? [first, 1 + index / 2] : [second, (index - 1) / 2]);
  const history: Uint8Array[] = [];
  for (let start = 0; start < entries; start += perPart) {
    const end = Math.min(entries, start + perPart);
    const runs: [ClientRun, ClientRun] = [
      { client: first, clock: start === 0 ? 0 : idOf(start + (start % 2))[1], structs: [] },
      { client: second, clock: idOf(start + 1 - (start % 2))[1], structs: [] },
    ];
    if (start === 0) {
      runs[0].structs.push((encoder) => {
        encoding.writeUint8(encoder, CONTENT_TYPE);
        encoding.writeVarUint(encoder, 1);
        encoding.writeVarString(encoder, FRAGMENT_NAME);
        encoding.writeVarUint(encoder, XML_ELEMENT);
        encoding.writeVarString(encoder, 'heading');
      });
    }
    for (let index = start; index < end; index++) {
      const level = 1 + (index % 3);
      if (index === 0) {
        // The first value names its parent (the heading) and key; the others take both from their origin.
        runs[0].structs.push((encoder) => {
          encoding.writeUint8(encoder, CONTENT_ANY | HAS_PARENT_SUB);
          encoding.writeVarUint(encoder, 0);
          encoding.writeVarUint(encoder, first);
          encoding.writeVarUint(encoder, 0);
          encoding.writeVarString(encoder, 'level');
          encoding.writeVarUint(encoder, 1);
          encoding.writeAny(encoder, level);
        });
      } else {
        runs[index % 2]!.structs.push(valueAfter(idOf(index - 1), level));
      }
    }
    history.push(clientRuns(runs));
  }
  const scan = clientRuns([{ client: scanner, clock: 0, structs: Array.from({ length: placed }, () => valueAfter(idOf(0), 2)) }]);
  return { history, scan };
}

/** One item of `craftedItems`: where it goes and what it holds (a string, else one plain value). */
export interface CraftedItem {
  readonly origin?: readonly [client: number, clock: number];
  readonly rightOrigin?: readonly [client: number, clock: number];
  /** Written only without origins: a root type's name or a type's item id. */
  readonly parent?: string | readonly [client: number, clock: number];
  readonly sub?: string;
  readonly text?: string;
  readonly value?: unknown;
  /** Deleted content of this length (what Yjs writes for a deleted item's content). */
  readonly deleted?: number;
  /** A garbage struct (what Yjs writes for content it collected) of this length instead of an item. */
  readonly garbage?: number;
}

/** The length of clocks a crafted item takes. */
export function craftedLength(item: CraftedItem): number {
  return item.garbage ?? item.deleted ?? item.text?.length ?? 1;
}

/**
 * Items written as given, one section per entry of `sections` (two sections may name one client,
 * which Yjs's own encoder never does), and a delete set of `deletions` (client, clock, length),
 * written in the order given, grouped by client.
 */
export function craftedItems(
  sections: ReadonlyArray<{ readonly client: number; readonly clock: number; readonly items: readonly CraftedItem[] }>,
  deletions: ReadonlyArray<readonly [client: number, clock: number, len: number]> = [],
): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, sections.length);
  for (const { client, clock, items } of sections) {
    encoding.writeVarUint(encoder, items.length);
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, clock);
    for (const item of items) {
      if (item.garbage !== undefined) {
        encoding.writeUint8(encoder, 0);
        encoding.writeVarUint(encoder, item.garbage);
        continue;
      }
      const content = item.text !== undefined ? CONTENT_STRING : item.deleted !== undefined ? CONTENT_DELETED : CONTENT_ANY;
      const placedBy = item.origin === undefined && item.rightOrigin === undefined;
      encoding.writeUint8(
        encoder,
        content | (item.origin ? HAS_ORIGIN : 0) | (item.rightOrigin ? HAS_RIGHT_ORIGIN : 0) | (placedBy && item.sub !== undefined ? HAS_PARENT_SUB : 0),
      );
      for (const id of [item.origin, item.rightOrigin]) {
        if (id === undefined) continue;
        encoding.writeVarUint(encoder, id[0]);
        encoding.writeVarUint(encoder, id[1]);
      }
      if (placedBy) {
        const parent = item.parent ?? FRAGMENT_NAME;
        encoding.writeVarUint(encoder, typeof parent === 'string' ? 1 : 0);
        if (typeof parent === 'string') encoding.writeVarString(encoder, parent);
        else {
          encoding.writeVarUint(encoder, parent[0]);
          encoding.writeVarUint(encoder, parent[1]);
        }
        if (item.sub !== undefined) encoding.writeVarString(encoder, item.sub);
      }
      if (item.text !== undefined) encoding.writeVarString(encoder, item.text);
      else if (item.deleted !== undefined) encoding.writeVarUint(encoder, item.deleted);
      else {
        encoding.writeVarUint(encoder, 1);
        encoding.writeAny(encoder, item.value as Parameters<typeof encoding.writeAny>[1]);
      }
    }
  }
  writeDeleteSet(encoder, deletions);
  return encoding.toUint8Array(encoder);
}
