/**
 * Roving tabindex (WAI-ARIA Authoring Practices): a group of controls is one Tab stop; the arrow
 * keys move between them, Home and End go to the ends. The control that last had focus keeps the
 * Tab stop, and when it is hidden or disabled the first available one takes it over.
 */

export type Orientation = 'horizontal' | 'vertical';

/** A control can hold the Tab stop unless it is disabled or inside something `hidden`. */
function isAvailable(element: HTMLElement): boolean {
  return !(element as HTMLButtonElement).disabled && element.closest('[hidden]') === null;
}

export class RovingFocus {
  private current: HTMLElement | null = null;

  /**
   * `candidates` lists the controls in order (it is asked again on every key and refresh, so the
   * group may change); arrow keys of `orientation` move between the available ones.
   */
  constructor(
    root: HTMLElement,
    private readonly candidates: () => readonly HTMLElement[],
    private readonly orientation: Orientation = 'horizontal',
  ) {
    root.addEventListener('keydown', this.onKeyDown);
    root.addEventListener('focusin', (event) => {
      const target = event.target;
      if (target instanceof HTMLElement && this.candidates().includes(target)) {
        this.current = target;
        this.refresh();
      }
    });
  }

  /** Puts the Tab stop on the current control, or on the first available one. Call after changes. */
  refresh(): void {
    const all = this.candidates();
    const available = all.filter(isAvailable);
    if (this.current === null || !available.includes(this.current)) this.current = available[0] ?? null;
    for (const element of all) {
      const tabIndex = element === this.current ? 0 : -1;
      if (element.tabIndex !== tabIndex) element.tabIndex = tabIndex;
    }
  }

  /** Moves focus to the control holding the Tab stop. */
  focus(): void {
    this.refresh();
    this.current?.focus();
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const [back, forward] = this.orientation === 'horizontal' ? ['ArrowLeft', 'ArrowRight'] : ['ArrowUp', 'ArrowDown'];
    const available = this.candidates().filter(isAvailable);
    if (available.length === 0 || !(event.target instanceof HTMLElement) || !available.includes(event.target)) return;
    const index = available.indexOf(event.target);
    let next: HTMLElement | undefined;
    if (event.key === forward) next = available[(index + 1) % available.length];
    else if (event.key === back) next = available[(index - 1 + available.length) % available.length];
    else if (event.key === 'Home') next = available[0];
    else if (event.key === 'End') next = available[available.length - 1];
    if (next === undefined) return;
    event.preventDefault();
    this.current = next;
    this.refresh();
    next.focus();
  };
}
