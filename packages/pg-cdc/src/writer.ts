import { context as otelContext, trace, type Context } from '@opentelemetry/api';
import { countDropped, injectContext } from '@threadline/core';
import { DEFAULT_TRACE_PREFIX } from './semconv.js';

/** A pg Client / PoolClient (`query(text, values)`), or a knex transaction (`raw(sql, bindings)`). */
export type TraceWriterClient = { query(text: string): Promise<unknown> } | { raw(sql: string): PromiseLike<unknown> };

export interface EmitTraceContextOptions {
  /** Logical-message prefix; must match the consumer's `tracePrefix`. Default 'threadline.trace'. */
  readonly prefix?: string;
  /** Context to emit; the active one by default. */
  readonly context?: Context;
}

// A plpgsql block with its own exception handler: one round trip, and a refusal (EXECUTE revoked,
// a standby) costs the carrier, never the app's transaction. Function
// privileges are checked when a statement is initialised, so a guarding CASE would not help.
const BODY_TAG = '$threadline_emit$';
// The handler records a refusal in a transaction-local setting, read back by a SELECT in the same
// simple query, so a refusal is counted instead of silent and still costs one round trip.
const REFUSED_SETTING = 'threadline.emit_refused';
const REFUSED_COLUMN = 'threadline_emit_refused';

/** Dollar-quotes `text` with a tag that cannot occur in it (no escaping rules involved). */
function dollarQuote(text: string): string {
  for (;;) {
    const tag = `$tl${Math.floor(Math.random() * 0xffffffff).toString(16)}$`;
    if (!text.includes(tag) && !tag.includes(BODY_TAG)) return `${tag}${text}${tag}`;
  }
}

function emitSql(prefix: string, content: string): string {
  return (
    `DO ${BODY_TAG} BEGIN PERFORM set_config('${REFUSED_SETTING}', '0', true); ` +
    `PERFORM pg_logical_emit_message(true, ${dollarQuote(prefix)}, ${dollarQuote(content)}); ` +
    `EXCEPTION WHEN OTHERS THEN PERFORM set_config('${REFUSED_SETTING}', '1', true); END ${BODY_TAG}; ` +
    `SELECT current_setting('${REFUSED_SETTING}', true) AS ${REFUSED_COLUMN}`
  );
}

/** pg answers a two-statement query with one result per statement; knex's raw passes that through. */
function refused(result: unknown): boolean {
  const results = Array.isArray(result) ? result : [result];
  return results.some((r) => (r as { rows?: Array<Record<string, unknown>> } | null)?.rows?.[0]?.[REFUSED_COLUMN] === '1');
}

/**
 * Writes the active trace context into the WAL of the current transaction, where the CDC
 * consumer's span for that transaction picks it up. Call it inside the writing transaction.
 * Resolves true when the message was written; false, never a rejection, when there was no trace
 * to carry, the database refused the message (EXECUTE revoked, a read-only transaction, a standby:
 * counted as `cdc_emit_refused`, the transaction unaffected) or the call failed (`cdc_emit_error`).
 */
export async function emitTraceContext(client: TraceWriterClient, options: EmitTraceContextOptions = {}): Promise<boolean> {
  const ctx = options.context ?? otelContext.active();
  if (!trace.getSpanContext(ctx)) return false;
  const carrier = injectContext(ctx);
  if (Object.keys(carrier).length === 0) return false;
  const prefix = options.prefix ?? DEFAULT_TRACE_PREFIX;
  const content = JSON.stringify(carrier);
  if (prefix.includes(BODY_TAG) || content.includes(BODY_TAG)) {
    countDropped('bad_carrier');
    return false;
  }
  const sql = emitSql(prefix, content);
  try {
    // No bindings: knex would read a `?` inside the carrier as a placeholder.
    const result = 'raw' in client && typeof client.raw === 'function' ? await client.raw(sql) : await (client as { query(text: string): Promise<unknown> }).query(sql);
    if (!refused(result)) return true;
    countDropped('cdc_emit_refused');
    return false;
  } catch {
    countDropped('cdc_emit_error');
    return false;
  }
}
