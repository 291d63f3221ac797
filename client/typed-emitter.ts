/** A small typed event emitter that works in Node and the browser. */
export type Listener<Args extends unknown[]> = (...args: Args) => void;

// Listeners of all events share one map; each is stored as a function of unknown arguments and
// only ever called with the arguments of its own event, which `on` and `emit` tie together.
type AnyListener = (...args: unknown[]) => void;

export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly listeners = new Map<keyof Events, Set<AnyListener>>();

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(listener as unknown as AnyListener);
    return this;
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    this.listeners.get(event)?.delete(listener as unknown as AnyListener);
    return this;
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) listener(...args);
  }

  protected removeAllListeners(): void {
    this.listeners.clear();
  }
}
