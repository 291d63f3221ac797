/** BenchClient over @hocuspocus/provider 3.4.4, one HocuspocusProviderWebsocket (on `ws`) per client. */
import WebSocket from 'ws';
import * as Y from 'yjs';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { announcePresence, type BenchClient, type ClientOptions } from './bench-client.js';

export function createHocuspocusClient(url: string, docName: string, options: ClientOptions = {}): BenchClient {
  const doc = options.doc ?? new Y.Doc();
  const socket = new HocuspocusProviderWebsocket({
    url: url.replace(/^http/, 'ws'),
    WebSocketPolyfill: WebSocket,
    autoConnect: false,
  });
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: docName, document: doc });
  announcePresence(provider.awareness, options);
  const synced = new Promise<void>((resolve) => {
    const onSynced = ({ state }: { state: boolean }): void => {
      if (!state) return;
      provider.off('synced', onSynced);
      resolve();
    };
    provider.on('synced', onSynced);
  });
  return {
    doc,
    connect: () => {
      provider.attach();
      void socket.connect();
    },
    whenSynced: () => synced,
    destroy: () => {
      provider.destroy();
      socket.destroy();
    },
  };
}
