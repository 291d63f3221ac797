/**
 * One unmasked, final WebSocket frame (RFC 6455 §5.2) around a binary payload, header and payload
 * in one buffer. A message fanned out to many readers is framed once and the same bytes written to
 * each WebSocket (Engine.IO takes such a frame as `wsPreEncodedFrame`), in one write apiece.
 */
const FIN_BINARY = 0x82;

export function binaryFrame(payload: Uint8Array): Buffer {
  const length = payload.byteLength;
  const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_BINARY;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 0x10000) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.set(payload, headerLength);
  return frame;
}
