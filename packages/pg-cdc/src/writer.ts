import { context as otelContext, trace, type Context } from '@opentelemetry/api';
import { countDropped, injectContext } from '@threadline/core';
import { DEFAULT_TRACE_PREFIX } from './semconv.js';

/** A pg Client / PoolClient (`query(text, values)`), or a knex transaction (`raw(sql, bindings)`). */
export type TraceWriterClient =
  | { query(text: string, values: unknown[]): Promise<unknown> }
  | { raw(sql: string, bindings: unknown[]): PromiseLike<unknown> };

export interface EmitTraceContextOptions {
  /** Logical-message prefix; must match the consumer's `tracePrefix`. Default 'threadline.trace'. */
  readonly prefix?: string;
  /** Context to emit; the active one by default. */
  readonly context?: Context;
}

// One round trip, no error path: without EXECUTE on pg_logical_emit_message (revoked from PUBLIC),
// on a standby or in a read-only transaction it returns NULL instead of aborting the app's transaction.
const EMIT_SQL = `SELECT CASE WHEN has_function_privilege('pg_catalog.pg_logical_emit_message(boolean,text,text)', 'EXECUTE')
  AND NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'
  THEN pg_logical_emit_message(true, $1::text, $2::text)::text END AS lsn`;
const EMIT_SQL_KNEX = EMIT_SQL.replace('$1::text', '?::text').replace('$2::text', '?::text');

/**
 * Writes the active trace context into the WAL of the current transaction, where the CDC
 * consumer's span for that transaction picks it up. Call it inside the writing transaction.
 * Resolves true when a carrier was written; false (never a rejection) when there was no trace to
 * carry or the database refused (counted as dropped telemetry).
 */
export async function emitTraceContext(client: TraceWriterClient, options: EmitTraceContextOptions = {}): Promise<boolean> {
  const ctx = options.context ?? otelContext.active();
  if (!trace.getSpanContext(ctx)) return false;
  const carrier = injectContext(ctx);
  if (Object.keys(carrier).length === 0) return false;
  const values = [options.prefix ?? DEFAULT_TRACE_PREFIX, JSON.stringify(carrier)];
  try {
    const result = 'raw' in client && typeof client.raw === 'function' ? await client.raw(EMIT_SQL_KNEX, values) : await (client as { query(text: string, values: unknown[]): Promise<unknown> }).query(EMIT_SQL, values);
    if (firstLsn(result) === null) {
      countDropped('cdc_emit_refused');
      return false;
    }
    return true;
  } catch {
    countDropped('cdc_emit_error');
    return false;
  }
}

/** The `lsn` column of the first row (pg result, or knex raw's pg result). */
function firstLsn(result: unknown): unknown {
  const rows = (result as { rows?: { lsn?: unknown }[] } | undefined)?.rows;
  return rows?.[0]?.lsn ?? null;
}
