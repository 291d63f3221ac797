/**
 * The document API (JSON): create documents (optionally from Markdown or HTML), read their
 * metadata, export them, and manage view links; the admin API is mounted under /admin. Imports
 * and exports run in the conversion pool, off the event loop. Errors have one shape:
 * `{ error: { code, message } }`; answers are never cached (they carry links, which are secrets).
 */
import express, { type Request, type Response, type Router } from 'express';
import * as Y from 'yjs';
import { docTitle } from '../../document/title.js';
import { newDocId } from '../../shared/doc-id.js';
import { QuireError } from '../../shared/errors.js';
import { roleIncludes, type Role } from '../../shared/events.js';
import type { DocStore } from '../../storage/doc-store.js';
import type { Access, Grant } from '../core/access.js';
import { FRAGMENT_NAME } from '../../document/fragment.js';
import type { Limits } from '../../shared/limits.js';
import { createAdminApi, type TrashAdmin } from './admin-api.js';
import { createHistoryApi } from './history-api.js';
import { EXPORT_FORMATS, sendExport, type ExportFormat } from './send-export.js';
import type { VersionKeeper } from '../core/versions/version-keeper.js';
import type { ConversionPool } from './convert/conversion-pool.js';
import { createBlobApi } from './blob-api.js';
import { csrfGuard } from './csrf-guard.js';
import { createLinksApi } from './links-api.js';
import { ORIGINAL_LINK_ID } from '../core/links.js';
import { sendError } from './http-app.js';

/**
 * A document as an HTTP request reads it: the loaded room's Y.Doc (read it, never change it) and
 * the whole of it as one update (kept until it changes), or what storage holds, as updates that
 * are decoded only in the conversion worker. Decoding a large document takes hundreds of
 * milliseconds, which the event loop must not spend on one request.
 */
export type DocContent =
  | { readonly kind: 'live'; readonly doc: Y.Doc; readonly encodedState: () => Uint8Array }
  | { readonly kind: 'stored'; readonly updates: readonly Uint8Array[] };

export interface DocApiOptions {
  readonly store: DocStore;
  readonly access: Access;
  readonly adminToken: string | null;
  readonly limits: Limits;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  readonly conversions: ConversionPool;
  /** The base of links in answers (PUBLIC_URL), e.g. `https://docs.example.com`; null: the request's own. */
  readonly publicUrl: string | null;
  /** Origins besides Quire's own that may send state-changing requests. */
  readonly allowedOrigins: readonly string[] | null;
  /** A document as an HTTP request may read it: see {@link DocContent}; null when it does not exist. */
  readonly readDoc: (docName: string) => Promise<DocContent | null>;
  /** Connections in the document now (on this node). */
  readonly presentCount: (docName: string) => number;
  readonly viewTokenFor: (docName: string) => Promise<string>;
  readonly regenerateViewToken: (docName: string) => Promise<string>;
  /** Kicks, on every node, the sessions that joined through a link that was just revoked. */
  readonly linkRevoked: (docName: string, linkId: string) => void;
  /** The clock link expiries are measured against. */
  readonly now: () => number;
  /** Disconnects the document's pages and moves it to the trash. */
  readonly deleteDoc: (docName: string) => Promise<void>;
  /** Version history (history-api.ts). */
  readonly versions: VersionKeeper;
  /** The trash, for the admin API. */
  readonly trash: TrashAdmin;
}

/** A Host header that is only a host name or address and an optional port: nothing else gets into a link. */
const PLAIN_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The base of the links in an answer: PUBLIC_URL, else this request's protocol and (plain) host. */
function baseUrl(req: Request, publicUrl: string | null): string {
  if (publicUrl !== null) return publicUrl;
  const host = req.get('host');
  return `${req.protocol}://${host !== undefined && PLAIN_HOST.test(host) ? host : 'localhost'}`;
}

/** The token a request presents besides the document name: `Authorization: Bearer …` or `?token=`. */
function requestToken(req: Request): string | null {
  const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
  if (match?.[1] !== undefined) return match[1];
  const query = req.query['token'];
  return typeof query === 'string' ? query : null;
}

/** HTTP statuses of the refusals conversions and limits raise. */
const REFUSAL_STATUS: Partial<Record<string, number>> = {
  busy: 503,
  'too-costly': 422,
  'conversion-failed': 422,
  'doc-too-large': 413,
  'server-shutdown': 503,
};

/** The shape of the ids `newDocId` makes, the only ids a device may create a document under. */
const DEVICE_DOC_ID = /^[A-Za-z0-9_-]{22}$/;

const HTTP_STATUS: Partial<Record<string, number>> = {
  'invalid-doc-name': 400,
  'bad-request': 400,
  forbidden: 403,
  'not-found': 404,
  'doc-deleted': 410,
  'link-revoked': 410,
  'link-expired': 410,
};

export function createDocApi(options: DocApiOptions): Router {
  const links = options.access.links;
  /**
   * The grant for the document named in the path, with at least `role`; otherwise sends the
   * refusal and resolves to null.
   */
  const authorize = async (req: Request, res: Response, name: unknown, role: Role): Promise<Grant | null> => {
    let grant: Grant;
    try {
      grant = await options.access.resolve({ link: name, token: requestToken(req), headers: req.headers, via: 'http', address: req.socket.remoteAddress ?? '' });
    } catch (error) {
      if (!(error instanceof QuireError)) throw error;
      // Over HTTP an unknown view key is simply not found; a revoked link token says so (410).
      const viewKey = typeof name === 'string' && name.startsWith('v.');
      const code = error.code === 'link-revoked' && viewKey ? 'not-found' : error.code;
      sendError(res, HTTP_STATUS[code] ?? 400, code, error.message);
      return null;
    }
    const status = await options.store.status(grant.docName);
    if (status === 'trashed' || status === 'purged') {
      sendError(res, 410, 'doc-deleted', 'This document was deleted.');
      return null;
    }
    if (!roleIncludes(grant.role, role)) {
      if (role === 'owner') sendError(res, 403, 'forbidden', "Only the document's owner may do this; use the owner link.");
      else sendError(res, 403, 'read-only', 'This link gives view-only access; this request needs an edit link.');
      return null;
    }
    return grant;
  };

  /** Where an export asked for under `name` points its pictures: that name's blob route. */
  const blobUrlPrefix = (req: Request, name: unknown): string => `${baseUrl(req, options.publicUrl)}/api/docs/${encodeURIComponent(String(name))}/blobs/`;

  const api = express.Router();
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(csrfGuard(options.allowedOrigins));
  // Not text/plain: a page on another site can post that without asking.
  const textBody = express.text({ type: ['text/markdown', 'text/x-markdown', 'text/html'], limit: options.maxBodyBytes });
  const jsonBody = express.json({ limit: options.maxBodyBytes });

  api.post('/docs', textBody, jsonBody, async (req, res) => {
    const type = req.get('content-type') ?? '';
    const hasBody = Number(req.get('content-length') ?? '0') > 0 || req.get('transfer-encoding') !== undefined;
    if (hasBody && !/^(text\/(markdown|x-markdown|html)|application\/json)\b/i.test(type)) {
      return sendError(res, 415, 'bad-request', 'Send Markdown as text/markdown, HTML as text/html, or JSON { "markdown" | "html" }.');
    }
    let markdown: string | null = null;
    let html: string | null = null;
    if (typeof req.body === 'string') {
      if (type.startsWith('text/html')) html = req.body;
      else markdown = req.body;
    } else if (req.body && typeof req.body === 'object') {
      const body = req.body as { markdown?: unknown; html?: unknown };
      if (body.markdown !== undefined && typeof body.markdown !== 'string') return sendError(res, 400, 'bad-request', '"markdown" must be a string.');
      if (body.html !== undefined && typeof body.html !== 'string') return sendError(res, 400, 'bad-request', '"html" must be a string.');
      markdown = typeof body.markdown === 'string' ? body.markdown : null;
      html = typeof body.html === 'string' ? body.html : null;
    }
    const docName = newDocId();
    // Even an empty document is stored, so that it exists from now on.
    let update = Y.encodeStateAsUpdate(new Y.Doc());
    if (markdown !== null || html !== null) {
      const imported = await options.conversions.run({ kind: 'import', format: html !== null ? 'html' : 'md', text: html ?? markdown ?? '' });
      if (imported.kind !== 'import') throw new Error('The conversion pool answered an import with an export.');
      if (imported.structs > options.limits.maxStructsPerDoc || imported.update.length > options.limits.maxDocBytes) {
        return sendError(res, 413, 'doc-too-large', `The imported document would be larger than a document may be (${options.limits.maxStructsPerDoc} structs, ${options.limits.maxDocBytes} bytes).`);
      }
      update = imported.update;
    }
    await options.store.append([{ docName, update }]);
    // The creator gets an owner link, and one edit and one view link to pass on.
    const base = baseUrl(req, options.publicUrl);
    const [owner, edit, view] = [await links.issue(docName, { role: 'owner' }), await links.issue(docName, { role: 'edit' }), await links.issue(docName, { role: 'view' })];
    res.status(201).json({ id: docName, ownerUrl: `${base}/d/${owner.token}`, editUrl: `${base}/d/${edit.token}`, viewUrl: `${base}/d/${view.token}` });
  });

  // A document a device started offline, under an id it made (as newDocId does: 22 characters,
  // 128 random bits; link tokens are longer, so the two never collide). Creating it again is
  // harmless; a deleted id stays deleted.
  api.put('/docs/:id', async (req, res) => {
    const docName = req.params.id;
    if (!DEVICE_DOC_ID.test(docName)) {
      return sendError(res, 400, 'invalid-doc-name', 'A document made on a device has an id of 22 characters of A-Z, a-z, 0-9, _ and -.');
    }
    const status = await options.store.status(docName);
    if (status === 'trashed' || status === 'purged') return sendError(res, 410, 'doc-deleted', 'This document has been deleted; it cannot be created again.');
    if (status === 'missing') await options.store.append([{ docName, update: Y.encodeStateAsUpdate(new Y.Doc()) }]);
    res.status(status === 'missing' ? 201 : 200).json({ id: docName, editUrl: `${baseUrl(req, options.publicUrl)}/d/${docName}` });
  });

  api.get('/docs/:id', async (req, res) => {
    const grant = await authorize(req, res, req.params.id, 'edit');
    if (grant === null) return;
    const docName = grant.docName;
    const stat = await options.store.stat(docName);
    const content = await options.readDoc(docName);
    if (content === null && stat === null) return sendError(res, 404, 'not-found', 'No document has this id.');
    // null: the title could not be read now (the conversion workers are busy or refused it);
    // the rest of the answer does not wait for them.
    let title: string | null = '';
    if (content?.kind === 'live') title = docTitle(content.doc.getXmlFragment(FRAGMENT_NAME));
    else if (content?.kind === 'stored') {
      try {
        const titled = await options.conversions.run({ kind: 'title', updates: content.updates });
        if (titled.kind !== 'title') throw new Error(`The conversion pool answered a title with ${titled.kind}.`);
        title = titled.title;
      } catch (error) {
        if (!(error instanceof QuireError) || error.code === 'server-shutdown') throw error;
        title = null;
      }
    }
    res.json({
      // A link token never reveals the id; whoever used the id, or owns the document, knows it.
      ...(roleIncludes(grant.role, 'owner') || grant.linkId === ORIGINAL_LINK_ID ? { id: docName } : {}),
      title,
      sizeBytes: stat?.storedBytes ?? 0,
      updatedAt: stat ? new Date(stat.updatedAt).toISOString() : null,
      connected: options.presentCount(docName),
    });
  });

  api.use(
    createLinksApi({
      links,
      authorize,
      jsonBody,
      baseUrl: (req) => baseUrl(req, options.publicUrl),
      now: options.now,
      linkRevoked: options.linkRevoked,
      viewTokenFor: options.viewTokenFor,
      regenerateViewToken: options.regenerateViewToken,
    }),
  );

  // Deleting a document is for its owner (and the admin API).
  api.delete('/docs/:doc', async (req, res) => {
    const grant = await authorize(req, res, req.params.doc, 'owner');
    if (grant === null) return;
    await options.deleteDoc(grant.docName);
    res.status(204).end();
  });

  // `name` is the edit id, or `v.<token>` for a view link.
  api.get('/docs/:name/export', async (req, res) => {
    const format = (req.query['format'] ?? 'md') as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) return sendError(res, 400, 'bad-request', `format must be one of ${EXPORT_FORMATS.join(', ')}.`);
    const grant = await authorize(req, res, req.params.name, 'view');
    if (grant === null) return;
    const content = await options.readDoc(grant.docName);
    if (content === null) return sendError(res, 404, 'not-found', 'No document has this id.');
    const updates = content.kind === 'live' ? [content.encodedState()] : content.updates;
    await sendExport(res, options.conversions, format, updates, blobUrlPrefix(req, req.params.name));
  });

  api.use(createHistoryApi({ versions: options.versions, conversions: options.conversions, authorize, jsonBody, blobUrlPrefix }));

  api.use(createBlobApi({ store: options.store, limits: options.limits, authorize, linkBase: (req) => baseUrl(req, options.publicUrl) }));

  api.use(
    '/admin',
    createAdminApi({
      store: options.store,
      adminToken: options.adminToken,
      presentCount: options.presentCount,
      deleteDoc: options.deleteDoc,
      trash: options.trash,
      mintOwnerLink: async (docName, req) => `${baseUrl(req, options.publicUrl)}/d/${(await links.issue(docName, { role: 'owner' })).token}`,
    }),
  );

  api.use((_req: Request, res: Response) => sendError(res, 404, 'not-found', 'No such API endpoint.'));
  // Typed refusals from below (conversions, limits) keep their code; anything else is the app's.
  api.use((error: unknown, _req: Request, res: Response, next: express.NextFunction) => {
    if (!(error instanceof QuireError) || res.headersSent) return next(error);
    sendError(res, REFUSAL_STATUS[error.code] ?? 400, error.code, error.message);
  });
  return api;
}
