/**
 * An attacker's Socket.IO connection, written at the Engine.IO level: it sends exactly the
 * packets it is given (text or binary), can stop reading (`pause`, so the server's writes pile
 * up), and reports when the server closed it. It speaks just enough of the protocol: the
 * WebSocket transport, the open packet, and joining the `/quire` namespace.
 */
import WebSocket from 'ws';
import { QUIRE_NAMESPACE } from '../../shared/events.js';
import { withTimeout } from './wait.js';

export class RawEngineSocket {
  private closedWith: { code: number; reason: string } | null = null;
  private readonly closed: Promise<void>;
  /** Text packets received (binary ones are counted only). */
  readonly texts: string[] = [];
  binaryFrames = 0;

  private constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.closedWith = { code, reason: reason.toString() };
        resolve();
      });
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.binaryFrames++;
      else {
        const text = data.toString();
        this.texts.push(text);
        // Answer pings, so that only what a test does decides whether the connection lives.
        if (text === '2') ws.send('3');
      }
    });
    ws.on('error', () => {
      // A refused or reset connection shows as closed.
    });
  }

  /** Opens a WebSocket connection and joins the /quire namespace; rejects when the server refuses. */
  static async connect(url: string, options: { headers?: Record<string, string>; joinNamespace?: boolean } = {}): Promise<RawEngineSocket> {
    const target = `${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(target, { headers: options.headers });
    const socket = new RawEngineSocket(ws);
    await withTimeout('the WebSocket to open', new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_request, response) => reject(new Error(`The server answered ${response.statusCode}.`)));
    }));
    await socket.waitForText((text) => text.startsWith('0{'), 'the Engine.IO open packet');
    if (options.joinNamespace ?? true) {
      ws.send(`40${QUIRE_NAMESPACE},`);
      const reply = await socket.waitForText((text) => text.startsWith(`40${QUIRE_NAMESPACE},`) || text.startsWith(`44${QUIRE_NAMESPACE},`), 'the namespace reply');
      if (reply.startsWith('44')) {
        ws.close();
        throw new Error(`The namespace refused the connection: ${reply}`);
      }
    }
    return socket;
  }

  get isClosed(): boolean {
    return this.closedWith !== null;
  }

  sendText(packet: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(packet);
  }

  sendBinary(frame: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame, { binary: true });
  }

  /** Stops reading: what the server sends piles up in its buffers (and then in TCP's). */
  pause(): void {
    this.ws.pause();
  }

  /** Reads again (what the server closed meanwhile shows as closed only once read). */
  resume(): void {
    this.ws.resume();
  }

  /** Resolves once the server closed the connection (or rejects after `timeoutMs`). */
  async waitForClose(timeoutMs = 5000): Promise<void> {
    await withTimeout('the server to close the connection', this.closed, timeoutMs);
  }

  async close(): Promise<void> {
    if (this.closedWith === null) {
      this.ws.terminate();
      await this.closed;
    }
  }

  /** Resolves with the first text packet received that `match` accepts. */
  async waitForText(match: (text: string) => boolean, what: string, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.texts.find(match);
      if (found !== undefined) return found;
      if (this.closedWith !== null) throw new Error(`The connection closed while waiting for ${what} (${this.closedWith.code} ${this.closedWith.reason}).`);
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; received ${JSON.stringify(this.texts).slice(0, 300)}.`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
