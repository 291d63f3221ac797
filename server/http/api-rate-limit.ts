/**
 * Requests to the JSON API, counted per client address: a token bucket each, so a person's
 * bursts (a page opening, a picture pasted with its neighbours) pass and a script that asks
 * without end is told `rate-limited` (429, with Retry-After) instead of making the server create
 * documents, list versions or queue exports for it as fast as it can ask. The address is
 * Express's `req.ip` (the peer, or behind TRUST_PROXY the address the proxy saw), an IPv6 one
 * taken by its /64, which one sender may hold whole. Reading a picture costs a tenth of a
 * request: a page shows every picture of its document, and a picture is never changed once
 * stored. Each node of a cluster counts on its own.
 *
 * Buckets are kept for at most MAX_TRACKED_ADDRESSES networks. When a new one comes and there is
 * no room, buckets that have filled up again (idle for a while) are forgotten, at most once a
 * second; otherwise the oldest goes, which at worst gives that network a fresh burst. Memory
 * stays bounded whatever the number of addresses.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { networkKey } from '../core/network-key.js';
import { TokenBucket } from '../core/token-bucket.js';
import { sendError } from './http-app.js';

export interface ApiRateLimitOptions {
  /** Requests one address may make per second, on average. */
  readonly requestsPerSecond: number;
  /** Requests one address may make at once, after being idle. */
  readonly burst: number;
}

export const DEFAULT_API_RATE_LIMIT: ApiRateLimitOptions = { requestsPerSecond: 20, burst: 200 };

export const MAX_TRACKED_ADDRESSES = 10_000;
/** What reading a picture (`GET` or `HEAD` of /docs/:name/blobs/:blob) takes from the bucket. */
export const PICTURE_READ_COST = 0.1;
const PICTURE_PATH = /^\/docs\/[^/]+\/blobs\/[^/]+$/;

function costOf(req: Request): number {
  return (req.method === 'GET' || req.method === 'HEAD') && PICTURE_PATH.test(req.path) ? PICTURE_READ_COST : 1;
}

/** Looking for full buckets walks them all: at most once this often, however fast new addresses come. */
const SWEEP_INTERVAL_MS = 1_000;

export function apiRateLimit(options: ApiRateLimitOptions, maxTracked = MAX_TRACKED_ADDRESSES): RequestHandler {
  const buckets = new Map<string, TokenBucket>();
  let lastSweep = Number.NEGATIVE_INFINITY;
  const retryAfterSeconds = String(Math.max(1, Math.ceil(1 / options.requestsPerSecond)));

  const makeRoom = (): void => {
    const now = performance.now();
    if (now - lastSweep >= SWEEP_INTERVAL_MS) {
      lastSweep = now;
      for (const [address, bucket] of buckets) if (bucket.full) buckets.delete(address);
    }
    while (buckets.size >= maxTracked) {
      const oldest = buckets.keys().next().value;
      if (oldest === undefined) break;
      buckets.delete(oldest);
    }
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    const address = networkKey(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    let bucket = buckets.get(address);
    if (bucket === undefined) {
      if (buckets.size >= maxTracked) makeRoom();
      bucket = new TokenBucket(options.requestsPerSecond, options.burst);
      buckets.set(address, bucket);
    }
    if (bucket.take(costOf(req))) return next();
    res.setHeader('Retry-After', retryAfterSeconds);
    sendError(
      res,
      429,
      'rate-limited',
      `Too many requests from this address: at most ${options.requestsPerSecond} per second on average (${options.burst} at once) reach the API; slow down and retry.`,
    );
  };
}
