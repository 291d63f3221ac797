/**
 * Bearer-token checks for the operator's secrets (ADMIN_TOKEN, METRICS_TOKEN), compared in
 * constant time so a wrong guess says nothing about the right one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/** The bearer token of a request (`Authorization: Bearer …`), or null. */
export function bearerToken(req: Request): string | null {
  const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
  return match?.[1] ?? null;
}

/** Whether two secrets are equal, in time that does not depend on where they differ. */
export function sameSecret(given: string, expected: string): boolean {
  // Hashing first gives both sides the same length, so not even the length leaks.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function hasBearer(req: Request, expected: string): boolean {
  const token = bearerToken(req);
  return token !== null && sameSecret(token, expected);
}
