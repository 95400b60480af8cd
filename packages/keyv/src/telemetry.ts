/**
 * One Keyv instance's telemetry: the cheap metrics path, the span path and the classification of
 * each call into hit / miss / ok / error. Knows OTel; learns about Keyv only through keyv-shape.
 */
import { SpanKind, context, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { ERROR_TYPE_OTHER, TelemetryBoundary, errorType, recordSpanError } from '@threadline/core';
import { startAttributes } from './attributes.js';
import { CALL_KEY, claimStore, trackerOf, watchEmitter, watchStoreMethods, type CallErrors, type ErrorTracker } from './error-scope.js';
import { dbSystemOf, innerStore, isPlainMemoryStore, namespaceOf, storeOf, swallowsStoreErrors, type AnyFunction, type KeyvLike } from './keyv-shape.js';
import { kvMetrics, OpSeries, type KvMetrics } from './metrics.js';
import { OP_COUNT, keyCount, type OpSpec } from './ops.js';
import { countResults } from './results.js';
import type { ResolvedOptions } from './options.js';
import { SPAN_MODE } from './options.js';

const UNSEEN = Symbol('unseen');

export class KeyvTelemetry {
  private store: unknown = UNSEEN;
  /** A plain Map store: no error scope needed, the cheap path applies. */
  private plainMemory = false;
  private system = '';
  private namespace: string | undefined;
  private metrics: KvMetrics | undefined;
  private series: Array<OpSeries | undefined> = [];
  private spanNames: Array<string | undefined> = [];
  /** Start attributes of single-key ops, the same for every call until the namespace changes. */
  private spanAttributes: Array<Attributes | undefined> = [];
  private readonly errors: ErrorTracker;

  constructor(
    private readonly keyv: KeyvLike,
    readonly options: ResolvedOptions,
    private readonly tracer: () => Tracer,
    private readonly boundary: TelemetryBoundary,
  ) {
    this.errors = trackerOf(keyv);
  }

  /** Runs one Keyv call measured; the caller gets the original's value or error unchanged. */
  run(receiver: unknown, op: OpSpec, original: AnyFunction, a: unknown, b: unknown, c: unknown): unknown {
    if (this.boundary.disabled) return original.call(receiver, a, b, c);
    let series: OpSeries;
    let parent: Context | undefined;
    let withSpan = false;
    try {
      series = this.seriesOf(op);
      const mode = this.options.spanMode;
      if (mode !== SPAN_MODE.never) {
        parent = context.active();
        withSpan = mode === SPAN_MODE.always || trace.getSpan(parent) !== undefined;
      }
    } catch (error) {
      this.boundary.fail(error);
      return original.call(receiver, a, b, c);
    }
    if (!withSpan && this.plainMemory) return this.measure(receiver, op, series, original, a, b, c);
    return this.measureTracked(receiver, op, series, original, a, b, c, parent ?? context.active(), withSpan);
  }

  /** Async iteration: one op from the first `next()` to the end of the loop (or its break). */
  async *iterate(receiver: unknown, op: OpSpec, original: AnyFunction): AsyncGenerator<unknown, unknown, unknown> {
    const series = this.boundary.run(() => this.seriesOf(op), undefined);
    const parent = context.active();
    const withSpan =
      series !== undefined &&
      this.options.spanMode !== SPAN_MODE.never &&
      (this.options.spanMode === SPAN_MODE.always || trace.getSpan(parent) !== undefined);
    const span = withSpan ? this.boundary.run(() => this.startSpan(op, undefined, parent), undefined) : undefined;
    const start = performance.now();
    let failed = false;
    let error: unknown;
    try {
      return yield* original.call(receiver) as AsyncIterable<unknown>;
    } catch (thrown) {
      failed = true;
      error = thrown;
      throw thrown;
    } finally {
      if (series !== undefined) this.finish(op, series, undefined, undefined, error, failed, start, undefined, span);
    }
  }

  private measure(receiver: unknown, op: OpSpec, series: OpSeries, original: AnyFunction, a: unknown, b: unknown, c: unknown): unknown {
    const start = performance.now();
    let result: unknown;
    try {
      result = original.call(receiver, a, b, c);
    } catch (error) {
      this.finish(op, series, a, undefined, error, true, start, undefined, undefined);
      throw error;
    }
    if (!(result instanceof Promise)) {
      this.finish(op, series, a, result, undefined, false, start, undefined, undefined);
      return result;
    }
    return result.then(
      (value: unknown) => {
        this.finish(op, series, a, value, undefined, false, start, undefined, undefined);
        return value;
      },
      (error: unknown) => {
        this.finish(op, series, a, undefined, error, true, start, undefined, undefined);
        throw error;
      },
    );
  }

  /**
   * A call with a span or on a store that can fail. Its error slot goes into the context only when
   * another call is in flight on the instance (see error-scope.ts); a Map store needs no slot.
   */
  private measureTracked(
    receiver: unknown,
    op: OpSpec,
    series: OpSeries,
    original: AnyFunction,
    a: unknown,
    b: unknown,
    c: unknown,
    parent: Context,
    withSpan: boolean,
  ): unknown {
    const call = this.plainMemory ? undefined : this.errors.begin();
    let span: Span | undefined;
    let scope: Context | undefined;
    try {
      if (call !== undefined && this.errors.solo !== call) scope = parent.setValue(CALL_KEY, call);
      if (withSpan) {
        span = this.startSpan(op, a, parent);
        scope = trace.setSpan(scope ?? parent, span);
      }
    } catch (error) {
      if (call !== undefined) this.errors.end(call);
      this.boundary.fail(error);
      return original.call(receiver, a, b, c);
    }
    const start = performance.now();
    let result: unknown;
    try {
      result = scope === undefined ? original.call(receiver, a, b, c) : context.with(scope, original, receiver, a, b, c);
    } catch (error) {
      this.finish(op, series, a, undefined, error, true, start, call, span);
      throw error;
    }
    if (!(result instanceof Promise)) {
      this.finish(op, series, a, result, undefined, false, start, call, span);
      return result;
    }
    return result.then(
      (value: unknown) => {
        this.finish(op, series, a, value, undefined, false, start, call, span);
        return value;
      },
      (error: unknown) => {
        this.finish(op, series, a, undefined, error, true, start, call, span);
        throw error;
      },
    );
  }

  private startSpan(op: OpSpec, firstArg: unknown, parent: Context): Span {
    const name = (this.spanNames[op.index] ??= this.namespace === undefined ? op.name : `${op.name} ${this.namespace}`);
    const attributes = op.batch || this.options.captureKeyHash
      ? startAttributes(op, this.system, this.namespace, firstArg, this.options)
      : (this.spanAttributes[op.index] ??= Object.freeze(startAttributes(op, this.system, this.namespace, undefined, this.options)));
    return this.tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
  }

  /** Records the call's counts and duration and ends its span; never throws into the app. */
  private finish(
    op: OpSpec,
    series: OpSeries,
    firstArg: unknown,
    value: unknown,
    error: unknown,
    failed: boolean,
    start: number,
    call: CallErrors | undefined,
    span: Span | undefined,
  ): void {
    if (call !== undefined) this.errors.end(call);
    try {
      const seconds = (performance.now() - start) / 1000;
      if (!failed && call !== undefined && call.failed) {
        failed = true;
        error = call.error;
      }
      if (failed) {
        const type = errorType(error);
        series.error.add(keyCount(op, firstArg));
        series.errorDuration(type).record(seconds);
        if (span !== undefined) recordSpanError(span, error, type);
      } else {
        const notStored = countResults(op, series, firstArg, value, span);
        if (notStored > 0) {
          series.errorDuration(ERROR_TYPE_OTHER).record(seconds);
          if (span !== undefined) recordSpanError(span, undefined, ERROR_TYPE_OTHER);
        } else series.duration.record(seconds);
      }
      span?.end();
    } catch (internal) {
      this.boundary.fail(internal);
    }
  }

  /** The op's bound series, rebuilt when the store, namespace or process collector changed. */
  private seriesOf(op: OpSpec): OpSeries {
    const store = storeOf(this.keyv);
    const namespace = namespaceOf(this.keyv);
    const metrics = kvMetrics();
    if (store !== this.store || namespace !== this.namespace || metrics !== this.metrics) this.refresh(store, namespace, metrics);
    return (this.series[op.index] ??= new OpSeries(metrics, this.system, namespace, op));
  }

  private refresh(store: unknown, namespace: string | undefined, metrics: KvMetrics): void {
    if (store !== this.store) {
      this.store = store;
      this.plainMemory = isPlainMemoryStore(store);
      this.system = this.options.dbSystemName ?? dbSystemOf(store);
      // Keyv 6 and adapters report failures through emit('error'); Keyv 5 swallows store errors
      // silently, so there the methods are watched too. A plain Map cannot fail: nothing to watch.
      if (!this.plainMemory) {
        watchEmitter(this.keyv, this.errors);
        if (store !== null && typeof store === 'object') {
          const storeErrors = claimStore(store, this.errors);
          // Keyv 6 bridges a plain store with one adapter per Keyv: sharing shows on the inner store.
          const inner = innerStore(store);
          if (inner !== null && typeof inner === 'object') claimStore(inner, this.errors);
          watchEmitter(store, storeErrors);
          if (swallowsStoreErrors(this.keyv)) watchStoreMethods(store, storeErrors);
        }
      }
    }
    this.namespace = namespace;
    this.metrics = metrics;
    this.series = new Array<OpSeries | undefined>(OP_COUNT);
    this.spanNames = new Array<string | undefined>(OP_COUNT);
    this.spanAttributes = new Array<Attributes | undefined>(OP_COUNT);
  }
}
