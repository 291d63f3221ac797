/**
 * Runs a randomised test body so that a failure names its seed: the error message is prefixed
 * with `SEED=n` and the replay command is printed, so `SEED=n node --import tsx --test …`
 * repeats the same sequence of operations.
 */
export async function withSeed<T>(seed: number, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    console.error(`Failed with SEED=${seed}; replay with SEED=${seed} node --import tsx --test <this file>`);
    if (error instanceof Error) error.message = `[SEED=${seed}] ${error.message}`;
    throw error;
  }
}
