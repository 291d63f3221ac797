/**
 * What differs between a version and the document now, for the history panel's preview: blocks
 * matched by their type and text (a longest common subsequence), and within a block that changed,
 * the words. Seen from the version: `inserted` is in the version and not in the document now
 * (restoring brings it back), `deleted` is in the document now and not in the version (restoring
 * removes it). Pure: no DOM, no ProseMirror.
 */

/** A top-level block as the diff sees it. */
export interface DiffBlock<T> {
  /** Type and attributes that matter (a heading's level), e.g. `heading:2`. */
  readonly kind: string;
  readonly text: string;
  /** What the caller renders an unchanged or whole inserted/deleted block from. */
  readonly source: T;
}

export type BlockChange<T> =
  | { readonly op: 'same'; readonly block: DiffBlock<T> }
  | { readonly op: 'inserted'; readonly block: DiffBlock<T> }
  | { readonly op: 'deleted'; readonly block: DiffBlock<T> }
  /** The same place in both, with other words: the block in each, and its words marked. */
  | { readonly op: 'changed'; readonly version: DiffBlock<T>; readonly current: DiffBlock<T>; readonly words: readonly WordChange[] };

export interface WordChange {
  readonly op: 'same' | 'inserted' | 'deleted';
  readonly text: string;
}

/** Above this many cells a comparison is not worth its time: whole blocks are marked instead. */
const MAX_CELLS = 4_000_000;

/** Pairs of indexes of a longest common subsequence of `a` and `b` under `equal`. */
function commonSubsequence<A, B>(a: readonly A[], b: readonly B[], equal: (x: A, y: B) => boolean): Array<[number, number]> {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const lengths = new Uint32Array(rows * cols);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * cols + j] = equal(a[i] as A, b[j] as B) ? (lengths[(i + 1) * cols + j + 1] ?? 0) + 1 : Math.max(lengths[(i + 1) * cols + j] ?? 0, lengths[i * cols + j + 1] ?? 0);
    }
  }
  const pairs: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (equal(a[i] as A, b[j] as B)) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if ((lengths[(i + 1) * cols + j] ?? 0) >= (lengths[i * cols + j + 1] ?? 0)) i++;
    else j++;
  }
  return pairs;
}

/** The words of `version` against `current`, marked. */
export function diffWords(version: string, current: string): WordChange[] {
  const a = version.split(/(\s+)/).filter((token) => token !== '');
  const b = current.split(/(\s+)/).filter((token) => token !== '');
  if (a.length * b.length > MAX_CELLS) {
    return [
      ...(current === '' ? [] : [{ op: 'deleted' as const, text: current }]),
      ...(version === '' ? [] : [{ op: 'inserted' as const, text: version }]),
    ];
  }
  const changes: WordChange[] = [];
  const push = (op: WordChange['op'], text: string): void => {
    const last = changes[changes.length - 1];
    if (last !== undefined && last.op === op) changes[changes.length - 1] = { op, text: last.text + text };
    else changes.push({ op, text });
  };
  let i = 0;
  let j = 0;
  for (const [pi, pj] of [...commonSubsequence(a, b, (x, y) => x === y), [a.length, b.length] as [number, number]]) {
    while (j < pj) push('deleted', b[j++] as string);
    while (i < pi) push('inserted', a[i++] as string);
    if (pi < a.length) push('same', a[pi] as string);
    i = pi + 1;
    j = pj + 1;
  }
  return changes;
}

/** The blocks of a version against the blocks of the document now, in the version's order. */
export function diffBlocks<T>(version: readonly DiffBlock<T>[], current: readonly DiffBlock<T>[]): BlockChange<T>[] {
  const pairs =
    version.length * current.length > MAX_CELLS ? [] : commonSubsequence(version, current, (x, y) => x.kind === y.kind && x.text === y.text);
  const changes: BlockChange<T>[] = [];
  let i = 0;
  let j = 0;
  for (const [pi, pj] of [...pairs, [version.length, current.length] as [number, number]]) {
    // Between two matches: blocks of the same kind side by side changed; the rest came or went.
    const gone = current.slice(j, pj);
    const come = version.slice(i, pi);
    while (gone.length > 0 || come.length > 0) {
      const before = gone[0];
      const after = come[0];
      if (before !== undefined && after !== undefined && before.kind === after.kind) {
        changes.push({ op: 'changed', version: after, current: before, words: diffWords(after.text, before.text) });
        gone.shift();
        come.shift();
      } else if (before !== undefined && (after === undefined || !come.some((block) => block.kind === before.kind))) {
        changes.push({ op: 'deleted', block: before });
        gone.shift();
      } else if (after !== undefined) {
        changes.push({ op: 'inserted', block: after });
        come.shift();
      } else if (before !== undefined) {
        changes.push({ op: 'deleted', block: before });
        gone.shift();
      }
    }
    const same = version[pi];
    if (same !== undefined) changes.push({ op: 'same', block: same });
    i = pi + 1;
    j = pj + 1;
  }
  return changes;
}
