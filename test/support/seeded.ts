/**
 * Seeded randomness for randomised tests: the seed comes from SEED or is drawn at random, a
 * failure names it, and `SEED=n npm test -- <file>` replays the same sequence of operations.
 */
import path from 'node:path';

/** A function returning numbers in [0, 1), the same sequence for the same seed. */
export type Rng = () => number;

/** The seed of this run: SEED when it is set, else a random one. */
export function testSeed(): number {
  const fromEnv = process.env['SEED'];
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return Number(fromEnv);
  return Math.floor(Math.random() * 2 ** 31);
}

/** mulberry32: small, seedable, good enough to pick test operations. */
export function prng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number in [0, below). */
export function int(rng: Rng, below: number): number {
  return Math.floor(rng() * below);
}

/** One of `items`, which must not be empty. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick() needs at least one item to choose from.');
  return items[int(rng, items.length)]!;
}

/**
 * Runs a randomised test body with this run's seed (or `seed`). When it fails, the error message
 * starts with `[SEED=n]` and the command that replays it is printed.
 */
export async function withSeed<T>(body: (seed: number, rng: Rng) => Promise<T>, seed = testSeed()): Promise<T> {
  try {
    return await body(seed, prng(seed));
  } catch (error) {
    const file = process.argv[1] === undefined ? '<test file>' : path.basename(process.argv[1]);
    console.error(`Failed with SEED=${seed}; replay with: SEED=${seed} npm test -- ${file}`);
    if (error instanceof Error) error.message = `[SEED=${seed}] ${error.message}`;
    throw error;
  }
}
