/**
 * A connection's presence in one room. It is the Yjs origin of the changes it makes, and it
 * remembers the awareness client ids it controls.
 */
import type { Role } from '../../shared/events.js';
import type { Connection } from './connection.js';
import type { Room } from './room.js';

export class Member {
  /** Awareness client ids this member controls. */
  readonly awarenessIds = new Set<number>();
  constructor(
    readonly connection: Connection,
    readonly room: Room,
    /** The name the client joined with (document id or view key); every message to it uses it. */
    readonly link: string,
    readonly role: Role,
    /** The view token it joined with, for revocation; null when it joined by document id. */
    readonly viewToken: string | null,
    /**
     * Who this client is across its connections: a hash of the session secret it joined with, or
     * one of its own (this connection only) when it sent none.
     */
    readonly session: string,
    /** Who acts through this membership, from the grant (see Grant.author in access.ts). */
    readonly author: string,
    /** The link it joined through (its id within the document), for revocation; null for view keys and signed tokens. */
    readonly linkId: string | null = null,
    /** The name the server puts on its presence (from a signed token); null: the client's own. */
    readonly stampedName: string | null = null,
  ) {}

  get docName(): string {
    return this.room.docName;
  }
}

export function isMember(origin: unknown): origin is Member {
  return origin instanceof Member;
}
