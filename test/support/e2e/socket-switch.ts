/**
 * Cuts and restores one browser context's connection to the collaboration server while leaving
 * the rest of HTTP working, so the page can still be reloaded "offline".
 *
 * Why not `context.setOffline(true)`: Chromium's offline emulation fails new requests but leaves
 * open WebSockets running (playwright#4910), and it would also stop the page itself from loading on
 * reload (the pages are not cached by a service worker). So the switch acts on the collaboration
 * traffic only (Quire's WebSocket and Socket.IO), like a network that drops it: Engine.IO polling requests are aborted with a
 * network error, and WebSockets are routed through Playwright so that a cut closes them at once
 * and refuses new ones.
 *
 * `stall()` is the other way a network goes: the open WebSockets stay open on both ends but carry
 * nothing more, ever (as after a Wi-Fi drop that closes nothing), and new connections are refused
 * until `restore()`. Only the page can notice, by what does not arrive; when it closes a stalled
 * socket, the server's end stays open, as it would, until the server's own ping timeout.
 */
import type { BrowserContext, WebSocketRoute } from 'playwright-core';

/** Quire's collaboration traffic: Socket.IO's requests and WebSockets, and Quire's own WebSocket. */
const COLLABORATION_PATHS = /\/socket\.io\/|\/quire-ws(\?|$)/;

/** Close codes 1005 and 1006 (and others) describe a closure but may not be sent in a close frame. */
function sendable(code: number | undefined, reason: string | undefined): { code?: number; reason?: string } {
  const valid = code !== undefined && (code === 1000 || (code >= 1001 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999));
  return valid ? { code, reason } : {};
}

interface RoutedSocket {
  readonly page: WebSocketRoute;
  readonly server: WebSocketRoute;
  stalled: boolean;
}

export class SocketSwitch {
  private online = true;
  private readonly open = new Set<RoutedSocket>();
  /** Frames that stalled sockets swallowed, both ways. */
  private swallowed = 0;

  /** Installs the routes on `context`; call before the page opens. Starts online. */
  async install(context: BrowserContext): Promise<void> {
    await context.route(COLLABORATION_PATHS, (route) =>
      this.online ? route.continue() : route.abort('internetdisconnected'),
    );
    await context.routeWebSocket(COLLABORATION_PATHS, (page) => {
      if (!this.online) {
        void page.close({ code: 1001, reason: 'offline' }).catch(() => undefined);
        return;
      }
      const pair: RoutedSocket = { page, server: page.connectToServer(), stalled: false };
      this.open.add(pair);
      page.onMessage((message) => (pair.stalled ? this.swallowed++ : pair.server.send(message)));
      pair.server.onMessage((message) => (pair.stalled ? this.swallowed++ : page.send(message)));
      page.onClose((code, reason) => {
        this.open.delete(pair);
        if (!pair.stalled) void pair.server.close(sendable(code, reason)).catch(() => undefined);
      });
      pair.server.onClose((code, reason) => {
        this.open.delete(pair);
        if (!pair.stalled) void page.close(sendable(code, reason)).catch(() => undefined);
      });
    });
  }

  get isOnline(): boolean {
    return this.online;
  }

  /** Drops every open Socket.IO connection of the context and refuses new ones. */
  async cut(): Promise<void> {
    this.online = false;
    const pairs = [...this.open];
    this.open.clear();
    await Promise.all(
      pairs.flatMap(({ page, server }) => [
        page.close({ code: 1001, reason: 'offline' }).catch(() => undefined),
        server.close({ code: 1001, reason: 'offline' }).catch(() => undefined),
      ]),
    );
  }

  /**
   * Leaves every open Socket.IO WebSocket of the context open but carrying nothing, for good, and
   * refuses new connections until restore().
   */
  stall(): void {
    this.online = false;
    for (const pair of this.open) pair.stalled = true;
    this.open.clear();
  }

  /** How many frames stalled sockets have swallowed so far (both directions). */
  get framesSwallowed(): number {
    return this.swallowed;
  }

  /** Lets Socket.IO traffic through again (a stalled socket stays stalled); the page reconnects by itself. */
  restore(): void {
    this.online = true;
  }
}
