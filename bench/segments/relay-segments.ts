/**
 * Where a relay's time goes, measured from inside every process of the run rather than end to end:
 * with QUIRE_BENCH_SEGMENTS=<dir>, each process records when its TCP sockets read and write
 * (recorder.mjs), the client worker when each reader observed each ping, and this splits every
 * ping's trip into segments on the machine's one monotonic clock:
 * - writer: from the ping's timestamp, inside the writer's Yjs transaction, to its socket write;
 * - to server: from that write to the server process reading it (the kernel, the wake-up);
 * - server: from that read to the server's first write of the relay;
 * - to reader: from that write to the client worker reading it;
 * - reader: from that read to the first reader observing the ping.
 * Their sum is the first reader's latency; "others" is how much later the median reader saw it
 * (readers share one worker process and take their turns). Hooking every read and write costs a
 * little in every process, for every peer alike: compare peers within one run, not with the
 * plain bench's numbers.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PeerName } from '../peers/bench-client.js';
import { PEER_LABELS } from '../peers/bench-client.js';

export interface SegmentsRecorder {
  now(): number;
  mark(kind: string, ...values: Array<number | string>): void;
  snapshot(): ProcessTimes;
}

interface ProcessTimes {
  readonly pid: number;
  readonly received: number[];
  readonly written: number[];
  readonly marks: Array<[string, ...Array<number | string>]>;
}

/** The recorder of this process, when the run records segments. */
export function segmentsRecorder(): SegmentsRecorder | null {
  return (globalThis as { quireBenchSegments?: SegmentsRecorder }).quireBenchSegments ?? null;
}

/** Starts recording in this process when QUIRE_BENCH_SEGMENTS is set; returns the directory, else null. */
export async function startSegments(): Promise<string | null> {
  const dir = process.env['QUIRE_BENCH_SEGMENTS'];
  if (dir === undefined || dir === '') return null;
  mkdirSync(dir, { recursive: true });
  // A directory used before would mix an earlier run's processes into this run's tables.
  for (const file of readdirSync(dir)) if (file.endsWith('.ndjson')) rmSync(join(dir, file));
  await import('./recorder.mjs');
  return dir;
}

/** Marks, in the bench process, that one relay round of `peer` with `readers` readers ran from `from` to `to` (monotonic ms). */
export function markRelayWindow(peer: PeerName, readers: number, from: number, to: number): void {
  segmentsRecorder()?.mark('relay-window', peer, readers, from, to);
}

/** Marks, in the bench process, which process is which: a peer's server, or the client worker. */
export function markProcess(role: PeerName | 'worker', pid: number): void {
  segmentsRecorder()?.mark('process', role, pid);
}

interface RelayWindow {
  readonly peer: PeerName;
  readonly readers: number;
  readonly from: number;
  readonly to: number;
}

const SEGMENTS = ['writer', 'to server', 'server', 'to reader', 'reader', 'first reader', 'others'] as const;
type Segment = (typeof SEGMENTS)[number];

/**
 * The segments' medians per peer and reader count, as a Markdown table, from what every process
 * recorded in `dir`; `bench` is the bench process's own record (its marks say which process is
 * which), by default read from `dir` too.
 */
export function relaySegmentsTable(dir: string, bench?: ProcessTimes): string {
  const processes = new Map<number, ProcessTimes>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.ndjson')) continue;
    const times: ProcessTimes = { pid: Number.parseInt(file, 10), received: [], written: [], marks: [] };
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line === '') continue;
      const part = JSON.parse(line) as ProcessTimes;
      for (const time of part.received) times.received.push(time);
      for (const time of part.written) times.written.push(time);
      for (const mark of part.marks) times.marks.push(mark);
    }
    processes.set(times.pid, times);
  }
  const writer = bench ?? [...processes.values()].find((times) => times.marks.some(([kind]) => kind === 'relay-window'));
  if (writer === undefined) return 'Segments: no process of the run marked a relay round.';
  const windows: RelayWindow[] = [];
  const serverPids = new Map<PeerName, number[]>();
  let workerPid: number | null = null;
  for (const [kind, ...values] of writer.marks) {
    if (kind === 'relay-window') {
      const [peer, readers, from, to] = values as [PeerName, number, number, number];
      windows.push({ peer, readers, from, to });
    } else if (kind === 'process') {
      const [role, pid] = values as [PeerName | 'worker', number];
      if (role === 'worker') workerPid = pid;
      else serverPids.set(role, [...(serverPids.get(role) ?? []), pid]);
    }
  }
  const worker = workerPid === null ? undefined : processes.get(workerPid);
  if (worker === undefined) return 'Segments: the client worker recorded nothing.';
  for (const times of [...processes.values(), writer]) for (const list of [times.received, times.written]) list.sort((a, b) => a - b);

  const observations = new Map<number, number[]>();
  for (const [kind, sentAt, at] of worker.marks) {
    if (kind !== 'observed' || typeof sentAt !== 'number' || typeof at !== 'number') continue;
    const list = observations.get(sentAt);
    if (list === undefined) observations.set(sentAt, [at]);
    else list.push(at);
  }
  const rows = new Map<string, { peer: PeerName; readers: number; values: Map<Segment, number[]>; pings: number; leftOut: number }>();
  const rowOf = (window: RelayWindow) => {
    const key = `${window.peer}:${window.readers}`;
    let row = rows.get(key);
    if (row === undefined) rows.set(key, (row = { peer: window.peer, readers: window.readers, values: new Map(), pings: 0, leftOut: 0 }));
    return row;
  };
  for (const [sentAt, seen] of observations) {
    const window = windows.find((candidate) => candidate.from <= sentAt && sentAt <= candidate.to);
    const servers = window === undefined ? [] : (serverPids.get(window.peer) ?? []).map((pid) => processes.get(pid)).filter((p) => p !== undefined);
    if (window === undefined || servers.length !== 1) continue;
    const server = servers[0]!;
    seen.sort((a, b) => a - b);
    const first = seen[0]!;
    const sent = firstAtOrAfter(writer.written, sentAt);
    const read = sent === undefined ? undefined : firstAtOrAfter(server.received, sent);
    const relayed = read === undefined ? undefined : firstAtOrAfter(server.written, read);
    const arrived = lastAtOrBefore(worker.received, first);
    const parts: Record<Segment, number> | null =
      sent === undefined || read === undefined || relayed === undefined || arrived === undefined
        ? null
        : {
            writer: sent - sentAt,
            'to server': read - sent,
            server: relayed - read,
            'to reader': arrived - relayed,
            reader: first - arrived,
            'first reader': first - sentAt,
            others: seen[seen.length >> 1]! - first,
          };
    // A ping whose times do not line up (a write or read of something else matched first, so a
    // later hop seems to come before an earlier one) is left out, and counted.
    if (parts === null || Object.values(parts).some((value) => value < 0)) {
      rowOf(window).leftOut++;
      continue;
    }
    const row = rowOf(window);
    row.pings++;
    for (const segment of SEGMENTS) {
      const list = row.values.get(segment);
      if (list === undefined) row.values.set(segment, [parts[segment]]);
      else list.push(parts[segment]);
    }
  }
  const ordered = [...rows.values()].sort((a, b) => a.readers - b.readers || a.peer.localeCompare(b.peer));
  const table = (pick: (row: (typeof ordered)[number]) => { pings: number; values: ReadonlyMap<Segment, number[]> }, average: (values: number[]) => number): string => {
    const lines = [`| Peer | Readers | Pings | Left out | ${SEGMENTS.join(' | ')} |`, `|---|---:|---:|---:|${SEGMENTS.map(() => '---:').join('|')}|`];
    for (const row of ordered) {
      const { pings, values } = pick(row);
      const cells = SEGMENTS.map((segment) => `${Math.round(average(values.get(segment) ?? []) * 1000)}`);
      lines.push(`| ${PEER_LABELS[row.peer]} | ${row.readers} | ${pings} | ${row.leftOut} | ${cells.join(' | ')} |`);
    }
    return lines.join('\n');
  };
  return [
    "Relay segments, median µs per ping (each segment's own median: they need not add up):",
    table((row) => row, median),
    `The slowest ${SLOWEST_SHARE * 100}% of pings (by the first reader's latency), each segment's mean among them (these add up to the first reader's): where the tail is spent.`,
    table((row) => slowest(row.values), mean),
  ].join('\n\n');
}

/** The share of pings, slowest first, the tail table looks at. */
const SLOWEST_SHARE = 0.02;

/** The segments of the slowest SLOWEST_SHARE of the pings, by the first reader's latency. */
function slowest(values: ReadonlyMap<Segment, number[]>): { pings: number; values: Map<Segment, number[]> } {
  const totals = values.get('first reader') ?? [];
  const count = Math.max(1, Math.round(totals.length * SLOWEST_SHARE));
  const picked = totals.map((total, index) => [total, index] as const).sort((a, b) => b[0] - a[0]).slice(0, count).map(([, index]) => index);
  const tail = new Map<Segment, number[]>();
  for (const segment of SEGMENTS) tail.set(segment, picked.map((index) => values.get(segment)![index]!));
  return { pings: picked.length, values: tail };
}

function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((total, value) => total + value, 0) / values.length;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** The first of sorted `times` at or after `at`. */
function firstAtOrAfter(times: readonly number[], at: number): number | undefined {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle]! < at) low = middle + 1;
    else high = middle;
  }
  return times[low];
}

/** The last of sorted `times` at or before `at`. */
function lastAtOrBefore(times: readonly number[], at: number): number | undefined {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle]! <= at) low = middle + 1;
    else high = middle;
  }
  return low === 0 ? undefined : times[low - 1];
}

// `node --import tsx bench/segments/relay-segments.ts <dir>`: the table again from a run's records.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2];
  if (dir === undefined) throw new RangeError('Usage: relay-segments.ts <the QUIRE_BENCH_SEGMENTS directory of a run>');
  console.log(relaySegmentsTable(dir));
}
