/**
 * A document's links over HTTP. The owner lists, creates and revokes them; editors may create view
 * links and see the view links; a revoked link's open sessions are kicked on every node. Requests
 * name the document by its id or by a link token, in the path or as `Authorization: Bearer`.
 *
 * Tokens are stored only hashed, so a link's URL is in the answer that creates it and never again
 * (the original link, the document id, is the exception: its URL is known).
 */
import express, { type Request, type Response, type Router } from 'express';
import { viewKeyOf } from '../../shared/doc-id.js';
import { roleIncludes, type Role } from '../../shared/events.js';
import type { LinkRecord } from '../../storage/link-store.js';
import type { Grant } from '../core/access.js';
import { MAX_LINK_LABEL_LENGTH, ORIGINAL_LINK_ID, type Links } from '../core/links.js';
import { sendError } from './http-app.js';

export interface LinksApiOptions {
  readonly links: Links;
  /** The document API's resolution of a request: the grant, or null once the refusal is sent. */
  readonly authorize: (req: Request, res: Response, name: unknown, role: Role) => Promise<Grant | null>;
  readonly jsonBody: express.RequestHandler;
  /** The origin links in answers start with. */
  readonly baseUrl: (req: Request) => string;
  readonly now: () => number;
  /** Kicks, on every node, the sessions that joined through a link that was just revoked. */
  readonly linkRevoked: (docName: string, linkId: string) => void;
  readonly viewTokenFor: (docName: string) => Promise<string>;
  readonly regenerateViewToken: (docName: string) => Promise<string>;
}

const LINK_ID = /^[A-Za-z0-9_-]{1,64}$/;
// C0 and C1 controls, and lone surrogates: nothing a person can read in a label.
const UNREADABLE = /[\u0000-\u001f\u007f-\u009f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** The latest expiry accepted: about ten years ahead, so a typo does not mean forever. */
const MAX_EXPIRY_AHEAD_MS = 10 * 366 * 24 * 60 * 60 * 1000;

function isoOrNull(time: number | null): string | null {
  return time === null || time === 0 ? null : new Date(time).toISOString();
}

/** A link as the API shows it; `url` only where it is known (see above). */
export function linkJson(link: LinkRecord, url: string | null) {
  return {
    id: link.id,
    role: link.role,
    label: link.legacy ? 'original link' : link.label,
    url,
    createdAt: isoOrNull(link.createdAt),
    expiresAt: isoOrNull(link.expiresAt),
    lastUsedAt: isoOrNull(link.lastUsedAt),
  };
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function parseNewLink(body: unknown, now: number): Parsed<{ role: 'edit' | 'view'; label: string | null; expiresAt: number | null }> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: 'Send a JSON object { "role": "edit" | "view", "label"?, "expiresAt"? }.' };
  const { role, label, expiresAt } = body as Record<string, unknown>;
  if (role !== 'edit' && role !== 'view') return { ok: false, message: '"role" must be "edit" or "view" (owner links are made by the admin API only).' };
  if (label !== undefined && label !== null && (typeof label !== 'string' || label.trim() === '' || label.length > MAX_LINK_LABEL_LENGTH || UNREADABLE.test(label))) {
    return { ok: false, message: `"label" must be 1 to ${MAX_LINK_LABEL_LENGTH} readable characters.` };
  }
  let expiry: number | null = null;
  if (expiresAt !== undefined && expiresAt !== null) {
    expiry = typeof expiresAt === 'string' ? Date.parse(expiresAt) : typeof expiresAt === 'number' ? expiresAt : Number.NaN;
    if (!Number.isSafeInteger(expiry)) return { ok: false, message: '"expiresAt" must be a time: an ISO 8601 string or milliseconds since the epoch.' };
    if (expiry <= now) return { ok: false, message: '"expiresAt" must be in the future.' };
    if (expiry > now + MAX_EXPIRY_AHEAD_MS) return { ok: false, message: '"expiresAt" may be at most ten years ahead.' };
  }
  return { ok: true, value: { role, label: typeof label === 'string' ? label.trim() : null, expiresAt: expiry } };
}

export function createLinksApi(options: LinksApiOptions): Router {
  const api = express.Router();
  const { links, authorize } = options;

  api.get('/docs/:doc/links', async (req, res) => {
    const grant = await authorize(req, res, req.params.doc, 'edit');
    if (grant === null) return;
    const owner = roleIncludes(grant.role, 'owner');
    const base = options.baseUrl(req);
    const all = await links.list(grant.docName);
    // Editors see the view links, and the original link if they came by it: its URL is the id,
    // which only those who used it or own the document may learn.
    const knowsId = owner || grant.linkId === ORIGINAL_LINK_ID;
    const shown = all.filter((link) => owner || link.role === 'view' || (link.legacy && knowsId));
    const original = all.find((link) => link.legacy);
    res.json({
      links: shown.map((link) => linkJson(link, link.legacy ? `${base}/d/${grant.docName}` : null)),
      // The document's regenerable view link (`/v/`), and its id while that is a working link.
      ...(knowsId && original !== undefined ? { editUrl: `/d/${grant.docName}` } : {}),
      viewUrl: `/v/${await options.viewTokenFor(grant.docName)}`,
    });
  });

  api.post('/docs/:doc/links', options.jsonBody, async (req, res) => {
    const grant = await authorize(req, res, req.params.doc, 'edit');
    if (grant === null) return;
    const parsed = parseNewLink(req.body, options.now());
    if (!parsed.ok) return sendError(res, 400, 'bad-request', parsed.message);
    if (parsed.value.role === 'edit' && !roleIncludes(grant.role, 'owner')) {
      return sendError(res, 403, 'forbidden', "Only the document's owner may create edit links; editors may create view links.");
    }
    const issued = await links.issue(grant.docName, parsed.value);
    res.status(201).json(linkJson(issued.record, `${options.baseUrl(req)}/d/${issued.token}`));
  });

  api.delete('/docs/:doc/links/:link', async (req, res) => {
    const grant = await authorize(req, res, req.params.doc, 'owner');
    if (grant === null) return;
    const linkId = req.params.link;
    if (!LINK_ID.test(linkId)) return sendError(res, 400, 'bad-request', 'A link id is 1 to 64 characters of A-Z a-z 0-9 _ -.');
    const revoked = await links.revoke(grant.docName, linkId);
    if (revoked === null) return sendError(res, 404, 'not-found', 'This document has no link with this id.');
    options.linkRevoked(grant.docName, linkId);
    res.status(204).end();
  });

  // The regenerable view link of every document (`/v/`). Once a document has an owner only the
  // owner may replace it; before, any editor may, as always.
  api.post('/docs/:doc/view-link', async (req, res) => {
    const grant = await authorize(req, res, req.params.doc, 'edit');
    if (grant === null) return;
    if (!roleIncludes(grant.role, 'owner') && (await links.hasOwner(grant.docName))) {
      return sendError(res, 403, 'forbidden', "Only the document's owner may replace its view link.");
    }
    const token = await options.regenerateViewToken(grant.docName);
    res.json({ viewUrl: `/v/${token}`, viewKey: viewKeyOf(token) });
  });

  return api;
}
