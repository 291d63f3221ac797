/**
 * Makes one browser context's pages hear a refusal of their join, as the server will send it for
 * cases the test server cannot produce on demand (an expired link, an `authorize` hook saying no):
 * the server's successful join acknowledgement is rewritten in transit, over Quire's WebSocket,
 * Socket.IO's long-polling and Socket.IO's WebSocket alike, into `{ ok: false, error: { code, message } }`. Everything else passes unchanged,
 * so the page, its provider and the server are all real.
 */
import type { BrowserContext } from 'playwright-core';
import { FRAME_REPLY, QUIRE_WS_PATH, decodeServerFrame, encodeReply } from '../../../shared/ws-frames.js';
import type { QuireErrorPayload } from '../../../shared/errors.js';

const SOCKET_IO_PATH = /\/socket\.io\//;
/** An Engine.IO message (4) holding a Socket.IO ack (3) of a successful join: `43/quire,<id>[{"ok":true,"role":…}]`. */
const JOIN_ACK = /^43(\/[^,[]*,)?(\d+)\[\{"ok":true,"role":"(?:edit|view)"\}\]$/;
/** Engine.IO's separator between packets in one long-polling response. */
const RECORD_SEPARATOR = '\x1e';

/** Installs the rewrite on `context` (before its pages open); `code` is the refusal to report. */
export async function refuseJoins(context: BrowserContext, code: string, message = 'Refused by the test.'): Promise<void> {
  const refusal = JSON.stringify({ ok: false, error: { code, message } });
  const rewrite = (packet: string): string => {
    const match = JOIN_ACK.exec(packet);
    return match === null ? packet : `43${match[1] ?? ''}${match[2]}[${refusal}]`;
  };
  await context.route(SOCKET_IO_PATH, async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    const response = await route.fetch();
    const body = await response.text();
    await route.fulfill({ response, body: body.split(RECORD_SEPARATOR).map(rewrite).join(RECORD_SEPARATOR) });
  });
  await context.routeWebSocket(SOCKET_IO_PATH, (page) => {
    const server = page.connectToServer();
    server.onMessage((message) => page.send(typeof message === 'string' ? rewrite(message) : message));
  });
  // Quire's own framing: a reply frame whose reply names a role answers a join.
  const error = { code, message } as QuireErrorPayload;
  await context.routeWebSocket((url) => url.pathname === QUIRE_WS_PATH, (page) => {
    const server = page.connectToServer();
    server.onMessage((message) => {
      if (typeof message === 'string') return page.send(message);
      const frame = decodeServerFrame(message);
      const joined = frame?.kind === FRAME_REPLY && frame.reply.ok && 'role' in frame.reply;
      page.send(joined ? Buffer.from(encodeReply(frame.ack, { ok: false, error })) : message);
    });
  });
}
