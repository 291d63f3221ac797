/**
 * Byte-level helpers of the single-frame codec: what counts as a binary value, and a writer and a
 * reader of the lib0 primitives the frame is made of (`varUint` = unsigned LEB128, `varString` =
 * varUint byte length + UTF-8). The reader checks every bound itself instead of relying on lib0's
 * decoder, which reads past the end of a view into whatever its buffer holds next (Node hands out
 * views into pooled buffers) and returns `undefined` for a missing byte.
 */

/** Whether a value travels as bytes: an ArrayBuffer or any view on one (Buffer, typed array, DataView). */
export function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/** The bytes of a binary value, as a view on the same memory (nothing is copied). */
export function bytesOf(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** Lone surrogates have no UTF-8 form: TextEncoder would silently turn them into U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Whether a string survives a UTF-8 round trip unchanged. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

const textEncoder = new TextEncoder();
// fatal: invalid UTF-8 is an error, not U+FFFD; ignoreBOM: a leading U+FEFF is text, not a mark.
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Collects a frame's pieces, then joins them into one exactly sized buffer. */
export class ByteWriter {
  private readonly parts: Uint8Array[] = [];
  private pending: number[] = [];
  private length = 0;

  byte(value: number): void {
    this.pending.push(value & 0xff);
    this.length += 1;
  }

  /** An unsigned LEB128 integer; `value` must be a safe non-negative integer. */
  varUint(value: number): void {
    let rest = value;
    while (rest > 0x7f) {
      this.byte(0x80 | (rest % 0x80));
      rest = Math.floor(rest / 0x80);
    }
    this.byte(rest);
  }

  /** varUint(length) followed by the bytes. */
  varBytes(bytes: Uint8Array): void {
    this.varUint(bytes.length);
    this.flush();
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  /** The UTF-8 of a well-formed string, as varBytes. */
  varString(text: string): void {
    this.varBytes(textEncoder.encode(text));
  }

  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.parts.push(Uint8Array.from(this.pending));
    this.pending = [];
  }
}

/** A varUint longer than this cannot hold a safe integer without padding; refuse it early. */
const MAX_VARUINT_BYTES = 8;

/**
 * Reads a frame front to back. Every method throws an Error naming `what` it was reading when the
 * bytes run out or are invalid; nothing is ever read beyond the view it was given.
 */
export class ByteReader {
  private readonly bytes: Uint8Array;
  private readonly describe: (problem: string) => string;
  private at = 0;

  /** `describe` turns a problem into the sentence the thrown Error carries. */
  constructor(bytes: Uint8Array, describe: (problem: string) => string) {
    this.bytes = bytes;
    this.describe = describe;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.bytes.length - this.at;
  }

  byte(what: string): number {
    if (this.at >= this.bytes.length) throw this.fail(`it ends before ${what}`);
    return this.bytes[this.at++]!;
  }

  /** An unsigned LEB128 integer of at most 8 bytes whose value is a safe integer. */
  varUint(what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARUINT_BYTES; i++) {
      const next = this.byte(what);
      value += (next & 0x7f) * scale;
      if (value > Number.MAX_SAFE_INTEGER) throw this.fail(`${what} is larger than 2^53 - 1`);
      if (next < 0x80) return value;
      scale *= 0x80;
    }
    throw this.fail(`${what} is longer than ${MAX_VARUINT_BYTES} bytes`);
  }

  /** varUint(length) then that many bytes, as a view on the frame (not a copy). */
  varBytes(what: string): Uint8Array {
    const length = this.varUint(`the length of ${what}`);
    if (length > this.remaining) throw this.fail(`${what} claims ${length} bytes but only ${this.remaining} remain`);
    const view = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return view;
  }

  /** varBytes holding valid UTF-8. */
  varString(what: string): string {
    const bytes = this.varBytes(what);
    try {
      return textDecoder.decode(bytes);
    } catch {
      throw this.fail(`${what} is not valid UTF-8`);
    }
  }

  fail(problem: string): Error {
    return new Error(this.describe(problem));
  }
}
