import { context, isSpanContextValid, SpanKind, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { ATTR, ERROR_TYPE_OTHER, SPAN_NAMES, TelemetryBoundary, countDropped, errorType, isUnsampledParent, safeHook } from '@threadline/core';
import { maskLiterals, type ConnectionFacts } from './attributes.js';
import { markFailed, responseStatusCode } from './errors.js';
import type { KnexHandler, PoolSnapshot, PoolTiming, QueryEvent } from './handler.js';
import { SeriesCache } from './metrics.js';
import { QueryShapes, type QueryShape } from './query-shapes.js';
import { KNEX_ATTR, TRANSACTION_SPAN_NAME, type TransactionOutcome } from './semconv.js';
import type { KnexInstrumentationConfig, KnexQueryInfo } from './types.js';

/** Timer jitter tolerated when deciding whether a failed query hit its knex timeout. */
const TIMEOUT_SLACK_MS = 5;

export const DEFAULT_MAX_QUERY_LENGTH = 2048;
const KNEX_TIMEOUT_ERROR = 'KnexTimeoutError';

/** One query in flight. */
export class QueryOp {
  constructor(
    readonly span: Span | undefined,
    readonly startedAt: number,
    readonly shape: QueryShape,
    readonly event: QueryEvent<unknown>,
    /** The parent whose children are never recorded, when that is why there is no span: sqlcommenter still carries it. */
    readonly unsampledParent?: Span,
  ) {}
}

/** One open transaction: its span (when started) and the context its body runs in. */
export class TransactionOp {
  outcome: TransactionOutcome | undefined;
  constructor(
    readonly span: Span | undefined,
    readonly context: Context,
    readonly parentSpanId: string | undefined,
  ) {}
}

/** Where a telemetry instance gets its tracer and on/off state (live for an Instrumentation) and its options. */
export interface TelemetrySource {
  readonly tracer: Tracer;
  readonly config: KnexInstrumentationConfig;
  readonly enabled: boolean;
}

/** Turns the knex hook's plain events into spans and metrics for one knex instance. */
export class KnexTelemetry implements KnexHandler<QueryOp, TransactionOp> {
  private readonly boundary = new TelemetryBoundary('@threadline/knex');
  private readonly series = new SeriesCache();
  private readonly baseAttributes: Attributes;
  private readonly shapes: QueryShapes;
  private readonly requestHook: (span: Span, info: KnexQueryInfo) => void;
  private readonly responseHook: (span: Span, info: KnexQueryInfo & { response: unknown }) => void;
  /** Read once: options apply to the instances instrumented after they are set. */
  private readonly config: KnexInstrumentationConfig;

  constructor(
    private readonly source: TelemetrySource,
    private readonly facts: ConnectionFacts,
  ) {
    this.baseAttributes = this.connectionAttributes();
    const config = (this.config = source.config);
    const sanitizer = config.sanitizer ?? maskLiterals;
    const sanitize = (sql: string) => {
      try {
        const text = sanitizer(sql);
        return typeof text === 'string' ? text : '';
      } catch {
        countDropped('sanitizer_error');
        return '';
      }
    };
    this.shapes = new QueryShapes(facts, this.baseAttributes, config.maxQueryLength ?? DEFAULT_MAX_QUERY_LENGTH, sanitize);
    this.requestHook = safeHook(config.requestHook, 'knex requestHook');
    this.responseHook = safeHook(config.responseHook, 'knex responseHook');
  }

  get enabled(): boolean {
    return this.source.enabled && !this.boundary.disabled;
  }

  queryStarted(event: QueryEvent<TransactionOp>): QueryOp {
    const shape = this.shapes.of(event.sql, event.method, event.collection);
    const parent = this.parentFor(event.transaction);
    if (this.config.requireParentSpan && !hasSpan(parent)) return new QueryOp(undefined, performance.now(), shape, event);
    if (isUnsampledParent(parent)) return new QueryOp(undefined, performance.now(), shape, event, trace.getSpan(parent));
    const span = this.source.tracer.startSpan(shape.spanName, shape.spanOptions, parent);
    if (this.config.requestHook) this.requestHook(span, infoOf(event));
    return new QueryOp(span, performance.now(), shape, event);
  }

  queryEnded(op: QueryOp, response: unknown): void {
    const seconds = (performance.now() - op.startedAt) / 1000;
    const series = this.series.okSeries(op.shape);
    series.duration.record(seconds, op.span);
    series.count.add(1);
    if (op.span) {
      if (this.config.responseHook) this.responseHook(op.span, { ...infoOf(op.event), response });
      op.span.end();
    }
  }

  queryFailed(op: QueryOp, error: unknown): void {
    // Past its knex timeout the caller got a KnexTimeoutError, whatever the server says later (a cancel's 57014).
    this.fail(op, this.timedOut(op) ? KNEX_TIMEOUT_ERROR : errorType(error), error);
  }

  queryAbandoned(op: QueryOp): void {
    this.fail(op, this.timedOut(op) ? KNEX_TIMEOUT_ERROR : ERROR_TYPE_OTHER);
  }

  acquireFailed(error: unknown): void {
    const parent = context.active();
    const type = errorType(error);
    // No operation ran, so no operation duration: a pool timeout counts as one, any failure as an error.
    if (/timeout/i.test(type)) this.series.poolSeries(this.facts.poolName).timeouts.add(1);
    this.series.recordAcquireError(this.facts.system);
    if (!this.wantsSpan(parent)) return;
    const span = this.source.tracer.startSpan(SPAN_NAMES.db(undefined, undefined, this.facts.system), { kind: SpanKind.CLIENT, attributes: this.baseAttributes }, parent);
    markFailed(span, type, error);
    span.end();
  }

  transactionStarted(_transactionId: string, outer: TransactionOp | undefined): TransactionOp | undefined {
    const parent = this.parentFor(outer);
    if (!this.wantsSpan(parent)) return undefined;
    const span = this.source.tracer.startSpan(TRANSACTION_SPAN_NAME, { kind: SpanKind.INTERNAL, attributes: this.baseAttributes }, parent);
    return new TransactionOp(span, trace.setSpan(parent, span), trace.getSpan(parent)?.spanContext().spanId);
  }

  /** No span without a parent when one is required, nor under a parent whose children are never recorded. */
  private wantsSpan(parent: Context): boolean {
    return (!this.config.requireParentSpan || hasSpan(parent)) && !isUnsampledParent(parent);
  }

  inTransaction<T>(tx: TransactionOp, fn: () => T): T {
    return context.with(tx.context, fn);
  }

  transactionStatement(tx: TransactionOp, outcome: TransactionOutcome): void {
    tx.outcome = outcome;
  }

  transactionEnded(tx: TransactionOp, error: unknown, failed: boolean): void {
    if (!tx.span) return;
    const outcome = tx.outcome ?? (failed ? 'rollback' : undefined);
    if (outcome) tx.span.setAttribute(KNEX_ATTR.TRANSACTION_OUTCOME, outcome);
    if (failed) markFailed(tx.span, errorType(error), error);
    tx.span.end();
  }

  traceparent(op: QueryOp): string | undefined {
    const span = (op.span ?? op.unsampledParent)?.spanContext();
    if (!span || !isSpanContextValid(span)) return undefined;
    return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
  }

  poolChanged(pool: PoolSnapshot): void {
    const series = this.series.poolSeries(this.facts.poolName);
    series.used.set(pool.used);
    series.idle.set(pool.idle);
    series.pending.set(pool.pending);
    series.limit.set(pool.max);
    // tarn reaps idle connections down to `min` and lets up to `max` sit idle.
    series.idleMax.set(pool.max);
    series.idleMin.set(pool.min);
  }

  poolTimed(timing: PoolTiming, seconds: number): void {
    this.series.poolSeries(this.facts.poolName).timings[timing].record(seconds);
  }

  serverSystem(system: string): void {
    if (this.config.dbSystemName || this.facts.system === system) return;
    this.facts.system = system;
    this.baseAttributes[ATTR.DB_SYSTEM_NAME] = system;
    this.shapes.clear();
  }

  fault(error: unknown): void {
    this.boundary.fail(error);
  }

  /**
   * A query inside a transaction hangs off the transaction span, unless the caller made its own
   * span inside the transaction (then the active context is the more precise parent).
   */
  private parentFor(tx: TransactionOp | undefined): Context {
    const active = context.active();
    if (!tx?.span) return active;
    const activeSpan = trace.getSpan(active);
    if (!activeSpan) return tx.context;
    const activeContext = activeSpan.spanContext();
    const txContext = tx.span.spanContext();
    if (activeContext.traceId !== txContext.traceId || activeContext.spanId === tx.parentSpanId) return tx.context;
    return active;
  }

  private timedOut(op: QueryOp): boolean {
    // knex arms its timer before emitting `query`, so it can fire a little before our clock says the timeout passed.
    return op.event.timeout !== undefined && performance.now() - op.startedAt >= op.event.timeout - TIMEOUT_SLACK_MS;
  }

  private fail(op: QueryOp, type: string, error?: unknown): void {
    const seconds = (performance.now() - op.startedAt) / 1000;
    const { shape } = op;
    this.series.recordError(shape, type, responseStatusCode(error), seconds, op.span);
    if (op.span) {
      markFailed(op.span, type, error);
      op.span.end();
    }
  }

  private connectionAttributes(): Attributes {
    const attributes: Attributes = { [ATTR.DB_SYSTEM_NAME]: this.facts.system };
    if (this.facts.namespace !== undefined) attributes[ATTR.DB_NAMESPACE] = this.facts.namespace;
    if (this.facts.serverAddress !== undefined) attributes[ATTR.SERVER_ADDRESS] = this.facts.serverAddress;
    if (this.facts.serverPort !== undefined) attributes[ATTR.SERVER_PORT] = this.facts.serverPort;
    return attributes;
  }
}

function infoOf(event: QueryEvent<unknown>): KnexQueryInfo {
  return { sql: event.sql, bindings: event.bindings, method: event.method, transactionId: event.transactionId };
}

function hasSpan(ctx: Context): boolean {
  const span = trace.getSpan(ctx);
  return span !== undefined && trace.isSpanContextValid(span.spanContext());
}
