/**
 * The Express application: pages, static client files, health and readiness, and the JSON API
 * the editor needs. Errors have one shape: `{ error: { code, message } }`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { hasBearer } from './bearer.js';
import { isDocId, isViewToken } from '../../shared/doc-id.js';
import type { ErrorCode } from '../../shared/errors.js';

export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // Pictures only from this server; data: and blob: for a picture shown before it is uploaded.
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The pages' policy when other sites may embed the editor (ALLOWED_ORIGINS, for applications that
 * open it in an iframe with a signed token): those origins may frame it, nobody else.
 */
export function pageCsp(allowedOrigins: readonly string[] | null): string {
  if (allowedOrigins === null || allowedOrigins.length === 0) return PAGE_CSP;
  const ancestors = allowedOrigins.includes('*') ? '*' : ["'self'", ...allowedOrigins].join(' ');
  return PAGE_CSP.replace("frame-ancestors 'none'", `frame-ancestors ${ancestors}`);
}

export interface HttpAppOptions {
  readonly publicDir: string;
  /** Resolves when the server can serve documents (storage, and the cluster link when there is one). */
  readonly checkReady: () => Promise<{ ready: boolean; checks: Record<string, boolean> }>;
  /** The Prometheus text for /metrics. */
  readonly metrics: () => Promise<{ contentType: string; text: string }>;
  /** Bearer token /metrics requires; null leaves it open (for a scraper on a private network). */
  readonly metricsToken: string | null;
  /** Behind one reverse proxy: take the client's address and protocol from X-Forwarded-*. */
  readonly trustProxy: boolean;
  /** The JSON API, mounted at /api. */
  readonly api: express.Router;
  /** Runs before every API request (api-rate-limit.ts); none when absent. */
  readonly apiLimit?: express.RequestHandler;
  /** Origins that may embed the pages in a frame (ALLOWED_ORIGINS); null: none. */
  readonly allowedOrigins?: readonly string[] | null;
}

export function sendError(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** Where the built browser files are: dist/public, seen from the source or the built server. */
export function defaultPublicDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Built: dist/server/http → dist/public. From source: server/http → dist/public.
  const candidates = [path.resolve(here, '../../public'), path.resolve(here, '../../dist/public')];
  return candidates.find((dir) => existsSync(path.join(dir, 'editor.html'))) ?? candidates[candidates.length - 1]!;
}

export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  const csp = pageCsp(options.allowedOrigins ?? null);
  app.disable('x-powered-by');
  // One hop: the proxy's own X-Forwarded-For entry and X-Forwarded-Proto, nothing a client sent.
  if (options.trustProxy) app.set('trust proxy', 1);
  app.set('etag', 'strong');
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Document URLs are capabilities: never leak them to the sites a document links to.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const { ready, checks } = await options.checkReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks });
  });

  const page = (file: string, status = 200) => (_req: Request, res: Response) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('Cache-Control', 'no-cache');
    res.status(status).sendFile(path.join(options.publicDir, file), (error) => {
      if (error && !res.headersSent) sendError(res, 500, 'internal', 'The page is missing; run npm run build.');
    });
  };
  app.get('/', page('index.html'));
  // Every address under /d/ and /v/ gets the editor page; one that cannot be a link gets it with
  // 404, and the page says why in words (never a JSON error where a person looks).
  app.get(['/d/:link', '/v/:link'], (req, res) => {
    const valid = req.path.startsWith('/d/') ? isDocId(req.params['link']) : isViewToken(req.params['link']);
    page('editor.html', valid ? 200 : 404)(req, res);
  });
  app.get(['/d', '/d/{*rest}', '/v', '/v/{*rest}'], page('editor.html', 404));

  app.get('/metrics', async (req, res) => {
    if (options.metricsToken !== null && !hasBearer(req, options.metricsToken)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return sendError(res, 401, 'unauthorized', 'Send Authorization: Bearer <METRICS_TOKEN>.');
    }
    const { contentType, text } = await options.metrics();
    res.type(contentType).send(text);
  });
  if (options.apiLimit !== undefined) app.use('/api', options.apiLimit);
  app.use('/api', options.api);

  app.use(
    express.static(options.publicDir, {
      index: false,
      fallthrough: true,
      maxAge: '1h',
      setHeaders: (res, file) => {
        // The service worker caches the pages as fetched here and serves them for /, /d/ and
        // /v/: they must carry the same policy as when the routes above serve them.
        if (file.endsWith('.html')) res.setHeader('Content-Security-Policy', csp);
        // The browser must see a new service worker (and its manifest) as soon as there is one.
        if (file.endsWith('.html') || path.basename(file) === 'sw.js' || file.endsWith('.webmanifest')) res.setHeader('Cache-Control', 'no-cache');
      },
    }),
  );
  app.use((_req, res) => sendError(res, 404, 'not-found', 'Nothing here.'));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    void _next;
    if (res.headersSent) return;
    const status = typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : 500;
    if (status >= 500) sendError(res, 503, 'storage-unavailable', 'The server could not complete the request; try again.');
    else sendError(res, status, 'bad-request', 'The request is malformed.');
  });
  return app;
}
