/**
 * The Express application: pages, static client files, health and readiness, and the JSON API
 * the editor needs. Errors have one shape: `{ error: { code, message } }`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { isDocId, isViewToken } from '../shared/doc-id.js';
import type { ErrorCode } from '../shared/errors.js';

export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export interface HttpAppOptions {
  readonly publicDir: string;
  /** Resolves when the server can serve documents (storage, and the cluster link when there is one). */
  readonly checkReady: () => Promise<{ ready: boolean; checks: Record<string, boolean> }>;
  /** The Prometheus text for /metrics. */
  readonly metrics: () => Promise<{ contentType: string; text: string }>;
  /** The JSON API, mounted at /api. */
  readonly api: express.Router;
}

export function sendError(res: Response, status: number, code: ErrorCode | 'unauthorized' | 'not-found' | 'disabled', message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** Where the built browser files are: dist/public, seen from the source or the built server. */
export function defaultPublicDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../public'), path.resolve(here, '../dist/public')];
  return candidates.find((dir) => existsSync(path.join(dir, 'editor.html'))) ?? candidates[candidates.length - 1]!;
}

export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
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

  const page = (file: string) => (_req: Request, res: Response) => {
    res.setHeader('Content-Security-Policy', PAGE_CSP);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(options.publicDir, file), (error) => {
      if (error && !res.headersSent) sendError(res, 500, 'internal', 'The page is missing; run npm run build.');
    });
  };
  app.get('/', page('index.html'));
  app.get('/d/:id', (req, res) => {
    if (!isDocId(req.params.id)) return sendError(res, 404, 'not-found', 'There is no document at this address.');
    page('editor.html')(req, res);
  });
  app.get('/v/:token', (req, res) => {
    if (!isViewToken(req.params.token)) return sendError(res, 404, 'not-found', 'There is no document at this address.');
    page('editor.html')(req, res);
  });

  app.get('/metrics', async (_req, res) => {
    const { contentType, text } = await options.metrics();
    res.type(contentType).send(text);
  });
  app.use('/api', options.api);

  app.use(express.static(options.publicDir, { index: false, fallthrough: true, maxAge: '1h' }));
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
