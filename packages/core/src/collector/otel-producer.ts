import { ValueType, type HrTime } from '@opentelemetry/api';
import type { MetricsCollector } from './collector.js';
import { CORE_SCOPE } from '../version.js';
import type { AnyInstrument, InstrumentationScopeLike } from './instrument.js';
import type { AnySeries, GaugeSeries, HistogramSeries } from './series.js';

// Numeric values of sdk-metrics' DataPointType and AggregationTemporality enums: core stays
// free of SDK packages (plugins depend on the API only); a test pins them to the SDK's values.
const DATA_POINT_TYPE = { HISTOGRAM: 0, GAUGE: 2, SUM: 3 } as const;
const CUMULATIVE = 1;

/**
 * Structurally an sdk-metrics `MetricProducer`: pass it as `metricProducers: [producer]` to any
 * MetricReader (PeriodicExportingMetricReader, PrometheusExporter) and the collector's series are
 * exported as cumulative points next to the SDK's own.
 */
export interface CollectorMetricProducer {
  collect(options?: { timeoutMillis?: number }): Promise<{ resourceMetrics: { resource: unknown; scopeMetrics: unknown[] }; errors: unknown[] }>;
}

/** Instruments are exported under the scope they were declared with (the plugin), else `defaultScope`. */
export function createOtelMetricProducer(collector: MetricsCollector, defaultScope: InstrumentationScopeLike = CORE_SCOPE): CollectorMetricProducer {
  return {
    async collect() {
      const endTime = toHrTime(Date.now());
      const byScope = new Map<string, { scope: InstrumentationScopeLike; metrics: unknown[] }>();
      for (const instrument of collector.instruments()) {
        const data = toMetricData(instrument, endTime);
        if (!data) continue;
        const scope = instrument.spec.scope ?? defaultScope;
        const key = `${scope.name}@${scope.version ?? ''}`;
        let entry = byScope.get(key);
        if (!entry) byScope.set(key, (entry = { scope, metrics: [] }));
        entry.metrics.push(data);
      }
      // MetricReader keeps its own resource and only takes our scopeMetrics.
      return { resourceMetrics: { resource: undefined, scopeMetrics: [...byScope.values()] }, errors: [] };
    },
  };
}

function toMetricData(instrument: AnyInstrument, endTime: HrTime): unknown {
  const descriptor = {
    name: instrument.spec.name,
    description: instrument.spec.description,
    unit: instrument.spec.unit,
    valueType: ValueType.DOUBLE,
  };
  const series = [...instrument.series()];
  if (series.length === 0) return undefined;
  const point = (s: AnySeries, value: unknown) => ({ startTime: toHrTime(s.startTimeMs), endTime, attributes: s.labels, value });
  switch (instrument.kind) {
    case 'counter':
    case 'updowncounter':
      return {
        descriptor,
        aggregationTemporality: CUMULATIVE,
        dataPointType: DATA_POINT_TYPE.SUM,
        isMonotonic: instrument.kind === 'counter',
        dataPoints: series.map((s) => point(s, (s as { value: number }).value)),
      };
    case 'gauge':
      return {
        descriptor,
        aggregationTemporality: CUMULATIVE,
        dataPointType: DATA_POINT_TYPE.GAUGE,
        dataPoints: (series as GaugeSeries[]).filter((s) => s.hasValue).map((s) => point(s, s.value)),
      };
    case 'histogram':
      return {
        descriptor,
        aggregationTemporality: CUMULATIVE,
        dataPointType: DATA_POINT_TYPE.HISTOGRAM,
        dataPoints: (series as HistogramSeries[]).map((s) => {
          const exemplars = s.exemplars();
          return {
            ...point(s, {
              buckets: { boundaries: [...s.boundaries], counts: Array.from(s.counts) },
              sum: s.sum,
              count: s.count,
              ...(s.count > 0 ? { min: s.min, max: s.max } : {}),
            }),
            // Exemplars in the shape of the OTel data model; the SDK's own serializers (0.300) drop them, ours write them.
            ...(exemplars.length > 0
              ? { exemplars: exemplars.map((e) => ({ filteredAttributes: {}, value: e.value, timestamp: toHrTime(e.timeMs), traceId: e.traceId, spanId: e.spanId })) }
              : {}),
          };
        }),
      };
  }
}

function toHrTime(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1000);
  return [seconds, Math.round((epochMs - seconds * 1000) * 1e6)];
}
