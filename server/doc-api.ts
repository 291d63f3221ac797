/**
 * The document API (JSON): create documents (optionally from Markdown or HTML), read their
 * metadata, export them, manage view links, and, with the admin token, list and delete them.
 * Errors have one shape: `{ error: { code, message } }`.
 */
import { timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import * as Y from 'yjs';
import { docTitle } from '../client/editor/title.js';
import { isDocId, newDocId, parseDocName, viewKeyOf } from '../shared/doc-id.js';
import type { DocStore } from '../storage/doc-store.js';
import { FRAGMENT_NAME, htmlPage, htmlToPm, markdownToPm, pmToHtml, pmToMarkdown, pmToYUpdate, yDocToPm } from './doc-format.js';
import { sendError } from './http-app.js';

export interface DocApiOptions {
  readonly store: DocStore;
  readonly adminToken: string | null;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** The document as this node has it: the loaded room's doc, else read from storage. Null when nothing is stored. */
  /** The loaded room's document, else one read from storage; null when nothing is stored. Read it, never change it. */
  readonly readDoc: (docId: string) => Promise<{ doc: Y.Doc; release: () => void } | null>;
  /** Connections in the document now (on this node). */
  readonly presentCount: (docId: string) => number;
  readonly viewTokenFor: (docId: string) => Promise<string>;
  readonly regenerateViewToken: (docId: string) => Promise<string>;
  /** Disconnects the document's pages and removes every stored byte of it. */
  readonly deleteDoc: (docId: string) => Promise<void>;
}

type Format = 'md' | 'html' | 'json' | 'yjs';
const FORMATS: readonly Format[] = ['md', 'html', 'json', 'yjs'];

function origin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

function docUrls(req: Request, docId: string, viewToken: string) {
  return { id: docId, editUrl: `${origin(req)}/d/${docId}`, viewUrl: `${origin(req)}/v/${viewToken}` };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createDocApi(options: DocApiOptions): Router {
  const api = express.Router();
  const textBody = express.text({ type: ['text/markdown', 'text/x-markdown', 'text/html', 'text/plain'], limit: options.maxBodyBytes });
  const jsonBody = express.json({ limit: options.maxBodyBytes });

  api.post('/docs', textBody, jsonBody, async (req, res) => {
    const type = req.get('content-type') ?? '';
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
    const docId = newDocId();
    // Even an empty document is stored, so that it exists from now on.
    const update = markdown !== null || html !== null ? pmToYUpdate(html !== null ? htmlToPm(html) : markdownToPm(markdown ?? '')) : Y.encodeStateAsUpdate(new Y.Doc());
    await options.store.append([{ docId, update }]);
    const token = await options.viewTokenFor(docId);
    res.status(201).json(docUrls(req, docId, token));
  });

  api.get('/docs/:id', async (req, res) => {
    const docId = req.params.id;
    if (!isDocId(docId)) return sendError(res, 400, 'invalid-doc-name', 'The document id is malformed.');
    const stat = await options.store.stat(docId);
    const read = await options.readDoc(docId);
    if (read === null && stat === null) return sendError(res, 404, 'not-found', 'No document has this id.');
    let title = '';
    if (read !== null) {
      try {
        title = docTitle(read.doc.getXmlFragment(FRAGMENT_NAME));
      } finally {
        read.release();
      }
    }
    res.json({
      id: docId,
      title,
      sizeBytes: stat?.storedBytes ?? 0,
      updatedAt: stat ? new Date(stat.updatedAt).toISOString() : null,
      connected: options.presentCount(docId),
    });
  });

  api.get('/docs/:id/links', async (req, res) => {
    const docId = req.params.id;
    if (!isDocId(docId)) return sendError(res, 400, 'invalid-doc-name', 'The document id is malformed.');
    const token = await options.viewTokenFor(docId);
    res.json({ editUrl: `/d/${docId}`, viewUrl: `/v/${token}` });
  });

  api.post('/docs/:id/view-link', async (req, res) => {
    const docId = req.params.id;
    if (!isDocId(docId)) return sendError(res, 400, 'invalid-doc-name', 'The document id is malformed.');
    const token = await options.regenerateViewToken(docId);
    res.json({ viewUrl: `/v/${token}`, viewKey: viewKeyOf(token) });
  });

  // `name` is the edit id, or `v.<token>` for a view link.
  api.get('/docs/:name/export', async (req, res) => {
    const format = (req.query['format'] ?? 'md') as Format;
    if (!FORMATS.includes(format)) return sendError(res, 400, 'bad-request', `format must be one of ${FORMATS.join(', ')}.`);
    const parsed = parseDocName(req.params.name);
    if (parsed === null) return sendError(res, 400, 'invalid-doc-name', 'Use the document id or v.<view token>.');
    const docId = parsed.kind === 'id' ? parsed.docId : await options.store.resolveViewToken(parsed.token);
    if (docId === null) return sendError(res, 404, 'not-found', 'This view link does not exist or was regenerated.');
    const read = await options.readDoc(docId);
    if (read === null) return sendError(res, 404, 'not-found', 'No document has this id.');
    try {
      res.setHeader('Cache-Control', 'no-store');
      if (format === 'yjs') {
        res.type('application/octet-stream').send(Buffer.from(Y.encodeStateAsUpdate(read.doc)));
        return;
      }
      const pm = yDocToPm(read.doc);
      if (format === 'json') res.json(pm.toJSON());
      else if (format === 'md') res.type('text/markdown; charset=utf-8').send(pmToMarkdown(pm));
      else {
        res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
        res.type('text/html; charset=utf-8').send(htmlPage(docTitle(pm) || 'Untitled', pmToHtml(pm)));
      }
    } finally {
      read.release();
    }
  });

  const admin = express.Router();
  admin.use((req, res, next) => {
    if (options.adminToken === null) return sendError(res, 404, 'disabled', 'The admin API is off; set ADMIN_TOKEN to turn it on.');
    const header = req.get('authorization') ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    if (match === null) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return sendError(res, 401, 'unauthorized', 'Send Authorization: Bearer <ADMIN_TOKEN>.');
    }
    if (!sameSecret(match[1]!, options.adminToken)) return sendError(res, 403, 'forbidden', 'The admin token is wrong.');
    next();
  });
  admin.get('/docs', async (_req, res) => {
    const docs = await options.store.list();
    res.json({
      docs: docs.map((d) => ({ id: d.docId, sizeBytes: d.storedBytes, updatedAt: new Date(d.updatedAt).toISOString(), connected: options.presentCount(d.docId) })),
    });
  });
  admin.delete('/docs/:id', async (req, res) => {
    const docId = req.params.id;
    if (!isDocId(docId)) return sendError(res, 400, 'invalid-doc-name', 'The document id is malformed.');
    if ((await options.store.stat(docId)) === null && options.presentCount(docId) === 0) {
      return sendError(res, 404, 'not-found', 'No document has this id.');
    }
    await options.deleteDoc(docId);
    res.status(204).end();
  });
  api.use('/admin', admin);

  api.use((_req: Request, res: Response) => sendError(res, 404, 'not-found', 'No such API endpoint.'));
  return api;
}
