import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { ATTR } from '@threadline/core';

/**
 * Marks a span failed without the error's message: knex rewrites a failed query's message to the
 * SQL with every bind value inlined, and driver messages quote row values (`Duplicate entry 'x'`).
 * The span keeps status ERROR, `error.type` and an exception event carrying the type only.
 */
export function markFailed(span: Span, type: string): void {
  try {
    span.setAttribute(ATTR.ERROR_TYPE, type);
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.recordException({ name: type });
  } catch {
    // Telemetry never breaks the app.
  }
}
