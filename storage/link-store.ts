/**
 * Links: every capability to a document is a link, a random token (at least 128 bits) that the
 * server hands out once. The store never sees a token: it keeps only the token's SHA-256 (64
 * lowercase hex digits, computed by the caller) beside the link's role, label and times. A revoked
 * link stays stored with `revokedAt` set, so "revoked" and "never existed" can be told apart.
 *
 * Documents made before links are opened by their id, which is an edit link until revoked. The
 * server records that link, when it needs a record of it (to revoke it), as a link with
 * `legacy: true` whose token is the document id itself, so its `tokenHash` is SHA-256(document
 * id): revoking the id is `createLink({ …, legacy: true, revokedAt: now })`, or `revokeLink` of the
 * record when `findLink(sha256(id))` already finds one. Because token hashes are unique, a
 * document has at most one legacy link.
 */

export type LinkRole = 'owner' | 'edit' | 'view';

/** Every role, in order of power. */
export const LINK_ROLES: readonly LinkRole[] = ['owner', 'edit', 'view'];

export interface LinkRecord {
  /** The link's id: 1 to 64 characters of `A-Z a-z 0-9 _ -`, unique within its document. */
  readonly id: string;
  readonly docName: string;
  readonly role: LinkRole;
  /** SHA-256 of the token, 64 lowercase hex digits; unique across every document. */
  readonly tokenHash: string;
  /** What the owner calls the link (at most 200 characters, no control characters), or null. */
  readonly label: string | null;
  /** Times are whole milliseconds since the epoch. */
  readonly createdAt: number;
  /** After this time the server treats the link as expired; null: never. The store only keeps it. */
  readonly expiresAt: number | null;
  /** The latest time passed to `touchLinks` for this link, or null when it was never used. */
  readonly lastUsedAt: number | null;
  /** When the link was revoked, or null while it works. */
  readonly revokedAt: number | null;
  /** True for the document id itself used as a link (see above); false for every issued token. */
  readonly legacy: boolean;
}

/** One use of a link, reported in a batch by `touchLinks`. */
export interface LinkUse {
  readonly docName: string;
  readonly linkId: string;
  readonly at: number;
}

export interface LinkStore {
  /**
   * Stores a new link of a document that is live or in the trash, exactly as given (a link may be
   * created already revoked). Rejects with `StoreConflictError` when the document already has a
   * link with this id or any link has this token hash, and with `DocStatusError` when the document
   * is missing or purged; nothing is written then.
   */
  createLink(link: LinkRecord): Promise<void>;
  /** The link whose token has this SHA-256, revoked or not, or null. Links of trashed documents are found too. */
  findLink(tokenHash: string): Promise<LinkRecord | null>;
  /** Every link of a document, revoked ones included, oldest first (by `createdAt`, then id). */
  listLinks(docName: string): Promise<LinkRecord[]>;
  /**
   * Marks a link of this document revoked at `at` and resolves to the record as stored now. A link
   * already revoked keeps its first revocation time. Resolves to null, changing nothing, when this
   * document has no link with that id (the link of another document is never touched).
   */
  revokeLink(docName: string, linkId: string, at: number): Promise<LinkRecord | null>;
  /**
   * Records uses of links, batched: each link's `lastUsedAt` becomes the latest of its stored value
   * and the times given (it never moves back). Uses of links that do not exist (any more) are
   * ignored. Revoked links are updated too: a use may be reported after the revocation.
   */
  touchLinks(uses: readonly LinkUse[]): Promise<void>;
}
