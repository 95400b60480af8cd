import type { Span } from '@opentelemetry/api';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/** What the request / response hooks see about one query. */
export interface KnexQueryInfo {
  /** The SQL as knex sent it, with placeholders (`?` / `$1`), untruncated and unsanitized. */
  readonly sql: string;
  /**
   * The bind values. They never reach telemetry unless a hook of yours copies them onto the span:
   * that is your opt-in.
   */
  readonly bindings: readonly unknown[] | undefined;
  /** knex's method name (`select`, `insert`, `raw`, `del`, ...), when knex reports one. */
  readonly method: string | undefined;
  /** The knex transaction id (`trx3`) when the query ran inside a transaction. */
  readonly transactionId: string | undefined;
}

export interface KnexResponseInfo extends KnexQueryInfo {
  /** The post-processed response knex hands back to the caller. */
  readonly response: unknown;
}

/** Options shared by `new KnexInstrumentation(options)` and `instrumentKnex(knex, options)`. */
export interface KnexInstrumentationConfig extends InstrumentationConfig {
  /** Start a query span only when a parent span is active (metrics are recorded either way). Default false. */
  requireParentSpan?: boolean;
  /**
   * `db.query.text` is cut to this many characters before it is sanitized (a 1 MB statement costs
   * no more than a short one). 0 leaves `db.query.text` out. Default 2048.
   */
  maxQueryLength?: number;
  /**
   * Turns the (already truncated) SQL into `db.query.text`. The default replaces quoted string
   * literals and numeric literals with `?`; bind values are never part of the text either way.
   * A sanitizer that throws drops the text for that query (counted as `sanitizer_error`).
   */
  sanitizer?: (sql: string) => string;
  /** Called with the query span right after it starts; errors are caught, counted and ignored. */
  requestHook?: (span: Span, info: KnexQueryInfo) => void;
  /** Called with the query span before it ends successfully; errors are caught, counted and ignored. */
  responseHook?: (span: Span, info: KnexResponseInfo) => void;
  /**
   * Append the query span's W3C traceparent to the SQL sent to the server, as a sqlcommenter
   * comment (`select 1 /*traceparent='00-…-01'*\/`), so server-side logs and activity views tie
   * back to the trace. Default false. Never added to statements that already hold a comment, to
   * several statements, to named (prepared-by-name) pg statements, or to streams and knex's own
   * BEGIN / COMMIT. Trade-off: every statement text becomes unique, so caches keyed by the text
   * (client statement caches, poolers' prepared-statement maps, MySQL's old query cache) stop hitting.
   */
  sqlCommenter?: boolean;
  /** Record the pool gauges (`db.client.connection.*`). Default true. */
  poolMetrics?: boolean;
  /**
   * Overrides `db.system.name` (e.g. `mariadb` behind the `mysql2` client when the server's
   * handshake does not say so). Default: derived from the knex client and the server handshake.
   */
  dbSystemName?: string;
}
