/**
 * What of a provider's local document the server is known to hold durably. Local changes get
 * sequence numbers; a change leaves the ledger when the server acknowledges it (or a step 2 that
 * covers it), or for good when the server refuses it. "Saved" then still needs a verification:
 * the server confirms that it durably holds everything in the local document (state vector AND
 * delete set), which also covers what came from elsewhere (an IndexedDB copy, other people's
 * changes the server relayed before storing them). A state vector alone cannot show a deletion.
 */
import type { QuireErrorPayload } from '../shared/errors.js';

export type EntryKind = 'update' | 'step2';

interface Entry {
  readonly kind: EntryKind;
  /** For updates: the change itself, resent after a pause. */
  readonly update: Uint8Array | null;
}

interface SaveWaiter {
  readonly upTo: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class SaveLedger {
  private nextSeq = 1;
  private readonly entries = new Map<number, Entry>();
  /** Every change up to this sequence number was verified as held by the server. */
  private verifiedUpTo = 0;
  /** Content arrived from elsewhere (an offline copy) since the last verification. */
  private foreignSinceVerify = false;
  /** How many times content arrived from elsewhere: a verification covers those before its mark. */
  private foreignNotes = 0;
  /**
   * Live updates the server acknowledged beyond `verifiedUpTo`. An acknowledgement says the server
   * durably holds what Yjs integrated of that update, its deletions and whatever Yjs derived from it
   * included; so a run of them right after what was verified extends what is known held, and
   * steady typing stays saved without a verification landing between two keystrokes. A step 2,
   * content from elsewhere or a refused change breaks the run: then only a verification tells.
   */
  private readonly acknowledgedLive = new Set<number>();
  private refusedUpTo = 0;
  private refusal: QuireErrorPayload | null = null;
  private waiters: SaveWaiter[] = [];

  /** The sequence number the next change will get, less one: everything made so far. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Entries waiting for an ack or a refusal: changes and step 2s. */
  get outstanding(): number {
    return this.entries.size;
  }

  /** Local changes the server has not acknowledged yet. */
  get unacknowledged(): number {
    let count = 0;
    for (const entry of this.entries.values()) if (entry.kind === 'update') count++;
    return count;
  }

  /** Whether the server is known to hold everything in the local document, durably. */
  get saved(): boolean {
    return this.entries.size === 0 && this.verifiedUpTo >= this.lastSeq && !this.foreignSinceVerify;
  }

  /** Whether a verification would tell something new (nothing is in flight, something is unverified). */
  get wantsVerification(): boolean {
    return this.entries.size === 0 && (this.verifiedUpTo < this.lastSeq || this.foreignSinceVerify);
  }

  /** Records a local change; returns its sequence number. */
  add(kind: EntryKind, update: Uint8Array | null): number {
    const seq = this.nextSeq++;
    this.entries.set(seq, { kind, update });
    return seq;
  }

  /** The updates still unacknowledged, with their sequence numbers (for a resend). */
  pendingUpdates(): Array<[number, Uint8Array]> {
    const pending: Array<[number, Uint8Array]> = [];
    for (const [seq, entry] of this.entries) if (entry.kind === 'update' && entry.update !== null) pending.push([seq, entry.update]);
    return pending;
  }

  update(seq: number): Uint8Array | null {
    return this.entries.get(seq)?.update ?? null;
  }

  /**
   * Content came into the document that the server has not confirmed as durable: from elsewhere
   * (an offline copy), or from the server's step 2 when the page sent none (see DocProvider.sendStep2).
   */
  noteForeign(): void {
    this.foreignSinceVerify = true;
    this.foreignNotes++;
  }

  /** What a verification asked now covers: the changes up to `seq`, and the foreign content noted so far. */
  verificationMark(): { readonly seq: number; readonly foreignNotes: number } {
    return { seq: this.lastSeq, foreignNotes: this.foreignNotes };
  }

  /** The server acknowledged these live updates: each is durable, with everything it caused. */
  acknowledge(seqs: readonly number[]): void {
    for (const seq of seqs) {
      if (this.entries.get(seq)?.kind === 'update') this.acknowledgedLive.add(seq);
      this.entries.delete(seq);
    }
    this.extendVerified();
    this.settle();
  }

  /** A step 2 was saved: everything in the document when it was encoded is durable. */
  acknowledgeUpTo(seq: number): void {
    for (const other of [...this.entries.keys()]) if (other <= seq) this.entries.delete(other);
    this.settle();
  }

  /** Drops entries for good (refused, or view-only): their waiters learn why. */
  refuse(seqs: readonly number[], error: QuireErrorPayload | null): void {
    for (const seq of seqs) this.entries.delete(seq);
    if (error !== null && seqs.length > 0) {
      this.refusedUpTo = Math.max(this.refusedUpTo, ...seqs);
      this.refusal = error;
    }
    this.settle();
  }

  /** Forgets every unacknowledged update (the page became view-only); they count as saved. */
  dropUpdates(): void {
    for (const [seq, entry] of [...this.entries]) if (entry.kind === 'update') this.entries.delete(seq);
    this.verifiedUpTo = this.lastSeq;
    this.foreignSinceVerify = false;
    this.acknowledgedLive.clear();
    this.settle();
  }

  /** A step 2 that failed: earlier changes stay for the next handshake. */
  forgetStep2(seq: number): void {
    for (const [other, entry] of [...this.entries]) if (entry.kind === 'step2' && other <= seq) this.entries.delete(other);
    this.settle();
  }

  /** The server confirmed it holds everything the mark (taken when asking) covers. */
  verified(mark: { readonly seq: number; readonly foreignNotes: number }): void {
    this.verifiedUpTo = Math.max(this.verifiedUpTo, mark.seq);
    // Content from elsewhere that arrived while the answer was on its way is not covered.
    if (mark.foreignNotes === this.foreignNotes) this.foreignSinceVerify = false;
    this.extendVerified();
    this.settle();
  }

  /** Moves `verifiedUpTo` over the acknowledged live updates that follow it without a gap. */
  private extendVerified(): void {
    for (const seq of this.acknowledgedLive) if (seq <= this.verifiedUpTo) this.acknowledgedLive.delete(seq);
    while (this.acknowledgedLive.delete(this.verifiedUpTo + 1)) this.verifiedUpTo++;
  }

  /** Resolves once everything made so far is saved; rejects if the server refused part of it. */
  whenSaved(): Promise<void> {
    const upTo = this.lastSeq;
    return new Promise((resolve, reject) => {
      this.waiters.push({ upTo, resolve, reject });
      this.settle();
    });
  }

  rejectAll(error: Error): void {
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters = [];
  }

  private settle(): void {
    if (this.waiters.length === 0) return;
    let lowest = Infinity;
    for (const seq of this.entries.keys()) lowest = Math.min(lowest, seq);
    const still: SaveWaiter[] = [];
    for (const waiter of this.waiters) {
      if (lowest <= waiter.upTo) still.push(waiter);
      else if (this.refusal !== null && this.refusedUpTo > 0 && this.refusedUpTo <= waiter.upTo) {
        waiter.reject(new Error(`The server refused a change: ${this.refusal.message} (${this.refusal.code})`));
      } else if (this.verifiedUpTo < waiter.upTo || this.foreignSinceVerify) still.push(waiter);
      else waiter.resolve();
    }
    this.waiters = still;
  }
}
