import type { MetricsCollector } from './collector.js';
import type { AnyInstrument } from './instrument.js';
import type { GaugeSeries, HistogramSeries } from './series.js';

/** The part of prom-client's Registry the sink uses (duck-typed: no runtime import). */
export interface PromRegistryLike {
  registerMetric(metric: unknown): void;
  removeSingleMetric(name: string): void;
}

interface PromValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
  /** Written by prom-client's OpenMetrics registry only (`# {trace_id=..., span_id=...} value seconds`). */
  exemplar?: { labelSet: Record<string, string>; value: number; timestamp: number };
}

/** What the OTel Prometheus exporter does to names and label keys: `_` for anything else, no runs of `_`. */
function sanitize(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

/**
 * The Prometheus name of an instrument, exactly as `@opentelemetry/exporter-prometheus` (0.300)
 * writes it, so both Prometheus outputs of one collector agree: sanitized, no unit suffix, and
 * `_total` on monotonic counters only (`db.client.operation.duration` →
 * `db_client_operation_duration`, `_bucket` / `_sum` / `_count` for histograms).
 */
export function prometheusName(instrument: Pick<AnyInstrument, 'kind' | 'spec'>): string {
  const name = sanitize(instrument.spec.name);
  return instrument.kind === 'counter' && !name.endsWith('_total') ? `${name}_total` : name;
}

function promLabelName(key: string): string {
  return sanitize(key);
}

/**
 * Registers every collector instrument (present and future) on a prom-client Registry. Values are
 * read at scrape time from the same series the other sinks read. Returns an unregister function.
 */
export function registerPromClientSink(collector: MetricsCollector, registry: PromRegistryLike): () => void {
  const names: string[] = [];
  const stop = collector.onDeclare((instrument) => {
    const metric = toPromMetric(instrument);
    registry.registerMetric(metric);
    names.push(metric.name);
  });
  return () => {
    stop();
    for (const name of names) registry.removeSingleMetric(name);
  };
}

function toPromMetric(instrument: AnyInstrument) {
  const name = prometheusName(instrument);
  const type = instrument.kind === 'counter' ? 'counter' : instrument.kind === 'histogram' ? 'histogram' : 'gauge';
  const help = instrument.spec.description || instrument.spec.name;
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    labelNames: instrument.spec.labelKeys.map(promLabelName),
    reset() {},
    // An OpenMetrics registry renames counters to their family name (no `_total`) and adds the suffix to samples itself.
    get: async () => ({ name: metric.name, help, type, aggregator: 'sum', values: promValues(instrument, name) }),
  };
  return metric;
}

function promLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(labels)) out[promLabelName(key)] = labels[key] as string;
  return out;
}

function promValues(instrument: AnyInstrument, name: string): PromValue[] {
  const values: PromValue[] = [];
  for (const series of instrument.series()) {
    const labels = promLabels(series.labels);
    if (instrument.kind === 'histogram') {
      const histogram = series as HistogramSeries;
      const exemplars = new Map(histogram.exemplars().map((e) => [e.bucket, { labelSet: { trace_id: e.traceId, span_id: e.spanId }, value: e.value, timestamp: e.timeMs / 1000 }]));
      const bucket = (le: number | string, value: number, i: number): PromValue => {
        const exemplar = exemplars.get(i);
        return { metricName: `${name}_bucket`, labels: { ...labels, le }, value, ...(exemplar ? { exemplar } : {}) };
      };
      let cumulative = 0;
      histogram.boundaries.forEach((bound, i) => {
        cumulative += histogram.counts[i] as number;
        values.push(bucket(bound, cumulative, i));
      });
      values.push(bucket('+Inf', histogram.count, histogram.boundaries.length));
      values.push({ metricName: `${name}_sum`, labels, value: histogram.sum });
      values.push({ metricName: `${name}_count`, labels, value: histogram.count });
    } else if (instrument.kind === 'gauge') {
      const gauge = series as GaugeSeries;
      if (gauge.hasValue) values.push({ labels, value: gauge.value });
    } else {
      values.push({ labels, value: (series as { value: number }).value });
    }
  }
  return values;
}
