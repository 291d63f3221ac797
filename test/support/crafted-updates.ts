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
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, ranges.length);
  for (const [clock, len] of ranges) {
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarUint(encoder, len);
  }
  return encoding.toUint8Array(encoder);
}
