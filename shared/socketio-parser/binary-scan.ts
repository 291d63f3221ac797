/**
 * Whether a value holds binary data somewhere inside it. The single-frame format carries binary
 * only as a top-level argument; an argument with binary nested in it must go through Socket.IO's
 * default encoding, which replaces nested binary with placeholders. Sending such an argument as
 * JSON would silently turn its bytes into `{"0":1,"1":2,…}`, so whenever the scan cannot be sure
 * (too deep, too large, a cycle, a Blob it cannot read synchronously) it answers `unsure` and the
 * caller falls back to the default encoding, which is always correct.
 */
import { isBinary } from './bytes.js';

export type BinaryScan = 'none' | 'binary' | 'unsure';

/** Deeper than this, stop looking: the default encoder handles any depth it can recurse into. */
export const MAX_SCAN_DEPTH = 32;
/** More values than this, stop looking: a scan must stay cheap next to the encoding itself. */
export const MAX_SCAN_VALUES = 10_000;

function isBlob(value: object): boolean {
  return typeof Blob !== 'undefined' && value instanceof Blob;
}

/**
 * Looks through arrays and plain objects (and what `toJSON` returns, as JSON.stringify and the
 * default encoder both do) without recursion. Guarantees: answers `none` only if no binary value
 * (ArrayBuffer, view, Blob) is reachable the way JSON.stringify walks the value; visits at most
 * MAX_SCAN_VALUES values and never goes deeper than MAX_SCAN_DEPTH.
 */
export function scanForBinary(root: unknown): BinaryScan {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  let visited = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (isBinary(value) || isBlob(value)) return 'binary';
    if (++visited > MAX_SCAN_VALUES || depth >= MAX_SCAN_DEPTH) return 'unsure';
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      // JSON.stringify replaces the value by what toJSON returns, and does not call toJSON again on that.
      let replaced: unknown;
      try {
        replaced = toJSON.call(value);
      } catch {
        return 'unsure';
      }
      if (typeof replaced === 'object' && replaced !== null) {
        if (isBinary(replaced) || isBlob(replaced)) return 'binary';
        for (const inner of Object.values(replaced)) stack.push({ value: inner, depth: depth + 1 });
      }
      continue;
    }
    for (const inner of Object.values(value)) stack.push({ value: inner, depth: depth + 1 });
  }
  return 'none';
}
