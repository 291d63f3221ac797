/**
 * A TCP proxy on 127.0.0.1 that a test can cut: `cut()` severs every connection through it and
 * refuses new ones until `restore()`. Pointing a node's REDIS_URL at it cuts that node off from the
 * real Redis without touching the shared Redis server or anybody else's connections to it.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class TcpCutProxy {
  readonly port: number;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private isCut = false;

  private constructor(server: Server, port: number) {
    this.server = server;
    this.port = port;
  }

  /** Starts forwarding 127.0.0.1:<port> to `target`. */
  static async start(target: { host: string; port: number }): Promise<TcpCutProxy> {
    let proxy: TcpCutProxy | null = null;
    const server = createServer((client) => proxy?.accept(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('The proxy has no TCP address.');
    proxy = new TcpCutProxy(server, address.port);
    return proxy;
  }

  /** Connections open through the proxy now (each counts its two sockets once). */
  get openConnections(): number {
    return this.sockets.size / 2;
  }

  get cutNow(): boolean {
    return this.isCut;
  }

  /** Severs every connection and refuses new ones until restore(). */
  cut(): void {
    this.isCut = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.isCut = false;
  }

  /** Severs everything and stops listening. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    if (this.isCut) {
      client.destroy();
      return;
    }
    const upstream = createConnection(target);
    const pair = [client, upstream] as const;
    for (const socket of pair) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        for (const other of pair) {
          this.sockets.delete(other);
          other.destroy();
        }
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
