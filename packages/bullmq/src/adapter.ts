import { trace } from '@opentelemetry/api';
import { BullMQTelemetryAdapter } from './hook.js';
import { createRuntime } from './runtime.js';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './version.js';
import type { BullMQTelemetryOptions } from './types.js';

/**
 * The explicit, patch-free path: pass the result as `telemetry` to Queue, Worker and FlowProducer.
 * Wrap the worker's processor with `telemetry.processor(fn)` to also get attempt numbers, stall
 * events, queue wait time and the thrown error's type.
 */
export function bullmqTelemetry(options: BullMQTelemetryOptions = {}): BullMQTelemetryAdapter {
  const provider = options.tracerProvider;
  const tracer = provider
    ? provider.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION)
    : trace.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
  return new BullMQTelemetryAdapter(createRuntime(options, () => tracer));
}
