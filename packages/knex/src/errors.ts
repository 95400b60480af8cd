import type { Span } from '@opentelemetry/api';
import { ATTR, recordSpanError } from '@threadline/core';

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** `db.response.status_code`: the SQLSTATE (Postgres) or the server's error number (MySQL / MariaDB). */
export function responseStatusCode(error: unknown): string | undefined {
  try {
    const e = error as { code?: unknown; errno?: unknown; sqlState?: unknown } | null;
    if (typeof e?.errno === 'number' && typeof e.sqlState === 'string') return String(e.errno);
    if (typeof e?.code === 'string' && SQLSTATE.test(e.code)) return e.code;
  } catch {
    // A hostile error object still fails its span below.
  }
  return undefined;
}

/**
 * Marks a span failed without the error's message: knex can rewrite a failed query's message to
 * the SQL with the bind values inlined, and driver messages quote row values (`Duplicate entry 'x'`).
 * The span keeps status ERROR, `error.type` and an exception event carrying the type only.
 */
export function markFailed(span: Span, type: string, error?: unknown): void {
  try {
    const status = responseStatusCode(error);
    if (status !== undefined) span.setAttribute(ATTR.DB_RESPONSE_STATUS_CODE, status);
  } catch {
    // Telemetry never breaks the app.
  }
  recordSpanError(span, error, type, { message: false });
}
