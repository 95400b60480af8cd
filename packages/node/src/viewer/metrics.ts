import { otlpAttributes, otlpServiceName } from '@threadline/core';

type Json = Record<string, unknown>;

/** One cumulative histogram point of one export. */
interface Sample {
  readonly timeMs: number;
  readonly startMs: number;
  readonly count: number;
  readonly sum: number;
  readonly bounds: readonly number[];
  readonly counts: readonly number[];
}

/** One operation of the metrics view: its duration series (one per attribute set) over the window. */
export interface OperationStats {
  readonly service: string;
  readonly operation: string;
  readonly calls: number;
  readonly errors: number;
  readonly seconds: number;
  readonly ratePerSecond: number;
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  /** Calls per interval between consecutive exports, oldest first. */
  readonly trend: readonly number[];
}

/** Attributes that tell outcomes apart, not operations. */
const OUTCOME_KEYS = new Set(['error.type', 'http.response.status_code', 'db.response.status_code', 'network.protocol.version', 'threadline.job.outcome']);
const ERROR_KEY = 'error.type';

function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

function nanosToMs(value: unknown): number {
  return Number(BigInt(String(value ?? 0)) / 1_000_000n);
}

/** `db.client.operation.duration {db.operation.name=SELECT, ...}` → `SELECT orders (postgresql)`-like text, from the identifying attributes. */
function operationName(metric: string, attributes: Record<string, unknown>): string {
  const parts = Object.entries(attributes)
    .filter(([key]) => !OUTCOME_KEYS.has(key))
    .map(([, value]) => String(value));
  return `${metric.replace(/\.duration$/, '')} ${parts.join(' ')}`.trim();
}

interface Series {
  service: string;
  operation: string;
  error: boolean;
  samples: Sample[];
}

/** Every duration histogram (unit `s`) point of every parsed metrics line, grouped by series. */
export function collectSeries(documents: readonly unknown[]): Map<string, Series> {
  const series = new Map<string, Series>();
  for (const document of documents) {
    for (const rm of list((document as Json).resourceMetrics)) {
      const service = otlpServiceName(rm.resource) ?? 'unknown';
      for (const sm of list(rm.scopeMetrics)) {
        for (const m of list(sm.metrics)) {
          const histogram = m.histogram as Json | undefined;
          if (!histogram || m.unit !== 's' || typeof m.name !== 'string') continue;
          for (const p of list(histogram.dataPoints)) {
            const attributes = otlpAttributes(p.attributes);
            const key = `${service}\u0000${m.name}\u0000${JSON.stringify(attributes)}`;
            const entry = series.get(key) ?? { service, operation: operationName(m.name, attributes), error: attributes[ERROR_KEY] !== undefined, samples: [] };
            entry.samples.push({
              timeMs: nanosToMs(p.timeUnixNano),
              startMs: nanosToMs(p.startTimeUnixNano),
              count: Number(p.count ?? 0),
              sum: Number(p.sum ?? 0),
              bounds: list(p.explicitBounds as unknown).map(Number),
              counts: list(p.bucketCounts as unknown).map(Number),
            });
            series.set(key, entry);
          }
        }
      }
    }
  }
  return series;
}

/** The value below which `q` of the calls fall, interpolated inside the bucket it lands in. */
export function quantile(bounds: readonly number[], counts: readonly number[], q: number): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const inBucket = counts[i] as number;
    if (seen + inBucket >= rank && inBucket > 0) {
      const lower = i === 0 ? 0 : (bounds[i - 1] as number);
      const upper = i < bounds.length ? (bounds[i] as number) : lower;
      return lower + (upper - lower) * ((rank - seen) / inBucket);
    }
    seen += inBucket;
  }
  return bounds.at(-1);
}

/**
 * Per operation over [fromMs, toMs]: calls, errors, time spent and percentiles from the change of the
 * cumulative points (a series' first point inside the window counts from its start time).
 */
export function operationStats(series: Map<string, Series>, fromMs: number, toMs: number): OperationStats[] {
  const byOperation = new Map<string, { service: string; operation: string; calls: number; errors: number; seconds: number; bounds: number[]; counts: number[]; trend: Map<number, number> }>();
  for (const s of series.values()) {
    const samples = s.samples.filter((x) => x.timeMs >= fromMs && x.timeMs <= toMs).sort((a, b) => a.timeMs - b.timeMs);
    if (samples.length === 0) continue;
    const key = `${s.service}\u0000${s.operation}`;
    const op = byOperation.get(key) ?? { service: s.service, operation: s.operation, calls: 0, errors: 0, seconds: 0, bounds: [...(samples[0] as Sample).bounds], counts: [], trend: new Map() };
    byOperation.set(key, op);
    let previous: Sample | undefined = s.samples.filter((x) => x.timeMs < fromMs && x.startMs === (samples[0] as Sample).startMs).at(-1);
    for (const sample of samples) {
      // A new start time (process restart) or a smaller count starts the cumulative sums over.
      const base = previous && previous.startMs === sample.startMs && previous.count <= sample.count ? previous : undefined;
      const calls = sample.count - (base?.count ?? 0);
      op.calls += calls;
      if (s.error) op.errors += calls;
      op.seconds += sample.sum - (base?.sum ?? 0);
      sample.counts.forEach((c, i) => (op.counts[i] = (op.counts[i] ?? 0) + c - (base?.counts[i] ?? 0)));
      op.trend.set(sample.timeMs, (op.trend.get(sample.timeMs) ?? 0) + calls);
      previous = sample;
    }
  }
  const spanSeconds = Math.max(1, (toMs - fromMs) / 1000);
  return [...byOperation.values()]
    .map((op) => ({
      service: op.service,
      operation: op.operation,
      calls: op.calls,
      errors: op.errors,
      seconds: op.seconds,
      ratePerSecond: op.calls / spanSeconds,
      p50: quantile(op.bounds, op.counts, 0.5),
      p95: quantile(op.bounds, op.counts, 0.95),
      p99: quantile(op.bounds, op.counts, 0.99),
      trend: [...op.trend.entries()].sort((a, b) => a[0] - b[0]).map(([, calls]) => calls),
    }))
    .filter((op) => op.calls > 0)
    .sort((a, b) => b.seconds - a.seconds);
}
