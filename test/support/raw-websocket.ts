/**
 * A client of Quire's WebSocket transport that sends whatever bytes it is given, for tests that
 * speak the framing directly (shared/ws-frames.ts): malformed frames, floods, readers that stop
 * reading. It records every frame the server sends and how the connection closed.
 */
import { WebSocket } from 'ws';
import type { QuireErrorPayload } from '../../shared/errors.js';
import type { JoinReply } from '../../shared/events.js';
import { FRAME_ERROR, FRAME_REPLY, QUIRE_WS_PATH, decodeServerFrame, encodeJoin, type ServerFrame } from '../../shared/ws-frames.js';
import { waitFor } from './wait.js';

export interface Closed {
  readonly code: number;
}

export class RawWebSocket {
  /** Every frame the server sent, decoded (`null` for bytes that did not decode). */
  readonly frames: (ServerFrame | null)[] = [];
  /** Bytes received in all. */
  receivedBytes = 0;
  closed: Closed | null = null;
  private nextAck = 1;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.receivedBytes += data.byteLength;
      this.frames.push(decodeServerFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    });
    socket.on('close', (code) => {
      this.closed = { code };
    });
    socket.on('error', () => undefined);
  }

  /**
   * Opens a connection; rejects with the HTTP status when the upgrade is refused. With
   * `answerPings: false` it never answers the server's pings, as a peer that vanished would not.
   */
  static connect(baseUrl: string, headers: Record<string, string> = {}, timeoutMs = 5000, { answerPings = true } = {}): Promise<RawWebSocket> {
    const socket = new WebSocket(baseUrl.replace(/^http/, 'ws') + QUIRE_WS_PATH, { headers, perMessageDeflate: false, autoPong: answerPings });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the WebSocket did not open in time')), timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve(new RawWebSocket(socket));
      });
      socket.once('unexpected-response', (_request, response) => {
        clearTimeout(timer);
        reject(new Error(`upgrade refused: HTTP ${response.statusCode}`));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  send(data: Uint8Array | string): void {
    this.socket.send(data);
  }

  /** Joins `docName` and returns the reply. */
  async join(docName: string, token: string | null = null): Promise<JoinReply> {
    const ack = this.nextAck++;
    const mark = this.frames.length;
    this.send(encodeJoin(ack, docName, token, {}));
    let reply: JoinReply | undefined;
    await waitFor('the join reply', () => {
      const frame = this.frames.slice(mark).find((f) => f?.kind === FRAME_REPLY && f.ack === ack);
      reply = frame?.kind === FRAME_REPLY ? (frame.reply as JoinReply) : undefined;
      return reply !== undefined;
    }, 5000);
    return reply!;
  }

  /** The errors the server sent as error frames. */
  get errors(): QuireErrorPayload[] {
    return this.frames.flatMap((frame) => (frame?.kind === FRAME_ERROR ? [frame.error] : []));
  }

  /** Resolves with how the connection closed. */
  async whenClosed(timeoutMs = 5000): Promise<Closed> {
    await waitFor('the server to close the connection', () => this.closed !== null, timeoutMs);
    return this.closed!;
  }

  /** Stops reading from the socket (the kernel's buffers fill, then the server's). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    this.socket.terminate();
  }
}
