export { setupTelemetry, type HarnessOptions, type TelemetryHarness } from './harness.js';
export { assertChildOf, assertLinkedTo, assertRoot, assertSameTrace } from './assertions.js';
export { runApp, type AppRun, type RunAppOptions } from './esm.js';
export { describeWithServices, isPortOpen, requireService, requireTool, SERVICES, uniqueName, waitForPort, type ServiceSpec, type ToolSpec } from './services.js';
export { TOOLS } from './tools.js';
export {
  findPostgresBin,
  freePort,
  startPrivatePostgres,
  startPrivateRedis,
  startPrivateTemporal,
  temporalBinary,
  type PrivatePostgres,
  type PrivateService,
  type PrivateTemporal,
} from './private-services.js';
export { findPrometheusBin, startPrivatePrometheus, type PrivatePrometheus } from './prometheus.js';
export type { ReadableSpan } from '@opentelemetry/sdk-trace';
export type { DataPoint, MetricData } from '@opentelemetry/sdk-metrics';
export { startOtlpReceiver, type OtlpReceiver, type ReceivedLogRecord, type ReceivedMetricPoint, type ReceivedSpan, type ReceivedSpanKind } from './otlp-receiver.js';
export { decodeLogsRequest, decodeMetricsRequest, decodeTraceRequest } from './otlp-protobuf.js';
export { conformance, recordCollector } from './conformance/api.js';
export { checkTelemetry, violationTable, type CheckInput, type Violation } from './conformance/check.js';
export { semconvIndex, type SemconvIndex, type SemconvName } from './conformance/semconv-index.js';
export { SEMCONV_METRIC_SPEC } from './conformance/semconv-metric-spec.js';
export type { RecordedEvent, RecordedMetric, RecordedSpan } from './conformance/recorder.js';
export { assertNoMarkers, expectNoMarkers, exportedTelemetry, findMarkers, type MarkerHit } from './privacy.js';
