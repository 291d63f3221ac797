/**
 * Relay pings: the writer sets entry `seq` of a Y.Map to the time it sent it (monotonic ms from
 * stats.ts, one clock for all processes of the machine), in the same Y transaction as a
 * one-character insert, so each edit is one small update and every reader can tell when it was
 * sent. A map, not a list: a reader finds the new pings among the event's changed keys, at a cost
 * that does not grow with the pings before them (Yjs drops a list's search markers after every
 * remote change, so reading a list's last entry walked the whole list, per reader and edit).
 */
import type * as Y from 'yjs';
import { monotonicMs } from './stats.js';
import { TEXT_NAME } from './trace.js';

export const PINGS_NAME = 'bench-pings';

/** Makes one edit carrying ping `seq`. */
export function sendPing(doc: Y.Doc, seq: number): void {
  const text = doc.getText(TEXT_NAME);
  const pings = doc.getMap<number>(PINGS_NAME);
  doc.transact(() => {
    text.insert(text.length, String.fromCharCode(97 + (seq % 26)));
    pings.set(String(seq), monotonicMs());
  });
}
