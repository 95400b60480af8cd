import type { MetricsCollector } from '@threadline/core';
import { checkTelemetry, violationTable, type Violation } from './check.js';
import { clearRecorder, recordMetric, recorder } from './recorder.js';

/** Records every series of a collector (its exported labels) for the check. */
export function recordCollector(collector: MetricsCollector, source: string): void {
  for (const instrument of collector.instruments()) {
    for (const series of instrument.series()) {
      recordMetric({ name: instrument.name, unit: instrument.spec.unit, instrument: instrument.kind, attributes: series.labels, source });
    }
  }
}

/**
 * The conformance check of the running test file. The vitest setup file
 * `@threadline/testing/conformance-setup` runs `assert()` after the file's tests.
 */
export const conformance = {
  /** Declares that this test file turned on these Opt-In attributes (e.g. `url.scheme`, `http.request.header.<key>`). */
  optIn(...names: string[]): void {
    for (const name of names) recorder().optIns.add(name);
  },
  /** The violations in everything recorded so far. */
  check(): Violation[] {
    const r = recorder();
    for (const flush of r.flushers) flush();
    return checkTelemetry(r);
  },
  /** Throws a table of violations, if any; the recorder starts empty either way. */
  assert(): void {
    const violations = conformance.check();
    const recorded = recorder();
    const counts = `${recorded.spans.length} span shapes, ${recorded.metrics.length} metric shapes`;
    clearRecorder();
    if (violations.length > 0) {
      throw new Error(`threadline conformance: ${violations.length} violation(s) of semconv / the naming registry (${counts} checked)\n\n${violationTable(violations)}\n`);
    }
  },
  /** Forgets what was recorded (a self-test that planted a wrong name cleans up with this). */
  reset(): void {
    clearRecorder();
  },
};
