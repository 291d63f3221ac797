/**
 * Framing of the Yjs messages that travel inside Socket.IO events. Encoding and decoding live
 * here and nowhere else. The byte formats are y-protocols' own (see PROTOCOL.md):
 *
 *   syncMessage      = varUint(messageType) varUint8Array(payload)
 *   messageType      = 0 (step 1: payload is a state vector)
 *                    | 1 (step 2: payload is a Yjs update)
 *                    | 2 (update: payload is a Yjs update)
 *   awarenessUpdate  = varUint(n) { varUint(clientId) varUint(clock) varString(stateJson) }*n
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;
export type SyncMessageType = typeof SYNC_STEP1 | typeof SYNC_STEP2 | typeof SYNC_UPDATE;

export interface SyncMessage {
  readonly type: SyncMessageType;
  /** A state vector for step 1, a Yjs update for step 2 and update. */
  readonly payload: Uint8Array;
}

export function encodeSyncMessage(type: SyncMessageType, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  return encodeSyncMessage(SYNC_STEP1, Y.encodeStateVector(doc));
}

export function encodeSyncStep2(doc: Y.Doc, remoteStateVector?: Uint8Array): Uint8Array {
  return encodeSyncMessage(SYNC_STEP2, Y.encodeStateAsUpdate(doc, remoteStateVector));
}

export function encodeUpdateMessage(update: Uint8Array): Uint8Array {
  return encodeSyncMessage(SYNC_UPDATE, update);
}

/**
 * Reads the frame of a sync message without interpreting its payload. Returns null when the
 * bytes are not exactly one well-formed frame (unknown type, truncated, or trailing bytes).
 */
export function decodeSyncMessage(bytes: Uint8Array): SyncMessage | null {
  try {
    const decoder = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(decoder);
    if (type !== SYNC_STEP1 && type !== SYNC_STEP2 && type !== SYNC_UPDATE) return null;
    const payload = decoding.readVarUint8Array(decoder);
    if (decoding.hasContent(decoder)) return null;
    return { type, payload };
  } catch {
    return null;
  }
}

/**
 * Checks that bytes are a well-formed Yjs (v1) update by decoding it completely, without
 * applying it to any document. Never throws.
 */
export function isWellFormedUpdate(update: Uint8Array): boolean {
  if (update.length < 2) return false;
  try {
    Y.decodeUpdate(update);
    return true;
  } catch {
    return false;
  }
}

/** Checks that bytes are a well-formed state vector. Never throws. */
export function isWellFormedStateVector(stateVector: Uint8Array): boolean {
  try {
    const decoder = decoding.createDecoder(stateVector);
    const count = decoding.readVarUint(decoder);
    for (let i = 0; i < count; i++) {
      decoding.readVarUint(decoder);
      decoding.readVarUint(decoder);
    }
    return !decoding.hasContent(decoder);
  } catch {
    return false;
  }
}

export interface AwarenessEntry {
  readonly clientId: number;
  readonly clock: number;
  /** The JSON text of the state; the string `null` removes the client. */
  readonly stateJson: string;
}

/**
 * Decodes an awareness update into its entries, checking that every state is valid JSON.
 * Returns null when the bytes are malformed. Never throws.
 */
export function decodeAwarenessUpdate(bytes: Uint8Array): AwarenessEntry[] | null {
  try {
    const decoder = decoding.createDecoder(bytes);
    const count = decoding.readVarUint(decoder);
    // Each entry needs at least three bytes, so a larger count is a lie about the length.
    if (count > bytes.length / 3) return null;
    const entries: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const stateJson = decoding.readVarString(decoder);
      JSON.parse(stateJson);
      entries.push({ clientId, clock, stateJson });
    }
    if (decoding.hasContent(decoder)) return null;
    return entries;
  } catch {
    return null;
  }
}

/**
 * Socket.IO hands binary payloads over as Buffer in Node and as ArrayBuffer in the browser.
 * Returns the bytes as a Uint8Array, or null when the value is not binary at all.
 */
export function toBytes(value: unknown): Uint8Array | null {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}
