// `@threadline/temporal/worker`: what needs @temporalio/worker, apart from the root entry so a
// client-only app type-checks without that optional peer installed.
export { createWorkerTelemetry, type WorkerTelemetry } from './worker.js';
export { installTemporalMetricsBridge, type TemporalMetricsBridge } from './metrics-bridge.js';
export { TemporalInstrumentation } from './instrumentation.js';
export { TemporalPlugin } from './plugin.js';
export type { WorkerTelemetryOptions } from './types.js';
export type { MetricsBridgeOptions, TemporalPluginOptions } from './worker-types.js';
