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
