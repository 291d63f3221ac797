/**
 * Who may write under which Yjs client id. A client id belongs to the session that introduced it
 * (wrote its first struct, clock 0) in a document; a change under an id another session owns is
 * refused, so that nobody can write at someone else's next clock and make that person's own
 * (offline) work at those clocks disappear as a duplicate.
 *
 * Ownership is kept in memory, per document, beyond the life of its room (bounded: the least
 * recently used documents are forgotten first). An id nobody owns here (the server restarted, the
 * document was written by another node) can still be written, but not claimed: only introducing an
 * id claims it.
 */
const MAX_DOCUMENTS = 10_000;
const MAX_IDS_PER_DOCUMENT = 4_096;

export class ClientIdOwners {
  /** Document → (client id → session key). Map order is recency of use. */
  private readonly byDoc = new Map<string, Map<number, string>>();

  /** The session owning `clientId` in `docName`, if any. */
  owner(docName: string, clientId: number): string | undefined {
    return this.touch(docName)?.get(clientId);
  }

  /** Records that `session` introduced `clientId` in `docName`. */
  claim(docName: string, clientId: number, session: string): void {
    let owners = this.touch(docName);
    if (owners === undefined) {
      owners = new Map();
      this.byDoc.set(docName, owners);
      if (this.byDoc.size > MAX_DOCUMENTS) this.byDoc.delete(this.byDoc.keys().next().value!);
    }
    owners.set(clientId, session);
    if (owners.size > MAX_IDS_PER_DOCUMENT) owners.delete(owners.keys().next().value!);
  }

  /** Forgets a document (it was deleted). */
  forget(docName: string): void {
    this.byDoc.delete(docName);
  }

  private touch(docName: string): Map<number, string> | undefined {
    const owners = this.byDoc.get(docName);
    if (owners !== undefined) {
      this.byDoc.delete(docName);
      this.byDoc.set(docName, owners);
    }
    return owners;
  }
}
