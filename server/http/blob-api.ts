/**
 * Pictures of a document over HTTP:
 * - `POST /docs/:name/blobs` with the picture as the raw body and its Content-Type (PNG, JPEG, GIF
 *   or WebP; checked against the bytes' magic) stores it with the document and answers
 *   `201 { id, url }`. It needs an edit grant; the document API's CSRF guard has already run.
 *   The id is the SHA-256 of the bytes (base64url), so uploading a picture again (a retry, the
 *   same picture twice) stores nothing new, and a page can know the id before uploading.
 * - `GET /docs/:name/blobs/:id` serves it to any grant that may read the document, view links
 *   included, with its stored type, `nosniff` and a policy under which nothing in it can run.
 *
 * Limits: `maxImageBytes` per picture, `maxImageBytesPerDoc` for a document's pictures together
 * (uploads to one document are serialised on this node so that two at once cannot both pass).
 * Blobs are never deleted here: versions refer to them, and they go with the document when it
 * is purged.
 */
import { createHash } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { Role } from '../../shared/events.js';
import type { Limits } from '../../shared/limits.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { KeyedLock } from '../../storage/keyed-lock.js';
import { DocStatusError } from '../../storage/store-errors.js';
import type { Grant } from '../core/access.js';
import { sendError } from './http-app.js';
import { imageRefusal, mediaType } from './image-type.js';

export interface BlobApiOptions {
  readonly store: BlobStore;
  readonly limits: Pick<Limits, 'maxImageBytes' | 'maxImageBytesPerDoc'>;
  /** The document API's resolution of a request: the grant, or null once the refusal is sent. */
  readonly authorize: (req: Request, res: Response, name: unknown, role: Role) => Promise<Grant | null>;
  /** The base of links in answers (PUBLIC_URL, else the request's own origin). */
  readonly linkBase: (req: Request) => string;
}

/** What the blob route answers with besides the bytes: nothing in a blob may run or be sniffed. */
export const BLOB_CSP = "default-src 'none'; img-src 'self'; sandbox";

const BLOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The id of a picture: the SHA-256 of its bytes, base64url (43 characters). */
export function blobIdOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}

const MIB = 1024 * 1024;
const size = (bytes: number): string => (bytes >= MIB ? `${Math.round((bytes / MIB) * 10) / 10} MiB` : `${Math.ceil(bytes / 1024)} KiB`);

/** Reads the raw body, at most `limit` bytes; null once a refusal was sent. */
function readBody(req: Request, res: Response, limit: number): Promise<Buffer | null> {
  const parse = express.raw({ type: () => true, limit });
  return new Promise((resolve, reject) => {
    parse(req, res, (error?: unknown) => {
      if (error === undefined) return resolve(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
      const type = typeof error === 'object' && error !== null && 'type' in error ? error.type : null;
      if (type === 'entity.too.large') {
        sendError(res, 413, 'image-too-large', `A picture may be at most ${size(limit)}.`);
        return resolve(null);
      }
      reject(error instanceof Error ? error : new Error(String(error)));
    });
  });
}

export function createBlobApi(options: BlobApiOptions): Router {
  const { store, limits } = options;
  const uploads = new KeyedLock();
  const api = express.Router();

  api.post('/docs/:name/blobs', async (req, res) => {
    const grant = await options.authorize(req, res, req.params.name, 'edit');
    if (grant === null) return;
    const declared = mediaType(req.get('content-type'));
    if (declared === 'image/svg+xml' || !declared.startsWith('image/')) {
      return sendError(res, 415, 'unsupported-image', imageRefusal(declared, new Uint8Array()) ?? 'Send a picture.');
    }
    const length = Number(req.get('content-length') ?? '0');
    if (length > limits.maxImageBytes) return sendError(res, 413, 'image-too-large', `A picture may be at most ${size(limits.maxImageBytes)}; this one is ${size(length)}.`);
    const body = await readBody(req, res, limits.maxImageBytes);
    if (body === null) return;
    if (body.length === 0) return sendError(res, 400, 'bad-request', 'The request carries no picture; send its bytes as the body.');
    const refusal = imageRefusal(declared, body);
    if (refusal !== null) return sendError(res, 415, 'unsupported-image', refusal);

    const id = blobIdOf(body);
    const docName = grant.docName;
    const stored = await uploads.run(docName, async (): Promise<'stored' | 'full' | 'no-document'> => {
      const existing = await store.listBlobs(docName);
      if (existing.some((blob) => blob.id === id)) return 'stored';
      const used = existing.reduce((sum, blob) => sum + blob.sizeBytes, 0);
      if (used + body.length > limits.maxImageBytesPerDoc) return 'full';
      try {
        await store.putBlob(docName, { id, contentType: declared, bytes: new Uint8Array(body.buffer, body.byteOffset, body.length), createdAt: Date.now() });
      } catch (error) {
        if (error instanceof DocStatusError) return 'no-document';
        throw error;
      }
      return 'stored';
    });
    if (stored === 'no-document') return sendError(res, 404, 'not-found', 'No document has this id.');
    if (stored === 'full') {
      return sendError(res, 413, 'image-too-large', `This document's pictures may take ${size(limits.maxImageBytesPerDoc)} together, and this one does not fit any more.`);
    }
    const name = String(req.params.name);
    res.status(201).json({ id, url: `${options.linkBase(req)}/api/docs/${encodeURIComponent(name)}/blobs/${id}` });
  });

  api.get('/docs/:name/blobs/:blob', async (req, res) => {
    const grant = await options.authorize(req, res, req.params.name, 'view');
    if (grant === null) return;
    const blobId = req.params.blob;
    const blob = BLOB_ID.test(blobId) ? await store.getBlob(grant.docName, blobId) : null;
    if (blob === null) return sendError(res, 404, 'not-found', 'This document has no picture with this id.');
    res.setHeader('Content-Security-Policy', BLOB_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Only the four picture types are ever stored; anything else is offered as a download.
    const picture = /^image\/(png|jpeg|gif|webp)$/.test(blob.contentType);
    res.setHeader('Content-Disposition', picture ? 'inline' : 'attachment');
    // A blob id always names the same bytes; the address is a secret, so only this browser keeps it.
    res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
    res.type(picture ? blob.contentType : 'application/octet-stream').send(Buffer.from(blob.bytes.buffer, blob.bytes.byteOffset, blob.bytes.byteLength));
  });

  return api;
}
