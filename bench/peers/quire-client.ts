/** BenchClient over Quire's DocProvider, on the websocket transport only (no polling upgrade). */
import * as Y from 'yjs';
import { DocProvider } from '../../client/provider.js';
import type { BenchClient, ClientOptions } from './bench-client.js';

export function createQuireClient(url: string, docName: string, options: ClientOptions = {}): BenchClient {
  const doc = options.doc ?? new Y.Doc();
  const provider = new DocProvider(url, docName, doc, { connect: false, transports: ['websocket'] });
  return {
    doc,
    connect: () => provider.connect(),
    whenSynced: () => provider.whenSynced(),
    destroy: () => provider.destroy(),
  };
}
