/** BenchClient over Quire's DocProvider with its default channel: Quire's WebSocket (Socket.IO only as a fallback). */
import * as Y from 'yjs';
import { DocProvider } from '../../client/provider.js';
import { announcePresence, type BenchClient, type ClientOptions } from './bench-client.js';

export function createQuireClient(url: string, docName: string, options: ClientOptions = {}): BenchClient {
  const doc = options.doc ?? new Y.Doc();
  const provider = new DocProvider(url, docName, doc, { connect: false });
  announcePresence(provider.awareness, options);
  return {
    doc,
    connect: () => provider.connect(),
    whenSynced: () => provider.whenSynced(),
    destroy: () => provider.destroy(),
  };
}
