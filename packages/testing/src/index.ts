export { setupTelemetry, type HarnessOptions, type TelemetryHarness } from './harness.js';
export { assertChildOf, assertLinkedTo, assertRoot, assertSameTrace } from './assertions.js';
export { runApp, type AppRun, type RunAppOptions } from './esm.js';
export { describeWithServices, isPortOpen, requireService, SERVICES, uniqueName, waitForPort, type ServiceSpec } from './services.js';
export { findPostgresBin, freePort, startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateService } from './private-services.js';
export type { ReadableSpan } from '@opentelemetry/sdk-trace';
export type { DataPoint, MetricData } from '@opentelemetry/sdk-metrics';
export { startOtlpReceiver, type OtlpReceiver, type ReceivedMetricPoint, type ReceivedSpan, type ReceivedSpanKind } from './otlp-receiver.js';
export { decodeMetricsRequest, decodeTraceRequest } from './otlp-protobuf.js';
