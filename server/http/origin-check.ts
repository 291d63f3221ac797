/**
 * Which browser origins may open collaboration connections. Browsers always send Origin on
 * WebSocket handshakes and cross-site requests, so checking it stops cross-site WebSocket hijacking
 * for polling and WebSocket alike. Requests without an Origin (Node providers, bots) are allowed.
 */
import type { IncomingMessage } from 'node:http';

/**
 * Allowed: no Origin header; an Origin whose host is the request's own Host (same site); an
 * Origin listed in `allowed` (or `*` listed).
 */
export function isOriginAllowed(request: IncomingMessage, allowed: readonly string[] | null): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowed?.includes('*')) return true;
  if (allowed?.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
