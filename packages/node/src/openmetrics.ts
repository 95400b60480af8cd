import type { HrTime } from '@opentelemetry/api';
import { DataPointType, type Histogram, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** An exemplar as the threadline collector's MetricProducer puts it on a histogram data point. */
interface PointExemplar {
  readonly value: number;
  readonly timestamp: HrTime;
  readonly traceId: string;
  readonly spanId: string;
}

/** As the OTel Prometheus exporter names things: `_` for anything else, no runs of `_`. */
function sanitize(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

function escapeValue(value: unknown): string {
  return String(value).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Labels of one sample: its attributes, then the scope labels the OTel Prometheus exporter adds (so both formats name the same series). */
function labels(attributes: object, scopeLabels: Readonly<Record<string, string>>, extra?: [string, string]): string {
  const parts = Object.entries({ ...attributes, ...scopeLabels }).map(([key, value]) => `${sanitize(key)}="${escapeValue(value)}"`);
  if (extra) parts.push(`${extra[0]}="${extra[1]}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

function exemplarSuffix(exemplar: PointExemplar | undefined): string {
  if (!exemplar) return '';
  const seconds = exemplar.timestamp[0] + exemplar.timestamp[1] / 1e9;
  return ` # {trace_id="${exemplar.traceId}",span_id="${exemplar.spanId}"} ${number(exemplar.value)} ${seconds.toFixed(3)}`;
}

/** The exemplar whose value falls in the bucket `(lower, upper]`. */
function exemplarIn(exemplars: readonly PointExemplar[], lower: number, upper: number): PointExemplar | undefined {
  return exemplars.find((e) => e.value > lower && e.value <= upper);
}

function histogramLines(family: string, metric: MetricData, scope: Readonly<Record<string, string>>): string[] {
  const lines: string[] = [];
  for (const point of metric.dataPoints) {
    const value = point.value as Histogram;
    const exemplars = ((point as { exemplars?: PointExemplar[] }).exemplars ?? []) as readonly PointExemplar[];
    const attributes = point.attributes;
    let cumulative = 0;
    let lower = -Infinity;
    const bounds = [...value.buckets.boundaries, Infinity];
    bounds.forEach((upper, i) => {
      cumulative += value.buckets.counts[i] ?? 0;
      lines.push(`${family}_bucket${labels(attributes, scope, ['le', number(upper)])} ${cumulative}${exemplarSuffix(exemplarIn(exemplars, lower, upper))}`);
      lower = upper;
    });
    lines.push(`${family}_count${labels(attributes, scope)} ${value.count}`, `${family}_sum${labels(attributes, scope)} ${number(value.sum ?? 0)}`);
  }
  return lines;
}

/** One metric family, or none for kinds OpenMetrics here does not carry (exponential histograms). */
function family(metric: MetricData, scope: Readonly<Record<string, string>>): { name: string; type: string; samples: string[] } | undefined {
  const base = sanitize(metric.descriptor.name);
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      if (metric.isMonotonic) {
        const name = base.replace(/_total$/, '');
        return { name, type: 'counter', samples: metric.dataPoints.map((p) => `${name}_total${labels(p.attributes, scope)} ${number(p.value as number)}`) };
      }
      return { name: base, type: 'gauge', samples: metric.dataPoints.map((p) => `${base}${labels(p.attributes, scope)} ${number(p.value as number)}`) };
    case DataPointType.GAUGE:
      return { name: base, type: 'gauge', samples: metric.dataPoints.map((p) => `${base}${labels(p.attributes, scope)} ${number(p.value as number)}`) };
    case DataPointType.HISTOGRAM:
      return { name: base, type: 'histogram', samples: histogramLines(base, metric, scope) };
    default:
      return undefined;
  }
}

/**
 * The OpenMetrics text of one collection, with the collector's exemplars on their bucket lines.
 * Names and labels (scope labels, `target_info`) are the ones the OTel Prometheus exporter writes,
 * so a scraper switching format sees the same series; same-named metrics of several scopes share one family.
 */
export function serializeOpenMetrics(resourceMetrics: ResourceMetrics): string {
  const families = new Map<string, { type: string; help: string; samples: string[] }>();
  families.set('target_info', { type: 'gauge', help: '', samples: [`target_info${labels(resourceMetrics.resource.attributes, {})} 1`] });
  for (const scope of resourceMetrics.scopeMetrics) {
    const scopeLabels = { otel_scope_name: scope.scope.name, ...(scope.scope.version ? { otel_scope_version: scope.scope.version } : {}) };
    for (const metric of scope.metrics) {
      const f = family(metric, scopeLabels);
      if (!f) continue;
      // One family per name: scopes that share a name (the http instrumentation and @threadline/fetch) are told apart by their scope labels.
      const existing = families.get(f.name);
      if (existing && existing.type !== f.type) continue;
      if (existing) existing.samples.push(...f.samples);
      else families.set(f.name, { type: f.type, help: metric.descriptor.description, samples: f.samples });
    }
  }
  const lines: string[] = [];
  for (const [name, f] of families) {
    if (f.samples.length === 0) continue;
    lines.push(`# TYPE ${name} ${f.type}`);
    if (f.help) lines.push(`# HELP ${name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    lines.push(...f.samples);
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}
