/**
 * Documents started on this device while the server could not be reached. The home page makes
 * the id (`newDocId`, as the server would) and notes it here; the editor page asks the server to
 * create the document under that id (`PUT /api/docs/<id>`) before it joins it, and the note goes
 * once the server has it. Until then the document lives only in this browser's IndexedDB.
 */
import { isDocId } from '../../shared/doc-id.js';
import type { KeyValueStorage } from './identity.js';

const STORAGE_KEY = 'quire:created-offline';
/** Between attempts to reach the server while it cannot be reached. */
const RETRY_MS = 3000;

function read(storage: KeyValueStorage | null): string[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isDocId) : [];
  } catch {
    return [];
  }
}

function write(storage: KeyValueStorage | null, ids: readonly string[]): void {
  try {
    if (ids.length === 0) storage?.removeItem(STORAGE_KEY);
    else storage?.setItem(STORAGE_KEY, JSON.stringify(ids));
  } catch {
    // Without storage the page creates the document the next time it is online and open.
  }
}

export function noteCreatedOffline(storage: KeyValueStorage | null, id: string): void {
  write(storage, [...read(storage).filter((other) => other !== id), id]);
}

/** Whether `id` was started offline on this device and the server does not have it yet. */
export function isCreatedOffline(storage: KeyValueStorage | null, id: string): boolean {
  return read(storage).includes(id);
}

export function forgetCreatedOffline(storage: KeyValueStorage | null, id: string): void {
  write(storage, read(storage).filter((other) => other !== id));
}

/** What the server said about a document started offline. */
export type CreationOutcome = 'created' | 'deleted';

/**
 * Asks the server to create `id` until it answers: resolves `created` (also when it existed
 * already) or `deleted` (the id was deleted on the server and cannot be used again). Network
 * failures and server errors are retried every few seconds and at once when the browser is back
 * online. `signal` stops it.
 */
export function createOnServer(id: string, signal: AbortSignal): Promise<CreationOutcome> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const attempt = async (): Promise<void> => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (signal.aborted) return;
      try {
        const response = await fetch(`/api/docs/${encodeURIComponent(id)}`, { method: 'PUT', headers: { accept: 'application/json' }, credentials: 'same-origin', signal });
        if (response.ok) return finish('created');
        if (response.status === 410) return finish('deleted');
        // Too many requests (429) is worth trying again, like a server error.
        if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          const body = (await response.json().catch(() => null)) as { error?: { message?: unknown } } | null;
          const message = typeof body?.error?.message === 'string' ? body.error.message : `the server answered ${response.status}`;
          return fail(new Error(`The document started offline could not be created on the server: ${message}`));
        }
      } catch {
        if (signal.aborted) return;
      }
      timer = setTimeout(() => void attempt(), RETRY_MS);
    };
    const cleanup = (): void => {
      if (timer !== null) clearTimeout(timer);
      window.removeEventListener('online', onOnline);
    };
    const finish = (outcome: CreationOutcome): void => {
      cleanup();
      resolve(outcome);
    };
    const fail = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onOnline = (): void => void attempt();
    window.addEventListener('online', onOnline);
    signal.addEventListener('abort', cleanup, { once: true });
    void attempt();
  });
}
