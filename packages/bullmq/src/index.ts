export { BullMQInstrumentation } from './instrumentation.js';
export { bullmqTelemetry } from './adapter.js';
export { BullMQTelemetryAdapter } from './hook.js';
export { watchQueueDepth, type QueueDepthOptions, type QueueDepthSource, type QueueDepthWatch } from './queue-depth.js';
export { BULLMQ_ATTR, EVENTS, MESSAGING_SYSTEM, OUTCOME } from './semconv.js';
export type { BullMQInstrumentationConfig, BullMQTelemetryOptions, JobLike, SendInfo } from './types.js';
