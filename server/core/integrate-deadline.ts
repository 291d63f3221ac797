/**
 * A time limit on integrating a client's change. Yjs places each new item by scanning the items
 * between its origin and its right origin that may be concurrent with it, and a crafted change can
 * make every one of its items scan most of a long list: 10,000 one-character items with chosen
 * origins inside a paragraph (160 KB, within every per-change cap) kept the event loop busy for
 * 17 s. The scan is inside Yjs, so it cannot be priced before applying without redoing Yjs's work;
 * instead every item's integration checks a deadline, and a change still integrating when its
 * time is up (wall time and the process's CPU time both) throws from inside `Y.applyUpdate`. The
 * room then treats it like any change Yjs throws on: nothing of it is relayed or stored, the
 * room is rebuilt from storage, and its sender is refused `change-not-applied` (ChangeBrokeRoom,
 * room.ts), and its network is charged for it (network-hold-offs.ts).
 *
 * The check wraps `Y.Item.prototype.integrate` and the `deleted` getter of items once per process
 * (the cleanups Yjs runs after a change loop over items outside `integrate`). Outside
 * `withIntegrateDeadline` the deadline is infinite, so loads, compactions and changes from other
 * nodes are never cut.
 */
import * as Y from 'yjs';

/** Thrown from inside Yjs when a change's integration outlives its deadline. */
export class IntegrateDeadlineError extends Error {
  constructor(readonly limitMs: number) {
    super(`Integrating the change took longer than ${limitMs} ms.`);
    this.name = 'IntegrateDeadlineError';
  }
}

let deadline = Number.POSITIVE_INFINITY;
/** The same limit in this process's CPU time (user + system, µs, as `process.cpuUsage`). */
let cpuDeadline = Number.POSITIVE_INFINITY;
let limit = 0;
/** Set when a hook threw for the deadline; Yjs's own `finally` blocks may throw other errors after. */
let tripped = false;
/** When the CPU clock was last read past the wall deadline (reading it is a system call). */
let cpuReadAt = 0;

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/**
 * How long a reading of the CPU clock serves as the start of later deadlines. Reading it is a
 * system call that sums up every thread of the process, about a tenth of the server's time on a
 * keystroke; a change typed every few milliseconds reuses the last reading instead. Whatever CPU
 * the process used since that reading (at most this long on each of its busy threads: the event
 * loop, the conversion worker, V8's collector) then counts towards the change's limit, so its CPU
 * deadline may come that much early. The wall deadline is exact, and both must pass: a change is
 * never cut off before its whole limit of wall time (at least 200 ms, ten times what honest
 * changes take), and a cached reading can only bring the cut earlier, never later.
 */
export const CPU_READING_REUSE_MS = 50;
let cpuReading = { at: Number.NEGATIVE_INFINITY, micros: 0 };

/** The CPU clock at the start of a deadline: the last reading when it is recent enough. */
function cpuAtStart(now: number): number {
  if (now - cpuReading.at > CPU_READING_REUSE_MS) cpuReading = { at: now, micros: cpuMicros() };
  return cpuReading.micros;
}

/**
 * A change is past its deadline once both its wall time and this process's CPU time since it
 * started are over the limit. Wall time alone would cut off an honest change on a machine busy
 * with other work (the change waits for a CPU, and the refusal is final); CPU time alone counts
 * other threads of the process too (storage, conversions). Past the wall deadline the CPU clock
 * is read at most once a millisecond.
 */
function pastDeadline(): boolean {
  const now = performance.now();
  if (now <= deadline) return false;
  if (now - cpuReadAt < 1) return false;
  cpuReadAt = now;
  if (cpuMicros() <= cpuDeadline) return false;
  tripped = true;
  return true;
}

const integrateItem = Y.Item.prototype.integrate;
Y.Item.prototype.integrate = function integrateBeforeDeadline(this: Y.Item, transaction: Y.Transaction, offset: number): void {
  if (deadline !== Number.POSITIVE_INFINITY && pastDeadline()) throw new IntegrateDeadlineError(limit);
  integrateItem.call(this, transaction, offset);
};

// Yjs's own cleanups after a change (merging runs of values, formatting cleanup of a text,
// splitting items for deletions) walk items in loops of their own, outside `integrate`; nearly
// every such loop reads an item's `deleted` flag. Reading it counts a step, and every 1,024th
// step looks at the clock.
const deletedFlag = Object.getOwnPropertyDescriptor(Y.Item.prototype, 'deleted');
if (deletedFlag?.get === undefined) throw new Error('Yjs items no longer have a `deleted` getter; integrate-deadline.ts needs a new hook.');
const readDeleted = deletedFlag.get;
let steps = 0;
Object.defineProperty(Y.Item.prototype, 'deleted', {
  ...deletedFlag,
  get(this: Y.Item): boolean {
    if (deadline !== Number.POSITIVE_INFINITY && (++steps & 1023) === 0 && pastDeadline()) throw new IntegrateDeadlineError(limit);
    return readDeleted.call(this) as boolean;
  },
});

/**
 * Runs `apply` with item integration limited to `limitMs` from now, of wall time and of this
 * process's CPU time both (never past an enclosing deadline; the CPU time counted from a reading
 * at most CPU_READING_REUSE_MS old). Throws IntegrateDeadlineError when the deadline cut it off,
 * whatever error Yjs's cleanup threw last.
 */
export function withIntegrateDeadline<T>(limitMs: number, apply: () => T): T {
  const outer = { deadline, cpuDeadline, limit, tripped, cpuReadAt };
  const now = performance.now();
  deadline = Math.min(outer.deadline, now + limitMs);
  cpuDeadline = Math.min(outer.cpuDeadline, cpuAtStart(now) + limitMs * 1000);
  limit = deadline === outer.deadline ? outer.limit : limitMs;
  tripped = false;
  cpuReadAt = 0;
  try {
    return apply();
  } catch (error) {
    if (tripped) throw new IntegrateDeadlineError(limit);
    throw error;
  } finally {
    deadline = outer.deadline;
    cpuDeadline = outer.cpuDeadline;
    limit = outer.limit;
    tripped = outer.tripped || tripped;
    cpuReadAt = outer.cpuReadAt;
  }
}

/**
 * How long a change of `cost` structs and deletions may take to integrate. Honest changes take
 * about 3 µs per struct (a paste of 6,000 paragraphs, 18,000 structs: 50 ms). A pause to collect
 * garbage counts too, and a change cut off is refused for good: it allows 200 ms plus 40 µs per
 * struct (1 s for the largest change a client may send), over ten times what honest changes need.
 * (A machine busy with other processes does not count: see pastDeadline.)
 */
export function integrateLimitMs(cost: number): number {
  return 200 + cost / 25;
}
