import { SpanKind, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { defineMetrics } from './collector/global.js';
import type { CounterSeries, HistogramSeries, UpDownCounterSeries } from './collector/series.js';
import type { ErrorMessageOptions } from './errors.js';
import { ATTR, METRICS, RESULT } from './names.js';
import { runOperation } from './operation.js';
import { CORE_SCOPE } from './version.js';

export interface TracedOptions extends ErrorMessageOptions {
  readonly attributes?: Attributes;
  /** Tracer to use; `@threadline/core`'s from the global provider by default. */
  readonly tracer?: Tracer;
}

/** The bound series of one function name: a call touches only these (errors bind their type). */
interface FunctionSeries {
  readonly inFlight: UpDownCounterSeries;
  readonly ok: CounterSeries;
  readonly failed: CounterSeries;
  readonly okDuration: HistogramSeries;
}

// Names are code-defined, but a caller could pass dynamic ones: past this many, calls bind per call.
const MAX_CACHED_NAMES = 1000;

const functionMetrics = defineMetrics((collector) => {
  const duration = collector.histogram({ ...METRICS.FUNCTION_DURATION, labelKeys: [ATTR.CODE_FUNCTION_NAME, ATTR.ERROR_TYPE], optionalLabelKeys: [ATTR.ERROR_TYPE] });
  const calls = collector.counter({ ...METRICS.FUNCTION_CALLS, labelKeys: [ATTR.CODE_FUNCTION_NAME, ATTR.RESULT] });
  const inFlight = collector.upDownCounter({ ...METRICS.FUNCTION_IN_FLIGHT, labelKeys: [ATTR.CODE_FUNCTION_NAME] });
  const byName = new Map<string, FunctionSeries>();
  const bindName = (name: string): FunctionSeries => ({
    inFlight: inFlight.bind({ [ATTR.CODE_FUNCTION_NAME]: name }),
    ok: calls.bind({ [ATTR.CODE_FUNCTION_NAME]: name, [ATTR.RESULT]: RESULT.OK }),
    failed: calls.bind({ [ATTR.CODE_FUNCTION_NAME]: name, [ATTR.RESULT]: RESULT.ERROR }),
    okDuration: duration.bind({ [ATTR.CODE_FUNCTION_NAME]: name }),
  });
  return {
    duration,
    seriesFor(name: string): FunctionSeries {
      let series = byName.get(name);
      if (series === undefined) {
        series = bindName(name);
        if (byName.size < MAX_CACHED_NAMES) byName.set(name, series);
      }
      return series;
    },
  };
});

// Checked per call, never thrown: traced() runs inside the app's own call.
const WITHOUT_MESSAGE = Object.freeze({ message: false });

/**
 * Runs `fn` (sync or async) inside an active INTERNAL span named `name` and records
 * `function.calls`, `function.duration` and `function.in_flight`. A throw or rejection is recorded
 * on the span and rethrown unchanged.
 */
export function traced<T>(name: string, fn: () => T, options: TracedOptions = {}): T {
  const metrics = functionMetrics();
  const series = metrics.seriesFor(name);
  series.inFlight.add(1);
  return runOperation(
    options.tracer ?? trace.getTracer(CORE_SCOPE.name, CORE_SCOPE.version),
    { name, kind: SpanKind.INTERNAL, recordError: options.recordErrorMessages === false ? WITHOUT_MESSAGE : undefined, ...(options.attributes ? { attributes: options.attributes } : {}) },
    () => fn(),
    (operation, error, failed) => {
      series.inFlight.add(-1);
      const seconds = operation.elapsedSeconds();
      if (!failed) {
        series.ok.add(1);
        series.okDuration.record(seconds, operation.span);
        return;
      }
      const type = operation.end(error, true);
      series.failed.add(1);
      metrics.duration.bind({ [ATTR.CODE_FUNCTION_NAME]: name, [ATTR.ERROR_TYPE]: type }).record(seconds, operation.span);
    },
  );
}
