/** Creates a BenchClient of any peer; the workloads only ever go through this. */
import type { BenchClient, ClientOptions, PeerName } from './bench-client.js';
import { createHocuspocusClient } from './hocuspocus-client.js';
import { createQuireClient } from './quire-client.js';
import { createYWebsocketClient } from './y-websocket-client.js';

/** A new, unconnected client of `docName` on the server at `url` (an http:// base URL). */
export function createBenchClient(peer: PeerName, url: string, docName: string, options: ClientOptions = {}): BenchClient {
  switch (peer) {
    case 'quire':
      return createQuireClient(url, docName, options);
    case 'y-websocket':
      return createYWebsocketClient(url, docName, options);
    case 'hocuspocus':
      return createHocuspocusClient(url, docName, options);
  }
}
