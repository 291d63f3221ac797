/**
 * A fix to Yjs's undo manager for the browser bundle (build-client.mjs applies it as an esbuild
 * plugin; node_modules stays as installed, and the server never runs an undo manager).
 *
 * When Yjs redoes (or undoes a deletion of) an item of a list, it names as origin the copy it made
 * of the item's old left neighbour and as right origin the item itself or the copy of its old
 * right neighbour. After nested undo and redo those two need not stand in that order, nor be two
 * items: the right origin can stand left of the origin, or be the origin. An item whose right
 * origin cannot be reached by going right from its origin is placed by Yjs according to the order
 * in which a document integrates what it holds, so the server, its readers and a reload can read
 * the list differently (an open Yjs issue), and the server's check refuses honest typing next to
 * it. The fix: when the right origin is not among the next `MAX_STEPS` items right of the origin,
 * the redone item takes the origin's right neighbour as right origin, which is always a place an
 * item can be typed at.
 */

const ANCHOR = '  const nextClock = getState(store, ownClientID);\n  const nextId = createID(ownClientID, nextClock);\n  const redoneItem = new Item(';

const FIX = `  // Quire (scripts/yjs-redo-fix.mjs): a right origin the origin cannot reach is replaced.
  if (item.parentSub === null && left !== null && right !== null) {
    let reached = left.right;
    for (let steps = 0; reached !== null && reached !== right && steps < 10000; steps++) reached = reached.right;
    if (reached !== right) right = left.right;
  }
`;

/** The Yjs source with the fix, or an error when the source is not the one it was written for. */
export function fixRedo(source) {
  const at = source.indexOf(ANCHOR);
  if (at === -1 || source.indexOf(ANCHOR, at + 1) !== -1) {
    throw new Error('yjs-redo-fix: the Yjs source has changed (its redoItem is not where the fix expects it); look at the fix again.');
  }
  return source.slice(0, at) + FIX + source.slice(at);
}

/**
 * An esbuild plugin applying fixRedo to Yjs's ES module build, and how many times it was applied:
 * the caller checks that, so that a bundle taking Yjs from elsewhere fails the build instead of
 * silently missing the fix.
 */
export function yjsRedoFix() {
  let applied = 0;
  const plugin = {
    name: 'yjs-redo-fix',
    setup(build) {
      build.onLoad({ filter: /[\\/]node_modules[\\/]yjs[\\/]dist[\\/]yjs\.mjs$/ }, async (args) => {
        const { readFile } = await import('node:fs/promises');
        applied++;
        return { contents: fixRedo(await readFile(args.path, 'utf8')), loader: 'js' };
      });
    },
  };
  return { plugin, applied: () => applied };
}
