/**
 * Pictures waiting to be uploaded, kept in this browser's IndexedDB (database `quire-images`) so
 * that a picture added offline survives a reload and is uploaded when the connection returns.
 * One record per document and blob id; it is removed once the server has stored the picture.
 */

const DB_NAME = 'quire-images';
const STORE = 'pending';

export interface PendingImage {
  readonly docName: string;
  readonly id: string;
  readonly file: Blob;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB refused the request.'));
  });
}

/** The queue of one browser; every call opens the database briefly. */
export class ImageQueue {
  private db: Promise<IDBDatabase> | null = null;

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: ['docName', 'id'] });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened.'));
    });
    return this.db;
  }

  private async store(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.open()).transaction(STORE, mode).objectStore(STORE);
  }

  async put(image: PendingImage): Promise<void> {
    await request((await this.store('readwrite')).put({ docName: image.docName, id: image.id, file: image.file }));
  }

  async remove(docName: string, id: string): Promise<void> {
    await request((await this.store('readwrite')).delete([docName, id]));
  }

  /** The pictures of `docName` still waiting. */
  async list(docName: string): Promise<PendingImage[]> {
    const range = IDBKeyRange.bound([docName, ''], [docName, '\uffff']);
    return (await request((await this.store('readonly')).getAll(range))) as PendingImage[];
  }
}
