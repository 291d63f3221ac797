/**
 * Who may do what with which document: turns the name a client uses for a document (on a socket
 * or in an HTTP path) and the token it presents into the document's id and a role, or a typed
 * refusal. Quire's own rules come first:
 * - a link token (`/d/<token>`) grants its link's role while it is neither revoked nor expired;
 * - a document id is the document's original link (`edit`) until an owner revokes it;
 * - a view key `v.<token>` grants `view` while it is the document's view token;
 * - a signed token (JWT, when QUIRE_TOKEN_SECRET or QUIRE_TOKEN_PUBLIC_KEY is set), presented as
 *   the join token or `Authorization: Bearer`, grants its role on its document to its `name`;
 * - over HTTP, a link token may also come as `Authorization: Bearer` with the document id in the path.
 * The embedder's `authorize` hook then sees the decision and may change or refuse it.
 */
import { parseDocName } from '../../shared/doc-id.js';
import { QuireError } from '../../shared/errors.js';
import type { Role } from '../../shared/events.js';
import type { DocStore } from '../../storage/doc-store.js';
import type { LinkRecord } from '../../storage/link-store.js';
import type { AuthorizeHook } from './hooks.js';
import { linkAuthor, linkRefusal, Links, originalLink } from './links.js';
import type { LinkUsage } from './link-usage.js';
import { looksSigned, type SignedTokens } from './signed-tokens.js';

export interface AccessRequest {
  /** The name the client used: a document id, a link token or `v.<view token>`. */
  readonly link: unknown;
  readonly token: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly via: 'socket' | 'http';
  readonly address: string;
}

export interface Grant {
  /** The document's id. */
  readonly docName: string;
  readonly role: Role;
  /** The view token the client came with, for revocation; null when it used anything else. */
  readonly viewToken: string | null;
  /**
   * Who acts, as the server knows it (never what the client claims): what version history
   * records as the author of the changes made through this grant.
   */
  readonly author: string;
  /** The link (its id within the document) the grant came through, for revocation and last use; null for view keys and signed tokens. */
  readonly linkId: string | null;
  /** When the grant stops working (link expiry or token `exp`), in ms since the epoch; null: never. */
  readonly expiresAt: number | null;
  /** The name the server shows on this client's presence (from a signed token); null: the client's own. */
  readonly stampedName: string | null;
}

export interface AccessOptions {
  readonly authorize?: AuthorizeHook;
  /** Verifier of signed tokens; null when the operator configured none. */
  readonly signedTokens?: SignedTokens | null;
  readonly now?: () => number;
  /** Told of every link a grant came through, to record when it was last used. */
  readonly usage?: LinkUsage;
}

/** Longest token accepted besides a document name. */
export const MAX_TOKEN_LENGTH = 4096;

export class Access {
  readonly links: Links;
  private readonly now: () => number;

  constructor(
    private readonly store: DocStore,
    private readonly options: AccessOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.links = new Links(store, this.now);
  }

  /** Resolves a request to a grant; rejects with a QuireError saying why not. */
  async resolve(request: AccessRequest): Promise<Grant> {
    const parsed = parseDocName(request.link);
    if (parsed === null) {
      throw new QuireError('invalid-doc-name', 'The document name is neither a document id or link token (16–64 of A–Z a–z 0–9 _ -) nor a view key.');
    }
    const token = request.token;
    if (token !== null && token !== undefined && (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)) {
      throw new QuireError('bad-request', `The token must be a string of at most ${MAX_TOKEN_LENGTH} characters, or null.`);
    }
    let grant: Grant;
    const signed = this.options.signedTokens ?? null;
    if (signed !== null && looksSigned(token)) {
      const claims = await signed.verify(token);
      if (parsed.kind !== 'id' || parsed.docName !== claims.docName) {
        throw new QuireError('forbidden', 'This signed link is for another document.');
      }
      grant = { docName: claims.docName, role: claims.role, viewToken: null, author: claims.name, linkId: null, expiresAt: claims.expiresAt, stampedName: claims.name };
    } else if (parsed.kind === 'view') {
      const docName = await this.store.resolveViewToken(parsed.token);
      if (docName === null) throw new QuireError('link-revoked', 'This view link does not exist or was regenerated.');
      grant = { docName, role: 'view', viewToken: parsed.token, author: 'view link', linkId: null, expiresAt: null, stampedName: null };
    } else {
      const bearer = request.via === 'http' && typeof token === 'string' && parseDocName(token)?.kind === 'id' ? await this.links.find(token) : null;
      if (bearer !== null && !bearer.legacy) {
        // A link token as Bearer: the path must name the same document (by id or by the token).
        if (parsed.docName !== bearer.docName && parsed.docName !== token) throw new QuireError('forbidden', 'This link is for another document.');
        grant = this.linkGrant(bearer);
      } else {
        grant = this.linkGrant((await this.links.find(parsed.docName)) ?? originalLink(parsed.docName));
      }
    }
    if (grant.linkId !== null) this.options.usage?.used(grant.docName, grant.linkId);
    if (this.options.authorize === undefined) return grant;
    const decided = await this.options.authorize({
      docName: grant.docName,
      role: grant.role,
      token: typeof token === 'string' ? token : null,
      headers: request.headers,
      via: request.via,
      address: request.address,
    });
    if (decided === null) throw new QuireError('forbidden', 'Access to this document was refused.');
    return decided === undefined ? grant : { ...grant, role: decided };
  }

  private linkGrant(link: LinkRecord): Grant {
    const refusal = linkRefusal(link, this.now());
    if (refusal !== null) throw refusal;
    return { docName: link.docName, role: link.role, viewToken: null, author: linkAuthor(link), linkId: link.id, expiresAt: link.expiresAt, stampedName: null };
  }
}
