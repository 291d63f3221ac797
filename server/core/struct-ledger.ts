/**
 * The Yjs structs every loaded document holds, together: the server-wide memory budget. Each
 * room reports what it holds; a change that would take the total past the limit is refused
 * (`busy`), so that no number of documents, however they were made, can exhaust the heap.
 */
export class StructLedger {
  private held = 0;
  constructor(readonly limit: number) {}

  get total(): number {
    return this.held;
  }

  /** Whether `more` structs fit now. */
  fits(more: number): boolean {
    return this.held + more <= this.limit;
  }

  /** A room's count went from `before` to `after`. */
  adjust(before: number, after: number): void {
    this.held += after - before;
  }
}
