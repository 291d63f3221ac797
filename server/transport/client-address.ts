/**
 * The address a request comes from, for per-address limits and logs. Behind a reverse proxy every
 * connection comes from the proxy; with `trustProxy` (TRUST_PROXY) Quire takes the address the
 * proxy appended to X-Forwarded-For instead: the last entry, the only one a client cannot forge
 * when exactly one trusted proxy stands in front of Quire.
 */
import type { IncomingMessage } from 'node:http';

export function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  const direct = request.socket.remoteAddress ?? 'unknown';
  if (!trustProxy) return direct;
  const header = request.headers['x-forwarded-for'];
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value === undefined) return direct;
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0);
  return entries[entries.length - 1] ?? direct;
}
