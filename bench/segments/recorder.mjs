// Preloaded into every process of a bench run when QUIRE_BENCH_SEGMENTS=<dir> is set (see
// bench/segments/relay-segments.ts): records when each TCP socket of the process received data and
// when it was written to, on the machine's monotonic clock (the one bench/stats.ts reads), and
// whatever the bench marks through `globalThis.quireBenchSegments`. It writes them to
// <dir>/<pid>.json every second and when the process exits. Plain JavaScript: the peer servers
// run without a TypeScript loader.
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.QUIRE_BENCH_SEGMENTS;
/** Enough for the relay cases of a full run; past it, times are no longer recorded. */
const MAX_TIMES = 4_000_000;

if (dir !== undefined && dir !== '' && globalThis.quireBenchSegments === undefined) {
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  const received = [];
  const written = [];
  const marks = [];

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

  const save = () => writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify(globalThis.quireBenchSegments.snapshot()));
  setInterval(save, 1000).unref();
  process.on('exit', save);
}
