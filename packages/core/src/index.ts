export { MetricsCollector, type CollectorOptions, type DeclarationListener } from './collector/collector.js';
export {
  Instrument,
  normalizeLabelValue,
  type AnyInstrument,
  type Counter,
  type Gauge,
  type Histogram,
  type InstrumentKind,
  type InstrumentSpec,
  type LabelInput,
  type UpDownCounter,
} from './collector/instrument.js';
export { CounterSeries, GaugeSeries, HistogramSeries, UpDownCounterSeries, type AnySeries, type LabelValues } from './collector/series.js';
export type { Exemplar } from './collector/exemplars.js';
export { NOOP_COLLECTOR } from './collector/noop.js';
export { defineMetrics, getCollector, setCollector } from './collector/global.js';
export { createOtelMetricProducer, type CollectorMetricProducer } from './collector/otel-producer.js';
export type { InstrumentationScopeLike } from './collector/instrument.js';
export { CORE_SCOPE } from './version.js';
export { prometheusName, registerPromClientSink, type PromRegistryLike } from './collector/prom-client-sink.js';
export { findPoint, snapshot, type HistogramValue, type SnapshotMetric, type SnapshotPoint } from './collector/snapshot.js';
export { BYTES_BUCKETS, DB_SECONDS_BUCKETS, MILLISECONDS_BUCKETS, SECONDS_BUCKETS, defaultBuckets } from './buckets.js';
export { ATTR, ERROR_TYPE_OTHER, LABEL, METRICS, RESULT, SHARED_INSTRUMENTS, SPAN_NAMES, type MetricInstrument, type MetricName, type MetricUnit } from './names.js';
export { errorRecording, errorType, recordSpanError, type ErrorMessageOptions, type RecordErrorOptions } from './errors.js';
export { CARRIER_LIMITS, extractContext, injectContext, parseJsonCarrier, sanitizeCarrier, type Carrier } from './carrier.js';
export { TelemetryBoundary, installOnce, safeHook } from './safe-hook.js';
export { countDropped } from './self-metrics.js';
export { Operation, isThenable, runOperation, startOperation, type OperationEnd, type OperationOptions } from './operation.js';
export { traced, type TracedOptions } from './traced.js';
export { overlayContext } from './overlay-context.js';
export { declareParentBasedSampling, isUnsampledParent, unrecordedSpan } from './sampling.js';
export { decodeOtlpJsonSpans, otlpAttributes, otlpIdToHex, otlpServiceName, type OtlpJsonSpan, type OtlpSpanKind } from './otlp-json.js';
export { decodeOtlpJsonLogs, type OtlpJsonLogRecord } from './otlp-json-logs.js';
export {
  ATTRIBUTE_CATALOG,
  SEMCONV_METRICS,
  metricStability,
  namesMarkdown,
  NAMES_BEGIN,
  NAMES_END,
  withNamesSection,
  CONVENTION,
  EXCEPTION_EVENT,
  NAME_REGISTRY,
  OWNED_PREFIX,
  attributeInfo,
  packageNames,
  type AttributeUse,
  type EventEntry,
  type MetricEntry,
  type NameInfo,
  type PackageNames,
  type Requirement,
  type SpanEntry,
  type Stability,
} from './registry/index.js';
export { DEFAULT_REDACTED_QUERY_PARAMS, REDACTED, queryParamKey, queryRedactor, resolveRedactedQueryParams } from './redact.js';
