/**
 * The pictures this page adds to its document, from the moment they are chosen until the server
 * has stored them. A picture's id is the SHA-256 of its bytes (base64url), the same id the server
 * gives it, so the image node can enter the document at once, offline too, and every page agrees
 * on it before the upload finished. Meanwhile the picture waits in IndexedDB (image-queue.ts),
 * this page shows it from a local `blob:` URL, and its upload is retried whenever the connection
 * may be back (the browser's `online` event, and a backoff timer).
 */
import { toBase64UrlEncoded } from 'lib0/buffer';
import { digest } from 'lib0/hash/sha256';
import { IMAGE_TYPES, sniffImageType } from '../../shared/image-types.js';
import { DEFAULT_LIMITS } from '../../shared/limits.js';
import { isQuireErrorPayload } from '../../shared/errors.js';
import { ImageQueue } from './image-queue.js';
import { bearerHeaders } from './share-tools.js';

export type UploadState =
  | { readonly kind: 'uploading'; readonly fraction: number }
  /** Offline, or the server did not answer: tried again later. */
  | { readonly kind: 'waiting' }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'done' };

/** What the file picker offers. */
export const IMAGE_ACCEPT = IMAGE_TYPES.join(',');

const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 30_000;
const MIB = 1024 * 1024;

/** The picture `file` is, checked by its bytes: its id and type, or why it cannot be one. */
export async function readPicture(file: Blob): Promise<{ id: string; blob: Blob } | { refusal: string }> {
  if (file.type === 'image/svg+xml') return { refusal: 'SVG pictures cannot be added (they can carry scripts); use PNG instead.' };
  if (file.size > DEFAULT_LIMITS.maxImageBytes) {
    return { refusal: `This picture is ${Math.round(file.size / MIB)} MiB; pictures may be at most ${DEFAULT_LIMITS.maxImageBytes / MIB} MiB.` };
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const type = sniffImageType(bytes);
  if (type === null) return { refusal: 'Only PNG, JPEG, GIF and WebP pictures can be added.' };
  return { id: toBase64UrlEncoded(digest(bytes)), blob: new Blob([bytes], { type }) };
}

export class ImageUploads {
  private readonly localUrls = new Map<string, string>();
  private readonly pending = new Map<string, Blob>();
  private readonly states = new Map<string, UploadState>();
  private readonly running = new Set<string>();
  private readonly listeners = new Set<(id: string) => void>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelay = RETRY_FIRST_MS;

  constructor(
    private readonly docName: string,
    private readonly queue: ImageQueue,
    /** Told when the server refused a picture for good (too large, not a picture…), and which. */
    private readonly onRefused: (message: string, id: string) => void,
    /** A signed token the page was opened with, sent as the upload's bearer; null for a link page. */
    private readonly token: string | null,
  ) {
    window.addEventListener('online', () => this.flush());
  }

  /** Picks up the pictures an earlier visit left waiting, and uploads them. */
  async restore(): Promise<void> {
    for (const image of await this.queue.list(this.docName)) this.track(image.id, image.file);
    this.flush();
  }

  /** A picture this page holds that the server does not have yet, or null. */
  waiting(id: string): Blob | null {
    return this.pending.get(id) ?? null;
  }

  /** The `blob:` URL of a picture this page has locally, or null. */
  localUrl(id: string): string | null {
    return this.localUrls.get(id) ?? null;
  }

  state(id: string): UploadState | undefined {
    return this.states.get(id);
  }

  /** Calls `listener(id)` whenever a picture's state changes; returns the unsubscribe. */
  subscribe(listener: (id: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Keeps a checked picture (see `readPicture`) until the server has it, and starts its upload. */
  async add(id: string, blob: Blob): Promise<void> {
    this.track(id, blob);
    try {
      await this.queue.put({ docName: this.docName, id, file: blob });
    } catch (error) {
      // Without IndexedDB (some private modes) the picture still uploads; it only cannot survive a reload.
      console.warn('The picture could not be kept in IndexedDB', error);
    }
    this.flush();
  }

  /** Uploads every waiting picture that is not uploading now. */
  flush(): void {
    for (const [id, blob] of this.pending) if (!this.running.has(id)) this.upload(id, blob);
  }

  private track(id: string, blob: Blob): void {
    if (!this.localUrls.has(id)) this.localUrls.set(id, URL.createObjectURL(blob));
    this.pending.set(id, blob);
    this.setState(id, { kind: 'waiting' });
  }

  private setState(id: string, state: UploadState): void {
    this.states.set(id, state);
    for (const listener of this.listeners) listener(id);
  }

  private upload(id: string, blob: Blob): void {
    this.running.add(id);
    this.setState(id, { kind: 'uploading', fraction: 0 });
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/docs/${encodeURIComponent(this.docName)}/blobs`);
    xhr.setRequestHeader('Content-Type', blob.type);
    for (const [name, value] of Object.entries(bearerHeaders(this.token))) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) this.setState(id, { kind: 'uploading', fraction: event.loaded / event.total });
    };
    const finished = (ok: boolean, refusal: string | null): void => {
      this.running.delete(id);
      if (ok || refusal !== null) {
        this.pending.delete(id);
        void this.queue.remove(this.docName, id).catch(() => undefined);
      }
      if (ok) {
        this.retryDelay = RETRY_FIRST_MS;
        this.setState(id, { kind: 'done' });
      } else if (refusal !== null) {
        this.setState(id, { kind: 'failed', message: refusal });
        this.onRefused(refusal, id);
      } else {
        this.setState(id, { kind: 'waiting' });
        this.scheduleRetry();
      }
    };
    xhr.onload = () => {
      if (xhr.status === 201) return finished(true, null);
      // The server is down or busy: try again. Anything else is its answer about this picture.
      if (xhr.status >= 500 || xhr.status === 429) return finished(false, null);
      finished(false, refusalMessage(xhr.responseText));
    };
    xhr.onerror = () => finished(false, null);
    xhr.send(blob);
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.flush();
    }, this.retryDelay);
    this.retryDelay = Math.min(RETRY_MAX_MS, this.retryDelay * 2);
  }
}

function refusalMessage(body: string): string {
  try {
    const parsed = (JSON.parse(body) as { error?: unknown }).error;
    if (isQuireErrorPayload(parsed)) return `The picture was not added: ${parsed.message}`;
  } catch {
    // Not JSON: fall through to the general sentence.
  }
  return 'The picture was not added: the server refused it.';
}
