/**
 * Refuses cross-site requests that change state. A page on another site can make a visitor's
 * browser send a "simple" request (a form post, `text/plain`) to Quire without any preflight;
 * browsers mark such requests with `Sec-Fetch-Site` and `Origin`, so every POST, PUT, PATCH and
 * DELETE must come from Quire's own origin or one listed in ALLOWED_ORIGINS. Requests from tools
 * (curl, bots) carry neither header and pass.
 */
import type { NextFunction, Request, Response } from 'express';
import { isOriginAllowed } from './origin-check.js';
import { sendError } from './http-app.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfGuard(allowedOrigins: readonly string[] | null) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(req.method)) return next();
    const site = req.get('sec-fetch-site');
    const crossSite = site !== undefined && site !== 'same-origin' && site !== 'none';
    if ((crossSite || req.get('origin') !== undefined) && !isOriginAllowed(req, allowedOrigins)) {
      return sendError(res, 403, 'forbidden', 'Requests that change documents must come from this site; add the other site to ALLOWED_ORIGINS.');
    }
    if (crossSite && req.get('origin') === undefined) {
      return sendError(res, 403, 'forbidden', 'Requests that change documents must come from this site.');
    }
    next();
  };
}
