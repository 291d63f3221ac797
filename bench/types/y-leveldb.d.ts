// y-leveldb ships typings (dist/src/y-leveldb.d.ts) but its package.json "exports" map does not
// point at them, so TypeScript cannot find them under NodeNext. This declares the part the bench uses.
declare module 'y-leveldb' {
  import type * as Y from 'yjs';

  export class LeveldbPersistence {
    constructor(location: string, options?: { readonly levelOptions?: object });
    getYDoc(docName: string): Promise<Y.Doc>;
    storeUpdate(docName: string, update: Uint8Array): Promise<number>;
    flushDocument(docName: string): Promise<void>;
    destroy(): Promise<void>;
  }
}
