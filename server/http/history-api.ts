/**
 * The version history of a document over HTTP: list, name the current state, export a version,
 * restore one. Any grant that may change the document (any role but `view`) may use it; view
 * links cannot see the history. Requests are resolved by the document API's `authorize`.
 */
import express, { type Request, type Response, type Router } from 'express';
import { QuireError } from '../../shared/errors.js';
import type { Role } from '../../shared/events.js';
import type { VersionRecord } from '../../storage/version-store.js';
import type { Grant } from '../core/access.js';
import type { VersionKeeper } from '../core/versions/version-keeper.js';
import type { ConversionPool } from './convert/conversion-pool.js';
import { sendError } from './http-app.js';
import { EXPORT_FORMATS, sendExport, type ExportFormat } from './send-export.js';

export interface HistoryApiOptions {
  readonly versions: VersionKeeper;
  readonly conversions: ConversionPool;
  /** The document API's resolution of a request: the grant, or null once the refusal is sent. */
  readonly authorize: (req: Request, res: Response, name: unknown, role: Role) => Promise<Grant | null>;
  readonly jsonBody: express.RequestHandler;
  /** Where an export asked for under a document name points its pictures (the blob route). */
  readonly blobUrlPrefix: (req: Request, name: unknown) => string;
}

const VERSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_LABEL = 200;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A version as the API shows it. */
export function versionJson(version: VersionRecord) {
  return {
    id: version.id,
    createdAt: new Date(version.createdAt).toISOString(),
    label: version.label,
    kind: version.kind,
    authors: version.authors,
    sizeBytes: version.sizeBytes,
  };
}

export function createHistoryApi(options: HistoryApiOptions): Router {
  const api = express.Router();

  /** The grant of a request that may see the document's history, or null once refused. */
  const historyGrant = async (req: Request, res: Response): Promise<Grant | null> => {
    const grant = await options.authorize(req, res, req.params['id'], 'view');
    if (grant === null) return null;
    if (grant.role === 'view') {
      sendError(res, 403, 'forbidden', 'View links cannot see the version history; open the document with an edit link.');
      return null;
    }
    return grant;
  };
  const historyDoc = async (req: Request, res: Response): Promise<string | null> => (await historyGrant(req, res))?.docName ?? null;
  /** The version id in the path, or null once refused. */
  const versionId = (req: Request, res: Response): string | null => {
    const id = req.params['version'];
    if (typeof id === 'string' && VERSION_ID.test(id)) return id;
    sendError(res, 400, 'bad-request', 'A version id is 1 to 64 characters of A-Z a-z 0-9 _ -.');
    return null;
  };

  api.get('/docs/:id/versions', async (req, res) => {
    const docName = await historyDoc(req, res);
    if (docName === null) return;
    res.json({ versions: (await options.versions.list(docName)).map(versionJson) });
  });

  api.post('/docs/:id/versions', options.jsonBody, async (req, res) => {
    const docName = await historyDoc(req, res);
    if (docName === null) return;
    const label: unknown = (req.body as { label?: unknown } | undefined)?.label;
    if (typeof label !== 'string' || label.trim() === '' || label.length > MAX_LABEL || CONTROL.test(label)) {
      return sendError(res, 400, 'bad-request', `Send JSON { "label": "…" }: a name of 1 to ${MAX_LABEL} characters, on one line.`);
    }
    const version = await options.versions.name(docName, label.trim());
    res.status(201).json(versionJson(version));
  });

  api.get('/docs/:id/versions/:version/export', async (req, res) => {
    const format = (req.query['format'] ?? 'md') as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) return sendError(res, 400, 'bad-request', `format must be one of ${EXPORT_FORMATS.join(', ')}.`);
    const docName = await historyDoc(req, res);
    if (docName === null) return;
    const id = versionId(req, res);
    if (id === null) return;
    const stored = await options.versions.load(docName, id);
    if (stored === null) return sendError(res, 404, 'not-found', 'This document has no version with this id.');
    // A version's pictures are the document's: the same blob route serves them.
    await sendExport(res, options.conversions, format, [stored.snapshot], options.blobUrlPrefix(req, req.params['id']));
  });

  api.post('/docs/:id/versions/:version/restore', async (req, res) => {
    const grant = await historyGrant(req, res);
    if (grant === null) return;
    const id = versionId(req, res);
    if (id === null) return;
    try {
      res.json(await options.versions.restore(grant.docName, id, grant.author));
    } catch (error) {
      if (error instanceof QuireError && error.code === 'not-found') return sendError(res, 404, 'not-found', error.message);
      throw error;
    }
  });

  return api;
}
