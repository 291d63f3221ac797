// Preloaded into every process of a bench run when QUIRE_BENCH_SEGMENTS=<dir> is set (see
// bench/segments/relay-segments.ts): records when each TCP socket of the process received data and
// when it was written to, on the machine's monotonic clock (the one bench/stats.ts reads), and
// whatever the bench marks through `globalThis.quireBenchSegments`. Once a second, and when the
// process exits, it appends what it recorded since the last time to <dir>/<pid>.ndjson as one
// JSON line: the cost of each write is that second's records, not everything so far, so the
// recorder does not stall the process it measures more as the run goes on. Plain JavaScript: the
// peer servers run without a TypeScript loader.
import net from 'node:net';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.QUIRE_BENCH_SEGMENTS;
/** Enough for the relay cases of a full run; past it, times are no longer recorded. */
const MAX_TIMES = 4_000_000;

if (dir !== undefined && dir !== '' && globalThis.quireBenchSegments === undefined) {
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  const received = [];
  const written = [];
  const marks = [];
  /** How much of each list is in the file already. */
  const saved = { received: 0, written: 0, marks: 0 };

  const emit = net.Socket.prototype.emit;
  net.Socket.prototype.emit = function emitRecorded(event, ...args) {
    if (event === 'data' && received.length < MAX_TIMES) received.push(now());
    return emit.call(this, event, ...args);
  };
  // Every write and writev of a net.Socket goes through _writeGeneric (Node 20 to 24).
  const writeGeneric = net.Socket.prototype._writeGeneric;
  if (typeof writeGeneric !== 'function') throw new Error('net.Socket has no _writeGeneric here; bench/segments/recorder.mjs needs another hook.');
  net.Socket.prototype._writeGeneric = function writeRecorded(...args) {
    if (written.length < MAX_TIMES) written.push(now());
    return writeGeneric.apply(this, args);
  };

  globalThis.quireBenchSegments = {
    now,
    /** Records a mark: a kind and numbers or strings. */
    mark(kind, ...values) {
      if (marks.length < MAX_TIMES) marks.push([kind, ...values]);
    },
    /** What this process recorded so far. */
    snapshot: () => ({ pid: process.pid, received, written, marks }),
  };

  const save = () => {
    const line = {
      pid: process.pid,
      received: received.slice(saved.received),
      written: written.slice(saved.written),
      marks: marks.slice(saved.marks),
    };
    if (line.received.length + line.written.length + line.marks.length === 0) return;
    appendFileSync(join(dir, `${process.pid}.ndjson`), `${JSON.stringify(line)}\n`);
    saved.received = received.length;
    saved.written = written.length;
    saved.marks = marks.length;
  };
  setInterval(save, 1000).unref();
  process.on('exit', save);
}
