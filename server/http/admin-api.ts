/**
 * The admin API, behind ADMIN_TOKEN (off without it): list documents, delete them (to the trash),
 * list the trash, restore from it, and purge at once.
 */
import express, { type Request, type Response, type Router } from 'express';
import { isDocId } from '../../shared/doc-id.js';
import type { DocStore } from '../../storage/doc-store.js';
import type { TrashEntry } from '../../storage/trash-store.js';
import { bearerToken, sameSecret } from './bearer.js';
import { sendError } from './http-app.js';

/** The trash as the admin API manages it. */
export interface TrashAdmin {
  /** Oldest deletion first, each with when it will be purged. */
  list(): Promise<Array<TrashEntry & { readonly purgeAt: number }>>;
  /** Takes a trashed document out of the trash. */
  restore(docName: string): Promise<void>;
  /** Removes every stored byte of a document now, leaving a tombstone. */
  purge(docName: string): Promise<void>;
}

export interface AdminApiOptions {
  readonly store: DocStore;
  readonly adminToken: string | null;
  /** Connections in the document now (on this node). */
  readonly presentCount: (docName: string) => number;
  /** Disconnects the document's pages and moves it to the trash. */
  readonly deleteDoc: (docName: string) => Promise<void>;
  readonly trash: TrashAdmin;
  /** Issues a new owner link to a live document and answers its URL. */
  readonly mintOwnerLink: (docName: string, req: Request) => Promise<string>;
}

export function createAdminApi(options: AdminApiOptions): Router {
  const admin = express.Router();
  admin.use((req, res, next) => {
    if (options.adminToken === null) return sendError(res, 404, 'disabled', 'The admin API is off; set ADMIN_TOKEN to turn it on.');
    const token = bearerToken(req);
    if (token === null) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return sendError(res, 401, 'unauthorized', 'Send Authorization: Bearer <ADMIN_TOKEN>.');
    }
    if (!sameSecret(token, options.adminToken)) return sendError(res, 403, 'forbidden', 'The admin token is wrong.');
    next();
  });

  /** The document id in the path, or null once refused. */
  const docIdOf = (id: unknown, res: Response): string | null => {
    if (typeof id === 'string' && isDocId(id)) return id;
    sendError(res, 400, 'invalid-doc-name', 'The document id is malformed.');
    return null;
  };

  admin.get('/docs', async (_req, res) => {
    const docs = await options.store.list();
    res.json({
      docs: docs.map((d) => ({ id: d.docName, sizeBytes: d.storedBytes, updatedAt: new Date(d.updatedAt).toISOString(), connected: options.presentCount(d.docName) })),
    });
  });
  admin.delete('/docs/:id', async (req, res) => {
    const docName = docIdOf(req.params.id, res);
    if (docName === null) return;
    const status = await options.store.status(docName);
    if ((status === 'missing' || status === 'purged') && options.presentCount(docName) === 0) {
      return sendError(res, 404, 'not-found', 'No document has this id.');
    }
    // Deleting a document already in the trash changes nothing (it keeps its first deletion time).
    await options.deleteDoc(docName);
    res.status(204).end();
  });

  // An owner link for a document that has none (made before links, or whose owner lost it).
  admin.post('/docs/:id/owner-link', async (req, res) => {
    const docName = docIdOf(req.params.id, res);
    if (docName === null) return;
    if ((await options.store.status(docName)) !== 'live') return sendError(res, 404, 'not-found', 'No live document has this id.');
    res.status(201).json({ ownerUrl: await options.mintOwnerLink(docName, req) });
  });

  admin.get('/trash', async (_req, res) => {
    const entries = await options.trash.list();
    res.json({
      trash: entries.map((entry) => ({
        id: entry.docName,
        deletedAt: new Date(entry.deletedAt).toISOString(),
        purgeAt: new Date(entry.purgeAt).toISOString(),
        sizeBytes: entry.storedBytes,
        totalBytes: entry.totalBytes,
      })),
    });
  });
  admin.post('/trash/:id/restore', async (req, res) => {
    const docName = docIdOf(req.params.id, res);
    if (docName === null) return;
    if ((await options.store.status(docName)) !== 'trashed') return sendError(res, 404, 'not-found', 'No document with this id is in the trash.');
    await options.trash.restore(docName);
    res.json({ restored: docName });
  });
  admin.delete('/trash/:id', async (req, res) => {
    const docName = docIdOf(req.params.id, res);
    if (docName === null) return;
    if ((await options.store.status(docName)) !== 'trashed') return sendError(res, 404, 'not-found', 'No document with this id is in the trash.');
    await options.trash.purge(docName);
    res.status(204).end();
  });
  return admin;
}
