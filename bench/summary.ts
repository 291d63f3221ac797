/**
 * Turns a run's results into the report's table rows, target checks and notes on what exactly
 * was measured.
 */
import type { ColdLoadResult } from './cold-load.js';
import { coldKey, relayKey, throughputKey, type BenchResults, type BenchSizes, type Measurement, type Outcome } from './bench-plan.js';
import { PEER_LABELS, type PeerName, type StoredLayout } from './peers/bench-client.js';
import type { MetricRow, TargetCheck } from './report.js';
import { median } from './stats.js';

export interface Summary {
  readonly rows: readonly MetricRow[];
  readonly targets: readonly TargetCheck[];
  readonly notes: readonly string[];
}

function value<T, V>(outcome: Outcome<T> | undefined, pick: (value: T) => V): V | string | null {
  if (outcome === undefined) return null;
  return outcome.ok ? pick(outcome.value) : 'error';
}

export function summarizeRun(results: BenchResults, sizes: BenchSizes, peers: readonly PeerName[], only: readonly Measurement[]): Summary {
  const rows: MetricRow[] = [];
  const perPeer = <T>(pick: (peer: PeerName) => T): Partial<Record<PeerName, T>> => Object.fromEntries(peers.map((peer) => [peer, pick(peer)]));
  for (const relayCase of sizes.relay) {
    if (!only.includes('relay')) break;
    const n = relayCase.readers;
    const label = `Relay latency p50, 1 writer → ${n} reader${n === 1 ? '' : 's'}`;
    rows.push({ key: `relay-p50-${n}`, label, unit: 'ms', lowerIsBetter: true, decimals: 2, values: perPeer((p) => value(results.relay.get(relayKey(p, n)), (r) => r.p50)) });
    rows.push({ key: `relay-p99-${n}`, label: label.replace('p50', 'p99'), unit: 'ms', lowerIsBetter: true, decimals: 2, values: perPeer((p) => value(results.relay.get(relayKey(p, n)), (r) => r.p99)) });
  }
  if (only.includes('relay')) {
    const most = Math.max(...sizes.relay.map((c) => c.readers));
    rows.push({ key: `join-${most}`, label: `Time for ${most} readers to connect and sync (50 at a time)`, unit: 's', lowerIsBetter: true, decimals: 2, values: perPeer((p) => value(results.relay.get(relayKey(p, most)), (r) => r.joinMs / 1000)) });
  }
  if (only.includes('throughput')) {
    for (const t of sizes.throughput) {
      const how = t.chunk === 1 ? 'one update per event-loop turn' : `${t.chunk} updates per event-loop turn`;
      rows.push({
        key: `delivered-per-second-${t.chunk}`,
        label: `Delivered updates per second (${t.updates} updates → ${t.readers} readers, ${how})`,
        unit: 'updates/s',
        lowerIsBetter: false,
        decimals: 0,
        values: perPeer((p) => value(results.throughput.get(throughputKey(p, t.chunk)), (r) => r.deliveredPerSecond)),
      });
      rows.push({
        key: `cpu-per-1000-${t.chunk}`,
        label: `Server CPU per 1,000 updates (each to ${t.readers} readers, ${how})`,
        unit: 'CPU s',
        lowerIsBetter: true,
        decimals: 3,
        values: perPeer((p) => value(results.throughput.get(throughputKey(p, t.chunk)), (r) => r.cpuSecondsPer1000Updates)),
      });
    }
  }
  if (only.includes('memory')) {
    rows.push({ key: 'rss-per-idle-connection', label: `Server RSS per idle connection (${sizes.memory.connections} connections, ${sizes.memory.docs} docs)`, unit: 'KiB', lowerIsBetter: true, decimals: 1, values: perPeer((p) => value(results.memory.get(p), (r) => r.bytesPerConnection / 1024)) });
    rows.push({ key: 'rss-per-idle-connection-no-warmup', label: `Server RSS per idle connection, no warm-up (fresh server to ${sizes.memory.warmupConnections + sizes.memory.connections} connections)`, unit: 'KiB', lowerIsBetter: true, decimals: 1, values: perPeer((p) => value(results.memory.get(p), (r) => r.bytesPerConnectionNoWarmup / 1024)) });
    rows.push({ key: 'open-idle-connections', label: `Time to open ${sizes.memory.connections} idle connections (50 at a time, each announcing a name)`, unit: 's', lowerIsBetter: true, decimals: 2, values: perPeer((p) => value(results.memory.get(p), (r) => r.openSeconds)) });
    const rounds = sizes.openNoPresenceRounds;
    const which = rounds === 1 ? 'one round' : `median of ${rounds} rounds`;
    rows.push({ key: 'open-idle-connections-no-presence', label: `Time to open ${sizes.memory.connections} idle connections (50 at a time, no presence state; ${which})`, unit: 's', lowerIsBetter: true, decimals: 2, values: perPeer((p) => value(results.openNoPresence.get(p), median)) });
  }
  if (only.includes('cold')) {
    const coldRow = (key: string, label: string, pick: (result: Extract<ColdLoadResult, { supported: true }>) => number, layout: StoredLayout): MetricRow => ({
      key,
      label,
      unit: 'ms',
      lowerIsBetter: true,
      decimals: 1,
      values: perPeer((p) => {
        const outcome = results.cold.get(coldKey(p, layout));
        if (outcome === undefined) return null;
        if (!outcome.ok) return 'error';
        return outcome.value.supported ? (outcome.value.correct ? pick(outcome.value) : 'wrong content') : 'n/a';
      }),
    });
    rows.push(coldRow('cold-load-compacted', 'Cold load of automerge-paper, compacted (doc not loaded, server warm)', (r) => r.readyMs, 'compacted'));
    rows.push(coldRow('cold-load-log', 'Cold load of automerge-paper, uncompacted log of 1 entry per 100 txns (doc not loaded, server warm)', (r) => r.readyMs, 'log'));
    rows.push(coldRow('cold-load-compacted-fresh', 'Cold load of automerge-paper, compacted, first load in a freshly started server', (r) => r.firstLoadMs, 'compacted'));
  }
  if (only.includes('replay')) {
    const r = sizes.replay;
    rows.push({ key: 'replay-seconds', label: `Replay of ${r.trace}, first ${r.txnCount.toLocaleString('en-US')} txns, wall time`, unit: 's', lowerIsBetter: true, decimals: 2, values: perPeer((p) => value(results.replay.get(p), (x) => x.seconds)) });
    rows.push({ key: 'replay-rate', label: 'Replay rate', unit: 'updates/s', lowerIsBetter: false, decimals: 0, values: perPeer((p) => value(results.replay.get(p), (x) => x.updatesPerSecond)) });
    rows.push({ key: 'replay-check', label: 'Replay: reader text equals expected content', unit: 'PASS/FAIL', lowerIsBetter: false, decimals: 0, values: perPeer((p) => value(results.replay.get(p), (x) => (x.pass ? 'PASS' : 'FAIL'))) });
  }

  // The targets.
  const targets: TargetCheck[] = [];
  const rowValue = (key: string, peer: PeerName): number | null => {
    const v = rows.find((row) => row.key === key)?.values[peer];
    return typeof v === 'number' ? v : null;
  };
  if (only.includes('relay') && peers.includes('quire') && peers.includes('y-websocket')) {
    for (const relayCase of sizes.relay) {
      for (const p of ['p50', 'p99']) {
        const key = `relay-${p}-${relayCase.readers}`;
        const q = rowValue(key, 'quire');
        const y = rowValue(key, 'y-websocket');
        targets.push({
          target: `Relay ${p} with ${relayCase.readers} reader(s) no worse than y-websocket`,
          met: q === null || y === null ? null : q <= y,
          detail: q === null || y === null ? 'not measured' : `Quire ${q.toFixed(2)} ms vs y-websocket ${y.toFixed(2)} ms (${(q / y).toFixed(2)}×)`,
        });
      }
    }
  }
  /** A target on Quire's value over y-websocket's in one row: at most `most`, or at least `least`. */
  const ratioTarget = (key: string, target: string, bound: { readonly most?: number; readonly least?: number }): void => {
    const q = rowValue(key, 'quire');
    const y = rowValue(key, 'y-websocket');
    const ratio = q === null || y === null || y === 0 ? null : q / y;
    const met = ratio === null ? null : (bound.most === undefined || ratio <= bound.most) && (bound.least === undefined || ratio >= bound.least);
    targets.push({ target, met, detail: ratio === null ? 'not measured' : `Quire/y-websocket ${ratio.toFixed(2)}×` });
  };
  if (peers.includes('quire') && peers.includes('y-websocket')) {
    if (only.includes('relay')) ratioTarget(`join-${Math.max(...sizes.relay.map((c) => c.readers))}`, 'Readers connected and synced no slower than y-websocket', { most: 1 });
    if (only.includes('throughput')) ratioTarget(`delivered-per-second-${sizes.throughput[0]?.chunk ?? 1}`, 'Throughput, one update per turn, ≥ 1.5× y-websocket', { least: 1.5 });
    if (only.includes('memory')) {
      ratioTarget('rss-per-idle-connection', 'RSS per idle connection (after a warm-up) ≤ y-websocket', { most: 1 });
      ratioTarget('rss-per-idle-connection-no-warmup', 'RSS per idle connection (no warm-up) ≤ y-websocket', { most: 1 });
      ratioTarget('open-idle-connections', `${sizes.memory.connections} connections (announcing presence) opened no slower than y-websocket`, { most: 1 });
      ratioTarget('open-idle-connections-no-presence', `${sizes.memory.connections} connections (no presence) opened no slower than y-websocket`, { most: 1 });
    }
  }
  if (only.includes('cold') && peers.includes('quire')) {
    const q = rowValue('cold-load-compacted', 'quire');
    targets.push({ target: 'Cold load of the compacted automerge-paper document ≤ 100 ms', met: q === null ? null : q <= 100, detail: q === null ? 'not measured' : `Quire ${q.toFixed(1)} ms` });
  }

  // What was measured, and anything that went wrong.
  const notes: string[] = [
    ...[...results.servers.entries()].map(([peer, description]) => `${PEER_LABELS[peer]} server (relay, throughput, replay): ${description}.`),
    'Every server runs as its own child process; CPU is user+system time and memory is VmRSS, both from /proc. ' +
      'Clients: y-websocket 2.1.0 WebsocketProvider (ws, BroadcastChannel off), @hocuspocus/provider 3.4.4 (one HocuspocusProviderWebsocket on ws per client), Quire DocProvider with its default channel (Quire\'s WebSocket framing on /quire-ws, ws in Node); one connection per client. ' +
      'Every reader announces a presence (a name) before it connects, as an editor page does: left at their defaults, the peers\' clients would announce nothing (a y-protocols state never changed has clock 0, which servers ignore) while Quire\'s would, and joins would not be compared like with like.',
    `Relay latency: 1 writer in the bench process, readers in one client-worker child process; each edit is a one-character insert plus an entry seq → sent-at in a Y.Map, one Y transaction; ` +
      `latency = reader's observe time − send time on the monotonic clock. ${sizes.relay.map((c) => `${c.readers} reader(s): ${c.edits} edits every ${c.intervalMs} ms`).join('; ')}; ` +
      `run as ${sizes.relayRounds} rounds per server (alternating between servers, a fresh room each with its own ${sizes.relay.map((c) => c.warmup).join('/')} unrecorded warm-up edits), samples pooled.`,
    `Throughput: the writer makes ${sizes.throughput[0]?.updates ?? 0} one-character inserts (one update each) as fast as it can, either one per event-loop turn (every update is its own message ` +
      `from every client) or ${sizes.throughput[1]?.chunk ?? 0} per turn (Quire's provider then merges each turn's updates into one message; the peers' providers still send one per update); ` +
      `time from the first until every one of ${sizes.throughput[0]?.readers ?? 0} readers holds the last; server CPU over that window plus a ${sizes.throughput[0]?.settleMs ?? 0} ms settle, so deferred saving is included. ` +
      'Quire writes every update durably to LevelDB (fsync on) before acknowledging it; the peers run without persistence.',
    `Idle memory: a fresh server; ${sizes.memory.warmupConnections} warm-up clients connect first (so one-time costs such as compiled code are not counted per connection), ` +
      `then RSS before and ${sizes.memory.settleMs} ms after ${sizes.memory.connections} more clients (from the client worker) joined ${sizes.memory.docs} docs and synced; delta ÷ ${sizes.memory.connections}; the time those clients took to open is the open-time row. The no-presence open-time row repeats the opening (after the same warm-up) on a fresh server with clients that have no presence state, ${sizes.openNoPresenceRounds} time(s) per server, alternating between the servers, and gives each server's median. Without a warm-up: RSS of the fresh server (its documents created, ${sizes.memory.settleMs} ms quiet) to the last reading, ÷ all ${sizes.memory.warmupConnections + sizes.memory.connections} clients. Both include each connection's awareness state, and garbage not yet collected: V8 grows its heap in steps, so this figure moves by several KiB between runs.`,
    ...[...results.cold.entries()].flatMap(([key, outcome]) => {
      if (!outcome.ok) return [`Cold load ${key}: error: ${outcome.error}`];
      const r = outcome.value;
      return [`Cold load ${key}: ${r.supported ? r.what : `n/a — ${r.reason}`}.`];
    }),
    'Cold load is timed from a client\'s connect() (server listening, that document not loaded) until it is synced and its text equals endContent, the client\'s own decoding included. ' +
      `The server is started on a data dir holding ${sizes.cold.repetitions + 1} copies of the document; the first join (fresh process, cold JIT) is reported on its own row, the next ${sizes.cold.repetitions} (each another copy) give the median. ` +
      'y-websocket\'s server answers the handshake before its persistence has loaded, so its "synced" comes early and the content later; the table uses the later time.',
    `Replay: the first ${sizes.replay.txnCount.toLocaleString('en-US')} of ${sizes.replay.trace}'s 259,778 transactions (the full trace takes longer than the bench's budget), one Y transaction (one update) each, ` +
      `writer yielding to I/O after every ${sizes.replay.chunk === 1 ? 'transaction (so each is its own message)' : `${sizes.replay.chunk} transactions`}; time until the reader's text equals the content after those transactions (computed by applying them to a string).`,
    ...[...results.replay.entries()].filter(([, o]) => o.ok && !o.value.pass).map(([peer, o]) => `Replay ${peer}: ${o.ok ? o.value.detail : ''}`),
    ...[...results.relay.entries(), ...results.throughput.entries(), ...results.memory.entries(), ...results.replay.entries()]
      .filter(([, o]) => !o.ok)
      .map(([key, o]) => `${key}: error: ${o.ok ? '' : o.error}`),
    ...[...results.relay.entries()].filter(([, o]) => o.ok && o.value.missing > 0).map(([key, o]) => `Relay ${key}: ${o.ok ? o.value.missing : 0} deliveries missing.`),
    'Cross-node (three Quire nodes sharing PostgreSQL and Redis): its own section below.',
  ];
  return { rows, targets, notes };
}
