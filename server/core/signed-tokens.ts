/**
 * Signed tokens from an application that embeds Quire: a JWT `{ doc, role, name, exp }` signed
 * with the operator's QUIRE_TOKEN_SECRET (HS256) or the private half of QUIRE_TOKEN_PUBLIC_KEY
 * (ES256 or RS256). A verified token is a link to one document with one role; its `name` is who
 * acts, stamped by the server, never by the client. Every refusal is a QuireError with a sentence.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import { isDocId } from '../../shared/doc-id.js';
import { QuireError } from '../../shared/errors.js';
import type { Role } from '../../shared/events.js';

/** The shape of a JWT: three base64url parts separated by dots (the signature may be empty only in a forgery). */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const ROLES: readonly Role[] = ['owner', 'edit', 'view'];
/** Longest name accepted from a token: what presence and history show. */
export const MAX_SIGNED_NAME_LENGTH = 100;

export interface SignedTokenKeys {
  /** HS256 secret (QUIRE_TOKEN_SECRET), at least 32 characters. */
  readonly secret?: string | null;
  /** ES256 or RS256 public key in PEM (QUIRE_TOKEN_PUBLIC_KEY). */
  readonly publicKey?: string | null;
}

export interface SignedClaims {
  readonly docName: string;
  readonly role: Role;
  readonly name: string;
  /** Expiry in milliseconds since the epoch. */
  readonly expiresAt: number;
}

/** Whether a token looks like a JWT (then it is verified as one, never passed over). */
export function looksSigned(token: unknown): token is string {
  return typeof token === 'string' && token.length <= 4096 && JWT_SHAPE.test(token);
}

export class SignedTokens {
  private readonly key: Uint8Array | KeyObject;
  private readonly algorithms: string[];

  /** Null when neither a secret nor a public key is configured: signed tokens are then off. */
  static from(keys: SignedTokenKeys, now: () => number): SignedTokens | null {
    if (keys.publicKey) return new SignedTokens(createPublicKey(keys.publicKey), ['ES256', 'RS256'], now);
    if (keys.secret) return new SignedTokens(new TextEncoder().encode(keys.secret), ['HS256'], now);
    return null;
  }

  private constructor(
    key: Uint8Array | KeyObject,
    algorithms: string[],
    private readonly now: () => number,
  ) {
    this.key = key;
    this.algorithms = algorithms;
  }

  /** Verifies a token; rejects with `link-expired`, or `forbidden` saying what is wrong. */
  async verify(token: string): Promise<SignedClaims> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: this.algorithms, currentDate: new Date(this.now()), requiredClaims: ['exp'] }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new QuireError('link-expired', 'This signed link has expired; ask the application that gave it for a new one.');
      throw new QuireError('forbidden', 'This signed link is not valid: its signature, algorithm or claims do not check out.');
    }
    const { doc, role, name, exp } = payload;
    if (!isDocId(doc)) throw new QuireError('forbidden', 'This signed link names no valid document ("doc" must be a document id).');
    if (typeof role !== 'string' || !ROLES.includes(role as Role)) throw new QuireError('forbidden', 'This signed link has no valid role ("role" must be owner, edit or view).');
    if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_SIGNED_NAME_LENGTH) {
      throw new QuireError('forbidden', `This signed link has no valid name ("name" must be 1 to ${MAX_SIGNED_NAME_LENGTH} characters).`);
    }
    return { docName: doc, role: role as Role, name: name.trim(), expiresAt: (exp as number) * 1000 };
  }
}
