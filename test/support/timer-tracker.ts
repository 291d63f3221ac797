/**
 * Finds timers that would keep the process from exiting: tracks every timer created while it is
 * enabled (through async_hooks' public init/destroy events) and reports those still pending and
 * ref'd, with the stack that created each, so a leak names its source. `unrefPending()` lets a
 * test that found a leak report it instead of hanging the test process. The tracker's own polling
 * timers are never reported.
 */
import { createHook, type AsyncHook } from 'node:async_hooks';

interface Tracked {
  readonly timer: NodeJS.Timeout;
  readonly stack: string;
}

export class TimerTracker {
  private readonly live = new Map<number, Tracked>();
  private readonly own = new Set<number>();
  private readonly hook: AsyncHook;

  constructor() {
    this.hook = createHook({
      init: (asyncId, type, _trigger, resource) => {
        // For type 'Timeout' the resource is the Timeout object setTimeout/setInterval returned.
        if (type === 'Timeout') this.live.set(asyncId, { timer: resource as NodeJS.Timeout, stack: creationStack() });
      },
      destroy: (asyncId) => {
        this.live.delete(asyncId);
      },
    });
  }

  enable(): this {
    this.hook.enable();
    return this;
  }

  disable(): void {
    this.hook.disable();
  }

  /** Creation stacks of tracked timers that are still pending and keep the process alive. */
  pending(): string[] {
    const stacks: string[] = [];
    for (const [asyncId, { timer, stack }] of this.live) if (!this.own.has(asyncId) && timer.hasRef()) stacks.push(stack);
    return stacks;
  }

  /** Resolves once no tracked timer is pending; returns the creation stacks of those left after `timeoutMs`. */
  async settle(timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending().length > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const poll = setTimeout(resolve, 25);
        // A Timeout converts to its async id, which is how the hook above knows it.
        this.own.add(Number(poll));
      });
    }
    return this.pending();
  }

  /**
   * Waits up to `timeoutMs` for every tracked timer to finish; otherwise unrefs them (so the test
   * process can still exit) and throws an error listing where each was created.
   */
  async assertSettled(what: string, timeoutMs = 8000): Promise<void> {
    const left = await this.settle(timeoutMs);
    if (left.length === 0) return;
    this.unrefPending();
    throw new Error(`${left.length} timer(s) still pending ${what}, created:\n${left.join('\n  ---\n')}`);
  }

  /** Lets the process exit despite the pending tracked timers (they still fire if it runs on). */
  unrefPending(): void {
    for (const { timer } of this.live.values()) timer.unref();
  }
}

function creationStack(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  // Keep the callers' frames only (not Node's timer internals nor this file), without the "at "
  // prefix so that test reporters print them as part of the message.
  return lines
    .filter((line) => !/node:internal\/|node:timers|timer-tracker\.ts/.test(line))
    .slice(0, 8)
    .map((line) => `  from ${line.trim().replace(/^at /, '')}`)
    .join('\n');
}
