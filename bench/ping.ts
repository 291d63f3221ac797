/**
 * Relay pings: the writer pushes `[seq, sentAtMonotonicMs]` into a Y.Array in the same Y
 * transaction as a one-character insert, so each edit is one small update and every reader can
 * tell when it was sent (monotonic ms from stats.ts, one clock for all processes of the machine).
 */
import type * as Y from 'yjs';
import { monotonicMs } from './stats.js';
import { TEXT_NAME } from './trace.js';

export const PINGS_NAME = 'bench-pings';

export type Ping = [seq: number, sentAt: number];

/** Makes one edit carrying ping `seq`. */
export function sendPing(doc: Y.Doc, seq: number): void {
  const text = doc.getText(TEXT_NAME);
  const pings = doc.getArray<Ping>(PINGS_NAME);
  doc.transact(() => {
    text.insert(text.length, String.fromCharCode(97 + (seq % 26)));
    pings.push([[seq, monotonicMs()]]);
  });
}
