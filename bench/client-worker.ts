/**
 * The client worker: a child process that opens many clients of one server (readers, idle
 * connections) and reports what they observed. Driven over IPC by ClientPool (client-pool.ts);
 * see worker-protocol.ts for the messages. Times are monotonic ms (stats.ts), comparable with the
 * bench process.
 */
import * as Y from 'yjs';
import type { BenchClient } from './peers/bench-client.js';
import { createBenchClient } from './peers/clients.js';
import { PINGS_NAME } from './ping.js';
import { monotonicMs } from './stats.js';
import { sleep, withTimeout } from '../test/support/wait.js';
import { TEXT_NAME } from './trace.js';
import { segmentsRecorder } from './segments/relay-segments.js';
import type { WatchTarget, WorkerEnvelope, WorkerReply, WorkerRequest } from './worker-protocol.js';

interface Reader {
  readonly client: BenchClient;
  /** Highest ping seq seen. */
  maxSeq: number;
  reachedAt: number | null;
  check: (() => void) | null;
}

let readers: Reader[] = [];
let latencies: number[] = [];
let recordFrom = Number.POSITIVE_INFINITY;
/** The segments recorder, when the run records them (QUIRE_BENCH_SEGMENTS). */
const segments = segmentsRecorder();

function watchPings(reader: Reader): void {
  const pings = reader.client.doc.getMap<number>(PINGS_NAME);
  pings.observe((event) => {
    const now = monotonicMs();
    for (const key of event.keysChanged) {
      const sentAt = pings.get(key);
      if (sentAt === undefined) continue;
      const seq = Number(key);
      if (seq >= recordFrom) {
        latencies.push(now - sentAt);
        segments?.mark('observed', sentAt, now);
      }
      if (seq > reader.maxSeq) reader.maxSeq = seq;
    }
  });
}

async function open(request: Extract<WorkerRequest, { type: 'open' }>): Promise<WorkerReply> {
  const started = monotonicMs();
  recordFrom = request.recordPingsFrom ?? Number.POSITIVE_INFINITY;
  const opened: Reader[] = [];
  for (let first = 0; first < request.count; first += request.concurrency) {
    const batch: Reader[] = [];
    for (let i = first; i < Math.min(request.count, first + request.concurrency); i++) {
      const docName = request.docNames[i % request.docNames.length];
      if (docName === undefined) throw new RangeError('The open request names no document.');
      const presence = (request.presence ?? true) ? `reader ${readers.length + i}` : null;
      const reader: Reader = { client: createBenchClient(request.peer, request.url, docName, { presence }), maxSeq: -1, reachedAt: null, check: null };
      if (request.recordPingsFrom !== undefined) watchPings(reader);
      reader.client.connect();
      batch.push(reader);
    }
    opened.push(...batch);
    await withTimeout(`${batch.length} ${request.peer} clients to sync`, Promise.all(batch.map((reader) => reader.client.whenSynced())), request.timeoutMs);
  }
  readers.push(...opened);
  return { type: 'opened', ms: monotonicMs() - started, count: opened.length };
}

async function awaitPings(lastSeq: number, timeoutMs: number): Promise<WorkerReply> {
  const deadline = Date.now() + timeoutMs;
  while (readers.some((reader) => reader.maxSeq < lastSeq) && Date.now() < deadline) await sleep(5);
  const complete = readers.every((reader) => reader.maxSeq >= lastSeq);
  const expected = Number.isFinite(recordFrom) ? readers.length * (lastSeq - recordFrom + 1) : 0;
  const reply: WorkerReply = { type: 'pings', latencies, complete, missing: Math.max(0, expected - latencies.length) };
  latencies = [];
  return reply;
}

function targetMet(doc: Y.Doc, target: WatchTarget): boolean {
  if (target.kind === 'clock') return Y.getState(doc.store, target.clientId) >= target.clock;
  const text = doc.getText(TEXT_NAME);
  return text.length === target.expected.length && text.toString() === target.expected;
}

function watch(target: WatchTarget): WorkerReply {
  for (const reader of readers) {
    const doc = reader.client.doc;
    if (reader.check !== null) doc.off('afterTransaction', reader.check);
    reader.reachedAt = targetMet(doc, target) ? monotonicMs() : null;
    // For text targets compare lengths first on every transaction; the full compare is rare.
    const check = (): void => {
      if (reader.reachedAt === null && targetMet(doc, target)) reader.reachedAt = monotonicMs();
    };
    reader.check = check;
    doc.on('afterTransaction', check);
  }
  return { type: 'watching' };
}

async function collect(timeoutMs: number): Promise<WorkerReply> {
  const deadline = Date.now() + timeoutMs;
  while (readers.some((reader) => reader.reachedAt === null) && Date.now() < deadline) await sleep(2);
  const detail = readers
    .filter((reader) => reader.reachedAt === null)
    .slice(0, 3)
    .map((reader) => `text length ${reader.client.doc.getText(TEXT_NAME).length}`)
    .join('; ');
  for (const reader of readers) {
    if (reader.check !== null) reader.client.doc.off('afterTransaction', reader.check);
    reader.check = null;
  }
  return { type: 'collected', reachedAt: readers.map((reader) => reader.reachedAt), detail };
}

async function close(): Promise<WorkerReply> {
  for (const reader of readers) reader.client.destroy();
  readers = [];
  latencies = [];
  recordFrom = Number.POSITIVE_INFINITY;
  // Let the close frames go out before the bench reads the server's state.
  await sleep(50);
  return { type: 'closed' };
}

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  switch (request.type) {
    case 'open':
      return open(request);
    case 'pings':
      return awaitPings(request.lastSeq, request.timeoutMs);
    case 'watch':
      return watch(request.target);
    case 'collect':
      return collect(request.timeoutMs);
    case 'close':
      return close();
  }
}

// y-websocket's provider adds a process 'exit' listener per instance; hundreds are expected here.
process.setMaxListeners(0);

process.on('message', (message: WorkerEnvelope<WorkerRequest>) => {
  handle(message.body).then(
    (body) => process.send?.({ id: message.id, body } satisfies WorkerEnvelope<WorkerReply>),
    (error: unknown) =>
      process.send?.({ id: message.id, body: { type: 'error', message: error instanceof Error ? error.message : String(error) } } satisfies WorkerEnvelope<WorkerReply>),
  );
});
process.on('disconnect', () => {
  for (const reader of readers) reader.client.destroy();
  process.exit(0);
});
process.send?.({ id: 0, body: { type: 'closed' } } satisfies WorkerEnvelope<WorkerReply>);
