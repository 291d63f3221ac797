/** Things the tests do inside the editor page through `window.quire`. */
import type { Page } from 'playwright-core';
import type { QuireWindow } from './page-types.js';

/** The provider's status, role, unsaved count, last error code and Engine.IO transport. */
export async function providerState(page: Page): Promise<{
  status: string | null;
  role: string | null;
  unsaved: number | null;
  errorCode: string | null;
  transport: string | null;
}> {
  return page.evaluate(() => {
    const provider = (window as unknown as QuireWindow).quire?.provider;
    if (provider === undefined) return { status: null, role: null, unsaved: null, errorCode: null, transport: null };
    return {
      status: provider.status,
      role: provider.role,
      unsaved: provider.unsavedCount,
      errorCode: provider.lastError?.code ?? null,
      transport: provider.channel.transportName,
    };
  });
}

/**
 * Resolves once everything y-indexeddb has queued for this document is committed. IndexedDB
 * starts a read-only transaction only after every earlier read-write transaction on the same
 * store has finished, whichever connection made it, so reading the store is a flush.
 */
export async function flushIndexedDb(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const docName = (window as unknown as QuireWindow).quire?.docName;
    if (docName === undefined) throw new Error('window.quire.docName is missing');
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(`quire:${docName}`);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      return await new Promise<number>((resolve, reject) => {
        const transaction = db.transaction(['updates'], 'readonly');
        const count = transaction.objectStore('updates').count();
        transaction.oncomplete = () => resolve(count.result);
        transaction.onerror = () => reject(transaction.error);
      });
    } finally {
      db.close();
    }
  });
}
