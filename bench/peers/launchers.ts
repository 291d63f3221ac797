/** The server launcher of each peer. */
import type { PeerName, ServerLauncher } from './bench-client.js';
import { hocuspocusLauncher } from './hocuspocus-launcher.js';
import { quireLauncher } from './quire-launcher.js';
import { yWebsocketLauncher } from './y-websocket-launcher.js';

export const LAUNCHERS: Readonly<Record<PeerName, ServerLauncher>> = {
  quire: quireLauncher,
  'y-websocket': yWebsocketLauncher,
  hocuspocus: hocuspocusLauncher,
};
