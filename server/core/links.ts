/**
 * A document's links: every capability is a random token with a role (`owner`, `edit`, `view`),
 * an optional label and expiry. The server hands a token out once, when it issues the link, and
 * keeps only its SHA-256 (storage/link-store.ts): a token cannot be read back, from the store or
 * from this API, and never reveals the document id or another token.
 *
 * A document's id is its "original link" (`edit`) until an owner revokes it: revoking it stores a
 * legacy record of the id, already revoked (see link-store.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { newLinkToken } from '../../shared/doc-id.js';
import { QuireError } from '../../shared/errors.js';
import { ROLE_RANK, type Role } from '../../shared/events.js';
import type { LinkRecord, LinkStore } from '../../storage/link-store.js';
import { StoreConflictError } from '../../storage/store-errors.js';

/** The id under which a document's own id appears among its links. */
export const ORIGINAL_LINK_ID = 'original';
/** The longest label a person may give a link. */
export const MAX_LINK_LABEL_LENGTH = 200;

export interface IssuedLink {
  readonly record: LinkRecord;
  /** The token, in clear: given to the caller once, never stored. */
  readonly token: string;
}

export interface NewLink {
  readonly role: Role;
  readonly label?: string | null;
  readonly expiresAt?: number | null;
}

/** Why a link record no longer opens its document, or null while it works at `now`. */
export function linkRefusal(record: LinkRecord, now: number): QuireError | null {
  if (record.revokedAt !== null) {
    return record.legacy
      ? new QuireError('link-revoked', "This document's original link was revoked; ask its owner for a current link.")
      : new QuireError('link-revoked', 'This link was revoked; ask whoever shared it for a current one.');
  }
  if (record.expiresAt !== null && now >= record.expiresAt) {
    return new QuireError('link-expired', 'This link has expired; ask whoever shared it for a new one.');
  }
  return null;
}

/** Who acts through a link, as history records it: its label, else its role and id. */
export function linkAuthor(record: LinkRecord): string {
  if (record.legacy) return 'original link';
  return record.label ?? `${record.role} link ${record.id}`;
}

/** SHA-256 of a token in lowercase hex: what the store keeps instead of the token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The record a document id stands for: its original link, revoked at `revokedAt` or working. */
export function originalLink(docName: string, createdAt = 0, revokedAt: number | null = null): LinkRecord {
  return {
    id: ORIGINAL_LINK_ID,
    docName,
    role: 'edit',
    tokenHash: hashToken(docName),
    label: null,
    createdAt,
    expiresAt: null,
    lastUsedAt: null,
    revokedAt,
    legacy: true,
  };
}

export class Links {
  constructor(
    private readonly store: LinkStore,
    private readonly now: () => number,
  ) {}

  /** The link a token (or a document id) stands for, revoked or not; null when none is stored. */
  find(token: string): Promise<LinkRecord | null> {
    return this.store.findLink(hashToken(token));
  }

  /** Issues a new link to a document and returns it with its token (the only time the token is seen). */
  async issue(docName: string, link: NewLink): Promise<IssuedLink> {
    const token = newLinkToken();
    const record: LinkRecord = {
      id: randomBytes(9).toString('base64url'),
      docName,
      role: link.role,
      tokenHash: hashToken(token),
      label: link.label ?? null,
      createdAt: this.now(),
      expiresAt: link.expiresAt ?? null,
      lastUsedAt: null,
      revokedAt: null,
      legacy: false,
    };
    await this.store.createLink(record);
    return { record, token };
  }

  /**
   * The links that still open the document (expired ones included, so their owner sees them), the
   * original link first while it works, then the oldest first; links made in the same millisecond
   * (a new document's three) list owner, edit, view. Revoked links are left out.
   */
  async list(docName: string): Promise<LinkRecord[]> {
    const stored = await this.store.listLinks(docName);
    const legacy = stored.find((link) => link.legacy);
    const working = stored
      .filter((link) => link.revokedAt === null && !link.legacy)
      .sort((a, b) => a.createdAt - b.createdAt || ROLE_RANK[b.role] - ROLE_RANK[a.role]);
    if (legacy !== undefined && legacy.revokedAt !== null) return working;
    return [legacy ?? originalLink(docName), ...working];
  }

  /** Whether any owner link was ever issued for the document (then only owners manage it). */
  async hasOwner(docName: string): Promise<boolean> {
    return (await this.store.listLinks(docName)).some((link) => link.role === 'owner');
  }

  /**
   * Revokes a link of the document; the original link is revoked by storing a revoked record of
   * the id. Resolves to the revoked record, or null when the document has no such link.
   */
  async revoke(docName: string, linkId: string): Promise<LinkRecord | null> {
    const at = this.now();
    if (linkId === ORIGINAL_LINK_ID) {
      const existing = await this.store.findLink(hashToken(docName));
      if (existing !== null) return this.store.revokeLink(docName, existing.id, at);
      const record = originalLink(docName, at, at);
      try {
        await this.store.createLink(record);
      } catch (error) {
        // Revoked at the same moment by another request: that record stands.
        if (!(error instanceof StoreConflictError)) throw error;
        return this.store.findLink(record.tokenHash);
      }
      return record;
    }
    return this.store.revokeLink(docName, linkId, at);
  }
}
