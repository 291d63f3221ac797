import { appendFile } from 'node:fs/promises';
/**
 * `npm run bench`: Quire side by side with @y/websocket-server and Hocuspocus in one run.
 * Each measurement runs for every server before the next measurement starts, so that drift in a
 * noisy machine's load spreads over all three. Prints the table and writes it to bench/results/.
 *
 * Flags: --peers=quire,y-websocket,hocuspocus  --only=relay,throughput,memory,cold,replay,cross-node,versions
 *        --quick (small sizes, for a smoke run)  --no-write (print only)
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { ClientPool } from './client-pool.js';
import { benchSizes, coldKey, emptyResults, MEASUREMENTS, relayKey, throughputKey, type Measurement, type Outcome } from './bench-plan.js';
import { measureColdLoad } from './cold-load.js';
import { measureIdleMemory, timeOpeningWithoutPresence } from './idle-memory.js';
import { isPeerName, PEER_LABELS, type PeerName, type ServerHandle } from './peers/bench-client.js';
import { LAUNCHERS } from './peers/launchers.js';
import { PROJECT_ROOT } from './peers/project-root.js';
import { combineRelaySamples, measureRelayLatency, type RelaySamples } from './relay-latency.js';
import { renderTable, writeReport, type BenchReport } from './report.js';
import { summarizeRun } from './summary.js';
import { measureCrossNode, renderCrossNode } from './cross-node.js';
import { measureThroughput } from './throughput.js';
import { buildTraceDoc, contentAfter, loadTrace, TRACE_CREDITS, type BuiltTraceDoc } from './trace.js';
import { measureTraceReplay } from './trace-replay.js';
import { measureVersionHistory, renderVersionHistory } from './version-history.js';
import { buildQuire } from './peers/quire-launcher.js';
import { markProcess, markRelayWindow, relaySegmentsTable, segmentsRecorder, startSegments } from './segments/relay-segments.js';
import { median, monotonicMs } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    peers: { type: 'string' },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
  strict: true,
});

const peers: PeerName[] = (flags.peers ?? 'quire,y-websocket,hocuspocus').split(',').map((name) => {
  if (!isPeerName(name)) throw new RangeError(`Unknown peer "${name}"; use quire, y-websocket or hocuspocus.`);
  return name;
});
const requested = (flags.only ?? [...MEASUREMENTS, 'cross-node', 'versions'].join(',')).split(',');
const crossNode = requested.includes('cross-node');
const versionHistory = requested.includes('versions');
const only: Measurement[] = requested.filter((name) => name !== 'cross-node' && name !== 'versions').map((name) => {
  if (!(MEASUREMENTS as readonly string[]).includes(name)) throw new RangeError(`Unknown measurement "${name}"; use ${MEASUREMENTS.join(', ')}.`);
  return name as Measurement;
});
const quick = flags.quick;

const SIZES = benchSizes(quick);

async function attempt<T>(what: string, run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`  ${what} failed: ${message}`);
    return { ok: false, error: message };
  }
}

const results = emptyResults();
let crossNodeSection: string | null = null;
let versionsSection: string | null = null;

const startedAt = new Date().toISOString();
const t0 = Date.now();
const log = (line: string): void => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${line}`);

if (peers.includes('quire') || crossNode) {
  // The bench runs the server as users do, from dist/: built now, so that it is the sources as they are.
  log('building Quire (npm run build)');
  buildQuire();
}

// QUIRE_BENCH_SEGMENTS=<dir>: every process records its socket reads and writes (segments/).
const segmentsDir = await startSegments();
const pool = await ClientPool.start();
if (pool.pid !== undefined) markProcess('worker', pool.pid);
const servers = new Map<PeerName, ServerHandle>();
try {
  if (only.some((m) => m === 'relay' || m === 'throughput' || m === 'replay')) {
    for (const peer of peers) {
      const server = await LAUNCHERS[peer].launch({});
      servers.set(peer, server);
      results.servers.set(peer, server.description);
      for (const pid of server.pids) markProcess(peer, pid);
      log(`${PEER_LABELS[peer]} server up at ${server.urls.join(', ')} (pid ${server.pids.join(', ')})`);
    }
  }
  const serverOf = (peer: PeerName): ServerHandle => {
    const server = servers.get(peer);
    if (server === undefined) throw new Error(`No ${peer} server is running.`);
    return server;
  };

  if (only.includes('relay')) {
    for (const relayCase of SIZES.relay) {
      // Rounds alternate between the servers so that a burst of load from elsewhere on the machine
      // lands on all of them rather than on one.
      const rounds = new Map<PeerName, RelaySamples[]>();
      const failed = new Map<PeerName, string>();
      const perRound = { ...relayCase, edits: Math.ceil(relayCase.edits / SIZES.relayRounds) };
      for (let round = 0; round < SIZES.relayRounds; round++) {
        for (const peer of peers) {
          if (failed.has(peer)) continue;
          const from = monotonicMs();
          const outcome = await attempt(`relay ${peer} ×${relayCase.readers}`, () => measureRelayLatency(peer, serverOf(peer), pool, perRound));
          markRelayWindow(peer, relayCase.readers, from, monotonicMs());
          if (outcome.ok) rounds.set(peer, [...(rounds.get(peer) ?? []), outcome.value]);
          else failed.set(peer, outcome.error);
        }
      }
      for (const peer of peers) {
        const error = failed.get(peer);
        if (error !== undefined) {
          results.relay.set(relayKey(peer, relayCase.readers), { ok: false, error });
          continue;
        }
        const r = combineRelaySamples(rounds.get(peer) ?? []);
        results.relay.set(relayKey(peer, relayCase.readers), { ok: true, value: r });
        log(`relay ${PEER_LABELS[peer]} ${r.readers} readers: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms (${r.count} samples in ${r.rounds} rounds, ${r.missing} missing)`);
      }
    }
  }

  if (only.includes('throughput')) {
    for (const variant of SIZES.throughput) {
      for (const peer of peers) {
        const outcome = await attempt(`throughput ${peer}`, () => measureThroughput(peer, serverOf(peer), pool, variant));
        results.throughput.set(throughputKey(peer, variant.chunk), outcome);
        if (outcome.ok) {
          const r = outcome.value;
          log(
            `throughput ${PEER_LABELS[peer]} (${variant.chunk} per turn): ${Math.round(r.deliveredPerSecond)} delivered/s in ${r.seconds.toFixed(2)} s, ` +
              `${r.cpuSecondsPer1000Updates.toFixed(3)} server CPU s per 1000 updates ` +
              `(CPU s: server ${r.cpuSeconds.toFixed(2)}, readers ${r.readersCpuSeconds?.toFixed(2) ?? '?'}, writer ${r.writerCpuSeconds.toFixed(2)})${r.complete ? '' : ' (INCOMPLETE)'}`,
          );
        }
      }
    }
  }

  if (only.includes('replay')) {
    const trace = await loadTrace(SIZES.replay.trace);
    const txnCount = Math.min(SIZES.replay.txnCount, trace.txns.length);
    const expected = contentAfter(trace, txnCount);
    for (const peer of peers) {
      const outcome = await attempt(`replay ${peer}`, () =>
        measureTraceReplay(peer, serverOf(peer), pool, { trace, txnCount, expected, chunk: SIZES.replay.chunk, timeoutMs: SIZES.replay.timeoutMs }),
      );
      results.replay.set(peer, outcome);
      if (outcome.ok) {
        const r = outcome.value;
        log(`replay ${PEER_LABELS[peer]}: ${r.txns} txns in ${r.seconds.toFixed(2)} s, ${Math.round(r.updatesPerSecond)} updates/s, ${r.pass ? 'PASS' : 'FAIL'}`);
      }
    }
  }

  for (const server of servers.values()) await server.stop();
  servers.clear();

  if (only.includes('memory')) {
    for (const peer of peers) {
      const outcome = await attempt(`memory ${peer}`, () => measureIdleMemory(peer, LAUNCHERS[peer], pool, SIZES.memory));
      results.memory.set(peer, outcome);
      if (outcome.ok) {
        const r = outcome.value;
        log(`memory ${PEER_LABELS[peer]}: ${(r.bytesPerConnection / 1024).toFixed(1)} KiB per idle connection (${r.connections} connections after a warm-up), ${(r.bytesPerConnectionNoWarmup / 1024).toFixed(1)} KiB without one`);
      }
    }
    // Alternating, as the relay rounds do, so that a burst of load from elsewhere lands on every server.
    const openings = new Map<PeerName, number[]>();
    const failed = new Map<PeerName, string>();
    for (let round = 0; round < SIZES.openNoPresenceRounds; round++) {
      for (const peer of peers) {
        if (failed.has(peer)) continue;
        const outcome = await attempt(`opening without presence ${peer}`, () => timeOpeningWithoutPresence(peer, LAUNCHERS[peer], pool, SIZES.memory));
        if (outcome.ok) openings.set(peer, [...(openings.get(peer) ?? []), outcome.value]);
        else failed.set(peer, outcome.error);
      }
    }
    for (const peer of peers) {
      const error = failed.get(peer);
      const seconds = openings.get(peer) ?? [];
      results.openNoPresence.set(peer, error === undefined ? { ok: true, value: seconds } : { ok: false, error });
      if (error === undefined) log(`opening without presence ${PEER_LABELS[peer]}: median ${median(seconds).toFixed(2)} s (rounds: ${seconds.map((s) => s.toFixed(2)).join(', ')})`);
    }
  }

  if (only.includes('cold')) {
    const trace = await loadTrace('automerge-paper');
    log('building the automerge-paper document (259,778 transactions)…');
    const built: BuiltTraceDoc = buildTraceDoc(trace, SIZES.cold.txnsPerEntry);
    log(`built: ${built.fullUpdate.byteLength} bytes as one update, ${built.logEntries.length} log entries`);
    for (const layout of ['compacted', 'log'] as const) {
      for (const peer of peers) {
        const outcome = await attempt(`cold load ${peer} ${layout}`, () =>
          measureColdLoad(peer, LAUNCHERS[peer], {
            layout,
            records: layout === 'compacted' ? [built.fullUpdate] : built.logEntries,
            expected: trace.endContent,
            repetitions: SIZES.cold.repetitions,
          }),
        );
        results.cold.set(coldKey(peer, layout), outcome);
        if (outcome.ok) {
          const r = outcome.value;
          log(
            r.supported
              ? `cold load ${PEER_LABELS[peer]} ${layout}: ${r.readyMs.toFixed(1)} ms (synced at ${r.syncedMs.toFixed(1)} ms; samples ${r.samplesMs.map((s) => s.toFixed(0)).join(', ')}; first load in a fresh process ${r.firstLoadMs.toFixed(0)} ms)${r.correct ? '' : ' WRONG CONTENT'}`
              : `cold load ${PEER_LABELS[peer]} ${layout}: n/a (${r.reason})`,
          );
        }
      }
    }
    built.doc.destroy();
  }
  if (crossNode) {
    for (const server of servers.values()) await server.stop().catch(() => undefined);
    servers.clear();
    const outcome = await attempt('cross-node', () =>
      measureCrossNode(pool, { ...SIZES.relay[0]!, readers: 1 }, SIZES.relayRounds, log),
    );
    if (outcome.ok) {
      crossNodeSection = renderCrossNode(outcome.value);
      log(`cross-node: p50 ${outcome.value.sameNode.p50.toFixed(2)} → ${outcome.value.crossNode.p50.toFixed(2)} ms, idle node received ${outcome.value.idleNodeBusMessages} bus messages`);
    } else crossNodeSection = `## Cross-node\n\nNot measured: ${outcome.error}\n`;
  }
  if (versionHistory) {
    const trace = await loadTrace('automerge-paper');
    const outcome = await attempt('version history', () => measureVersionHistory(trace, { txns: quick ? 20_000 : trace.txns.length, versionEvery: 1000, log }));
    if (outcome.ok) {
      versionsSection = renderVersionHistory(outcome.value);
      const r = outcome.value;
      log(`versions: list ${r.listMs.toFixed(1)} ms, preview ${r.exportMs.toFixed(1)} + ${r.diffMs.toFixed(1)} ms, restore ${r.restoreMs.toFixed(1)} ms${r.restoreCorrect ? '' : ' WRONG CONTENT'}`);
    } else versionsSection = `## Version history\n\nNot measured: ${outcome.error}\n`;
  }
} finally {
  for (const server of servers.values()) await server.stop().catch(() => undefined);
  await pool.stop();
}
if (segmentsDir !== null && only.includes('relay')) console.log(`\n${relaySegmentsTable(segmentsDir, segmentsRecorder()?.snapshot())}`);

const summary = summarizeRun(results, SIZES, peers, only);

const report: BenchReport = {
  startedAt,
  finishedAt: new Date().toISOString(),
  environment: {
    node: process.version,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    mode: quick ? 'quick (smoke sizes)' : 'full',
    peers: peers.join(', '),
  },
  ...summary,
  credits: TRACE_CREDITS,
  raw: {
    sizes: SIZES,
    relay: Object.fromEntries(results.relay),
    throughput: Object.fromEntries(results.throughput),
    memory: Object.fromEntries(results.memory),
    openNoPresence: Object.fromEntries(results.openNoPresence),
    cold: Object.fromEntries(results.cold),
    replay: Object.fromEntries(results.replay),
  },
};

console.log(`\n${renderTable(summary.rows)}\n`);
for (const check of summary.targets) console.log(`${check.met === null ? 'NOT MEASURED' : check.met ? 'MET   ' : 'MISSED'} ${check.target}: ${check.detail}`);
console.log(`\n${TRACE_CREDITS}`);
if (crossNodeSection !== null) console.log(`\n${crossNodeSection}`);
if (versionsSection !== null) console.log(`\n${versionsSection}`);
if (!flags['no-write']) {
  const { markdownPath, jsonPath } = await writeReport(`${PROJECT_ROOT}bench/results`, report);
  for (const section of [crossNodeSection, versionsSection]) {
    if (section === null) continue;
    for (const path of [markdownPath, `${PROJECT_ROOT}bench/results/latest.md`]) await appendFile(path, `\n${section}`);
  }
  console.log(`\nWrote ${markdownPath}, ${jsonPath} and bench/results/latest.md (${((Date.now() - t0) / 1000).toFixed(0)} s).`);
}
