/** BenchClient over y-websocket 2.1.0's WebsocketProvider, with `ws` as the WebSocket in Node. */
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { announcePresence, type BenchClient, type ClientOptions } from './bench-client.js';

export function createYWebsocketClient(url: string, docName: string, options: ClientOptions = {}): BenchClient {
  const doc = options.doc ?? new Y.Doc();
  const provider = new WebsocketProvider(url.replace(/^http/, 'ws'), docName, doc, {
    connect: false,
    // The typings want the DOM WebSocket class; `ws` implements the same client API in Node.
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    // Node 20 has a global BroadcastChannel: without this, clients in one process would sync
    // through it and bypass the server.
    disableBc: true,
  });
  announcePresence(provider.awareness, options);
  const synced = new Promise<void>((resolve) => {
    const onSync = (isSynced: boolean): void => {
      if (!isSynced) return;
      provider.off('sync', onSync);
      resolve();
    };
    provider.on('sync', onSync);
  });
  return {
    doc,
    connect: () => provider.connect(),
    whenSynced: () => synced,
    destroy: () => {
      provider.destroy();
      // The provider made this Awareness but does not destroy it; its timer would keep Node alive.
      provider.awareness.destroy();
    },
  };
}
