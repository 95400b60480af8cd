import { SpanKind, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { defineMetrics } from './collector/global.js';
import { ATTR, METRICS, RESULT } from './names.js';
import { runOperation } from './operation.js';

export interface TracedOptions {
  readonly attributes?: Attributes;
  /** Tracer to use; `@threadline/core`'s from the global provider by default. */
  readonly tracer?: Tracer;
}

const functionMetrics = defineMetrics((collector) => ({
  duration: collector.histogram({ ...METRICS.FUNCTION_DURATION, labelKeys: [ATTR.FUNCTION_NAME, ATTR.ERROR_TYPE], optionalLabelKeys: [ATTR.ERROR_TYPE] }),
  calls: collector.counter({ ...METRICS.FUNCTION_CALLS, labelKeys: [ATTR.FUNCTION_NAME, ATTR.FUNCTION_RESULT] }),
  inFlight: collector.upDownCounter({ ...METRICS.FUNCTION_IN_FLIGHT, labelKeys: [ATTR.FUNCTION_NAME] }),
}));

const CORE_TRACER_NAME = '@threadline/core';

/**
 * Runs `fn` (sync or async) inside an active INTERNAL span named `name` and records
 * `function.calls`, `function.duration` and `function.in_flight`. A throw or rejection is recorded
 * on the span and rethrown unchanged.
 */
export function traced<T>(name: string, fn: () => T, options: TracedOptions = {}): T {
  const metrics = functionMetrics();
  const inFlight = metrics.inFlight.bind({ [ATTR.FUNCTION_NAME]: name });
  inFlight.add(1);
  return runOperation(
    options.tracer ?? trace.getTracer(CORE_TRACER_NAME),
    { name, kind: SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) },
    () => fn(),
    (operation, error, failed) => {
      inFlight.add(-1);
      const type = failed ? operation.end(error, true) : undefined;
      metrics.calls.bind({ [ATTR.FUNCTION_NAME]: name, [ATTR.FUNCTION_RESULT]: failed ? RESULT.ERROR : RESULT.OK }).add(1);
      metrics.duration.bind({ [ATTR.FUNCTION_NAME]: name, [ATTR.ERROR_TYPE]: type }).record(operation.elapsedSeconds());
    },
  );
}
