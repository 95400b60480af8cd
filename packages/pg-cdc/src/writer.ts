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

/** Dollar-quotes `text` with a tag that cannot occur in it (no escaping rules involved). */
function dollarQuote(text: string): string {
  for (;;) {
    const tag = `$tl${Math.floor(Math.random() * 0xffffffff).toString(16)}$`;
    if (!text.includes(tag) && !tag.includes(BODY_TAG)) return `${tag}${text}${tag}`;
  }
}

function emitSql(prefix: string, content: string): string {
  return `DO ${BODY_TAG} BEGIN PERFORM pg_logical_emit_message(true, ${dollarQuote(prefix)}, ${dollarQuote(content)}); EXCEPTION WHEN OTHERS THEN NULL; END ${BODY_TAG}`;
}

/**
 * Writes the active trace context into the WAL of the current transaction, where the CDC
 * consumer's span for that transaction picks it up. Call it inside the writing transaction.
 * Resolves true when the statement ran (a refusal inside it is swallowed by the database: the
 * carrier is then missing, the transaction unaffected); false, never a rejection, when there was
 * no trace to carry or the call failed (counted as dropped telemetry).
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
    if ('raw' in client && typeof client.raw === 'function') await client.raw(sql);
    else await (client as { query(text: string): Promise<unknown> }).query(sql);
    return true;
  } catch {
    countDropped('cdc_emit_error');
    return false;
  }
}
