import { readFile } from 'node:fs/promises';
import { traceFiles } from './files.js';
import { formatDuration } from './render.js';
import { collectSeries, operationStats, type OperationStats } from './metrics.js';

const BARS = '▁▂▃▄▅▆▇█';
const TREND_WIDTH = 16;
const OPERATION_WIDTH = 48;

function sparkline(values: readonly number[]): string {
  const shown = values.slice(-TREND_WIDTH);
  const max = Math.max(...shown, 0);
  if (max === 0) return BARS[0]!.repeat(shown.length);
  return shown.map((v) => BARS[Math.min(BARS.length - 1, Math.floor((v / max) * (BARS.length - 1)))]).join('');
}

function seconds(value: number | undefined): string {
  return value === undefined ? '-' : formatDuration(BigInt(Math.round(value * 1e9)));
}

function cell(text: string, width: number, right = false): string {
  const chars = [...text];
  const fitted = chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : text;
  return right ? fitted.padStart(width) : fitted.padEnd(width);
}

/** The metrics table: one row per operation, most time spent first. */
export function renderMetrics(stats: readonly OperationStats[]): string {
  const serviceWidth = Math.max(7, ...stats.map((s) => s.service.length)) + 2;
  const header = `${cell('service', serviceWidth)}${cell('operation', OPERATION_WIDTH)}${cell('calls', 7, true)}${cell('rate/s', 9, true)}${cell('err %', 7, true)}${cell('p50', 10, true)}${cell('p95', 10, true)}${cell('p99', 10, true)}${cell('time', 10, true)}  trend`;
  const rows = stats.map(
    (s) =>
      `${cell(s.service, serviceWidth)}${cell(s.operation, OPERATION_WIDTH)}${cell(String(s.calls), 7, true)}${cell(s.ratePerSecond.toFixed(2), 9, true)}` +
      `${cell(((s.errors / s.calls) * 100).toFixed(1), 7, true)}${cell(seconds(s.p50), 10, true)}${cell(seconds(s.p95), 10, true)}${cell(seconds(s.p99), 10, true)}` +
      `${cell(seconds(s.seconds), 10, true)}  ${sparkline(s.trend)}`,
  );
  return [header, ...rows].join('\n');
}

/** Reads every metrics line of `target` (rotated copies too; span and log lines and half-written lines are skipped). */
export async function readMetricsStats(target: string, sinceMs: number | undefined, nowMs: number): Promise<{ stats: OperationStats[]; malformed: number }> {
  const documents: unknown[] = [];
  let malformed = 0;
  for (const file of await traceFiles(target)) {
    for (const line of (await readFile(file, 'utf8').catch(() => '')).split('\n')) {
      if (!line.trim()) continue;
      try {
        const document = JSON.parse(line) as Record<string, unknown>;
        if (Array.isArray(document.resourceMetrics)) documents.push(document);
      } catch {
        malformed++;
      }
    }
  }
  const series = collectSeries(documents);
  let from = Infinity;
  let to = -Infinity;
  for (const s of series.values()) {
    for (const sample of s.samples) {
      from = Math.min(from, sample.startMs);
      to = Math.max(to, sample.timeMs);
    }
  }
  if (sinceMs !== undefined) {
    to = Math.max(to, nowMs);
    from = to - sinceMs;
  }
  return { stats: Number.isFinite(from) ? operationStats(series, from, to) : [], malformed };
}
