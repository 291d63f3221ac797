/** A small typed event emitter that works in Node and the browser. */
export type Listener<Args extends unknown[]> = (...args: Args) => void;

// Listeners of all events share one map; each is stored as a function of unknown arguments and
// only ever called with the arguments of its own event, which `on` and `emit` tie together.
type AnyListener = (...args: unknown[]) => void;

export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  /**
   * Each event's listeners, in the order they were added. A list is never changed once made: `on`
   * and `off` put a new one in its place, so `emit` walks the list as it was when the event was
   * emitted without copying it (an event is emitted per message received; listeners change rarely).
   */
  private readonly listeners = new Map<keyof Events, readonly AnyListener[]>();

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    const list = this.listeners.get(event) ?? [];
    const added = listener as unknown as AnyListener;
    if (!list.includes(added)) this.listeners.set(event, [...list, added]);
    return this;
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    const list = this.listeners.get(event);
    if (list === undefined) return this;
    const left = list.filter((each) => each !== (listener as unknown as AnyListener));
    if (left.length === 0) this.listeners.delete(event);
    else this.listeners.set(event, left);
    return this;
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const list = this.listeners.get(event);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) list[i]!(...args);
  }

  /** Calls `visit` with every listener and its event, in the order they were added per event. */
  protected forEachListener(visit: <K extends keyof Events>(event: K, listener: Listener<Events[K]>) => void): void {
    for (const [event, list] of this.listeners) for (const listener of list) visit(event, listener as unknown as Listener<Events[typeof event]>);
  }

  protected removeAllListeners(): void {
    this.listeners.clear();
  }
}
