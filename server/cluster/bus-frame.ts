/**
 * The frames of the room bus between nodes, built and read only here. The byte format (lib0
 * encoding):
 *
 *   frame       = kind senderId body
 *   kind        = byte: 1 update | 2 awareness | 3 sync-request | 4 sync-reply
 *   senderId    = varString (the publishing node's id)
 *   body        = update:       rest = a Yjs update
 *               | awareness:    rest = a y-protocols awareness update
 *               | sync-request: rest = the requester's state vector
 *               | sync-reply:   varString(targetId) varUint8Array(stateVector) rest = a Yjs update
 *
 * A sync-reply is addressed to one node (targetId); the others ignore it. Its state vector is
 * empty when the sender wants no answer.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export const BUS_UPDATE = 1;
export const BUS_AWARENESS = 2;
export const BUS_SYNC_REQUEST = 3;
export const BUS_SYNC_REPLY = 4;

export type BusFrame =
  | { readonly kind: typeof BUS_UPDATE | typeof BUS_AWARENESS | typeof BUS_SYNC_REQUEST; readonly sender: string; readonly payload: Uint8Array }
  | {
      readonly kind: typeof BUS_SYNC_REPLY;
      readonly sender: string;
      readonly target: string;
      /** The replier's state vector when it wants an answer; empty when the exchange ends here. */
      readonly stateVector: Uint8Array;
      /** What the target lacks; may be empty. */
      readonly payload: Uint8Array;
    };

/** Encodes one bus frame. */
export function encodeBusFrame(frame: BusFrame): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeUint8(encoder, frame.kind);
  encoding.writeVarString(encoder, frame.sender);
  if (frame.kind === BUS_SYNC_REPLY) {
    encoding.writeVarString(encoder, frame.target);
    encoding.writeVarUint8Array(encoder, frame.stateVector);
  }
  encoding.writeUint8Array(encoder, frame.payload);
  return encoding.toUint8Array(encoder);
}

/** Decodes one bus frame; null when the bytes are not a well-formed frame. */
export function decodeBusFrame(bytes: Uint8Array): BusFrame | null {
  try {
    const decoder = decoding.createDecoder(bytes);
    const kind = decoding.readUint8(decoder);
    const sender = decoding.readVarString(decoder);
    if (kind === BUS_SYNC_REPLY) {
      const target = decoding.readVarString(decoder);
      const stateVector = decoding.readVarUint8Array(decoder);
      return { kind, sender, target, stateVector, payload: decoding.readTailAsUint8Array(decoder) };
    }
    if (kind !== BUS_UPDATE && kind !== BUS_AWARENESS && kind !== BUS_SYNC_REQUEST) return null;
    return { kind, sender, payload: decoding.readTailAsUint8Array(decoder) };
  } catch {
    return null;
  }
}
