/**
 * Turns one run's results into the table (rows = metrics, columns = the three servers and
 * Quire's ratios to the peers), checks the targets, and writes Markdown and JSON.
 */
import { readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PEER_LABELS, PEER_NAMES, type PeerName } from './peers/bench-client.js';

/** One measured value per peer; null when not measured, with a reason in `notes`. */
export interface MetricRow {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  /** Whether a smaller value is better (latency, CPU, memory, time). */
  readonly lowerIsBetter: boolean;
  readonly values: Readonly<Partial<Record<PeerName, number | string | null>>>;
  readonly decimals: number;
}

export interface TargetCheck {
  readonly target: string;
  readonly met: boolean | null;
  readonly detail: string;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly rows: readonly MetricRow[];
  readonly targets: readonly TargetCheck[];
  readonly notes: readonly string[];
  readonly credits: string;
  /** Raw per-measurement results, for the JSON file. */
  readonly raw: unknown;
}

function formatValue(value: number | string | null | undefined, decimals: number): string {
  if (value === null || value === undefined) return 'n/a';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Quire's value divided by the peer's, or null when either is not a number. */
export function ratio(row: MetricRow, peer: PeerName): number | null {
  const quire = row.values.quire;
  const other = row.values[peer];
  if (typeof quire !== 'number' || typeof other !== 'number' || !Number.isFinite(quire) || !Number.isFinite(other) || other === 0) return null;
  return quire / other;
}

function formatRatio(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(2)}×`;
}

export function renderTable(rows: readonly MetricRow[]): string {
  const header = ['Metric', ...PEER_NAMES.map((peer) => PEER_LABELS[peer]), 'Quire/y-websocket', 'Quire/Hocuspocus'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const row of rows) {
    const cells = [
      row.unit === 'PASS/FAIL' ? row.label : `${row.label} (${row.unit}, ${row.lowerIsBetter ? 'lower' : 'higher'} is better)`,
      ...PEER_NAMES.map((peer) => formatValue(row.values[peer], row.decimals)),
      formatRatio(ratio(row, 'y-websocket')),
      formatRatio(ratio(row, 'hocuspocus')),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function renderMarkdown(report: BenchReport): string {
  const environment = Object.entries(report.environment).map(([key, value]) => `- ${key}: ${value}`);
  const targets = report.targets.map(
    (check) => `- ${check.met === null ? 'NOT MEASURED' : check.met ? 'MET' : 'MISSED'}: ${check.target} — ${check.detail}`,
  );
  return [
    `# Quire benchmark — ${report.startedAt}`,
    '',
    'One run, the three servers side by side on the same machine and workloads. Machines are shared',
    'and noisy: compare the ratios within this run, not absolute numbers across runs.',
    '',
    renderTable(report.rows),
    '',
    '## Targets',
    '',
    ...targets,
    '',
    '## What was measured',
    '',
    ...report.notes.map((note) => `- ${note}`),
    '',
    '## Environment',
    '',
    ...environment,
    `- run: ${report.startedAt} → ${report.finishedAt}`,
    '',
    '## Credits',
    '',
    report.credits,
    '',
  ].join('\n');
}

/** Writes `<dir>/<stamp>.md|json` and `<dir>/latest.md`, removing earlier runs' dated files. */
export async function writeReport(dir: string, report: BenchReport): Promise<{ markdownPath: string; jsonPath: string }> {
  await mkdir(dir, { recursive: true });
  const stamp = report.startedAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const dated = /^\d{4}-\d{2}-\d{2}T[\d-]+Z\.(md|json)$/;
  for (const name of await readdir(dir)) {
    if (dated.test(name) && !name.startsWith(stamp)) await rm(join(dir, name));
  }
  const markdown = renderMarkdown(report);
  const markdownPath = join(dir, `${stamp}.md`);
  const jsonPath = join(dir, `${stamp}.json`);
  await writeFile(markdownPath, markdown);
  await writeFile(join(dir, 'latest.md'), markdown);
  const json = {
    ...report,
    table: report.rows.map((row) => ({
      ...row,
      quireOverYWebsocket: ratio(row, 'y-websocket'),
      quireOverHocuspocus: ratio(row, 'hocuspocus'),
    })),
  };
  await writeFile(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
  return { markdownPath, jsonPath };
}
