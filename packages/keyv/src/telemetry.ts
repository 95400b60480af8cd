/**
 * One Keyv instance's telemetry: the cheap metrics path, the span path and the classification of
 * each call into hit / miss / ok / error. Knows OTel; learns about Keyv only through keyv-shape.
 */
import { SpanKind, context, trace, type Context, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import { ERROR_TYPE_OTHER, TelemetryBoundary, errorType, getCollector, isUnsampledParent, recordSpanError, type MetricsCollector } from '@threadline/core';
import { samplingAttributes, setCallAttributes } from './attributes.js';
import type { Call, CallOwner } from './call.js';
import { CALL_KEY, claimStore, trackerOf, watchEmitter, watchStoreMethods, type ErrorTracker } from './error-scope.js';
import { dbSystemOf, innerStore, isPlainMemoryStore, namespaceOf, storeOf, swallowsStoreErrors, type AnyFunction, type KeyvLike } from './keyv-shape.js';
import { kvMetrics, OpSeries, type KvMetrics } from './metrics.js';
import { OP_COUNT, keyCount, type OpSpec } from './ops.js';
import { countResults } from './results.js';
import type { ResolvedOptions } from './options.js';
import { SPAN_MODE } from './options.js';

const UNSEEN = Symbol('unseen');
const NO_MESSAGE = Object.freeze({ message: false });

export class KeyvTelemetry implements CallOwner {
  private store: unknown = UNSEEN;
  /** A plain Map store: no error scope needed, the cheap path applies. */
  private plainMemory = false;
  private system = '';
  private namespace: string | undefined;
  private collector: MetricsCollector | undefined;
  private metrics: KvMetrics | undefined;
  private series: Array<OpSeries | undefined> = [];
  private spanNames: Array<string | undefined> = [];
  /** Span kind and start attributes per op, the same for every call until the store changes. */
  private spanOptions: Array<SpanOptions | undefined> = [];
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
    let call: Call | undefined;
    let span: Span | undefined;
    let scope: Context | undefined;
    try {
      const series = this.seriesOf(op);
      const mode = this.options.spanMode;
      let parent: Context | undefined;
      if (mode !== SPAN_MODE.never) {
        parent = context.active();
        if ((mode === SPAN_MODE.always || trace.getSpan(parent) !== undefined) && !isUnsampledParent(parent)) span = this.startSpan(op, a, parent);
      }
      call = this.errors.begin();
      call.owner = this;
      call.op = op;
      call.series = series;
      call.firstArg = a;
      call.span = span;
      call.tracked = !this.plainMemory;
      // A store that can fail runs with its KV span active (driver spans nest under it) and, when
      // it overlaps another call, with its error slot. A Map store does no I/O: nothing to nest.
      if (call.tracked) {
        if (this.errors.solo !== call) scope = (parent ?? context.active()).setValue(CALL_KEY, call);
        if (span !== undefined) scope = trace.setSpan(scope ?? parent!, span);
      }
    } catch (error) {
      this.abandon(call, span, error);
      return original.call(receiver, a, b, c);
    }
    call.start = performance.now();
    let result: unknown;
    try {
      result = scope === undefined ? original.call(receiver, a, b, c) : context.with(scope, original, receiver, a, b, c);
    } catch (error) {
      this.settle(call, undefined, error, true);
      throw error;
    }
    if (!(result instanceof Promise)) {
      this.settle(call, result, undefined, false);
      return result;
    }
    return result.then(call.fulfilled, call.rejected);
  }

  /** Async iteration: one op from the first `next()` to the end of the loop (or its break). */
  async *iterate(receiver: unknown, op: OpSpec, original: AnyFunction): AsyncGenerator<unknown, unknown, unknown> {
    const series = this.boundary.run(() => this.seriesOf(op), undefined);
    const parent = context.active();
    const withSpan =
      series !== undefined &&
      this.options.spanMode !== SPAN_MODE.never &&
      (this.options.spanMode === SPAN_MODE.always || trace.getSpan(parent) !== undefined) &&
      !isUnsampledParent(parent);
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
      if (series !== undefined) this.record(op, series, undefined, undefined, error, failed, start, span);
    }
  }

  /** Ends a measured call (also the promise reactions' target); never throws into the app. */
  settle(call: Call, value: unknown, error: unknown, failed: boolean): void {
    // Read before `end`: a solo call's object is reused by the next call on the instance.
    const { op, series, firstArg, start, span } = call;
    if (call.tracked && !failed && call.failed) {
      failed = true;
      error = call.error;
    }
    call.tracker.end(call);
    if (op !== undefined && series !== undefined) this.record(op, series, firstArg, value, error, failed, start, span);
  }

  /** Setting a call up failed: undo what was started, then telemetry disables itself. */
  private abandon(call: Call | undefined, span: Span | undefined, error: unknown): void {
    if (call !== undefined) call.tracker.end(call);
    try {
      span?.end();
    } catch {
      // Already failing: the boundary below reports the first error.
    }
    this.boundary.fail(error);
  }

  private startSpan(op: OpSpec, firstArg: unknown, parent: Context): Span {
    const name = (this.spanNames[op.index] ??= this.namespace === undefined ? op.name : `${op.name} ${this.namespace}`);
    // The attributes stay unfrozen: the SDK copies them with Object.entries, which leaves V8's fast
    // path on a frozen object (measured +120 ns per span); nothing but the SDK ever sees them.
    const spanOptions = (this.spanOptions[op.index] ??= Object.freeze({ kind: SpanKind.CLIENT, attributes: samplingAttributes(op, this.system) }));
    const span = this.tracer().startSpan(name, spanOptions, parent);
    setCallAttributes(span, op, this.namespace, firstArg, this.options);
    return span;
  }

  /** Records the call's counts and duration and ends its span; never throws into the app. */
  private record(
    op: OpSpec,
    series: OpSeries,
    firstArg: unknown,
    value: unknown,
    error: unknown,
    failed: boolean,
    start: number,
    span: Span | undefined,
  ): void {
    try {
      const seconds = (performance.now() - start) / 1000;
      if (failed) {
        const type = errorType(error);
        series.error.add(keyCount(op, firstArg));
        series.errorDuration(type).record(seconds, span);
        // Stores and drivers quote the key in their messages: keep the type, never the text.
        if (span !== undefined) recordSpanError(span, error, type, NO_MESSAGE);
      } else {
        const notStored = countResults(op, series, firstArg, value, span);
        if (notStored > 0) {
          series.errorDuration(ERROR_TYPE_OTHER).record(seconds, span);
          if (span !== undefined) recordSpanError(span, undefined, ERROR_TYPE_OTHER, NO_MESSAGE);
        } else series.duration.record(seconds, span);
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
    // The collector itself, not kvMetrics(): one identity check per call instead of two.
    const collector = getCollector();
    if (store !== this.store || namespace !== this.namespace || collector !== this.collector) this.refresh(store, namespace, collector);
    return (this.series[op.index] ??= new OpSeries(this.metrics!, this.system, namespace, op));
  }

  private refresh(store: unknown, namespace: string | undefined, collector: MetricsCollector): void {
    // First: a collector that refuses the declarations throws before anything here changed.
    const metrics = kvMetrics(collector);
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
    this.collector = collector;
    this.metrics = metrics;
    this.series = new Array<OpSeries | undefined>(OP_COUNT);
    this.spanNames = new Array<string | undefined>(OP_COUNT);
    this.spanOptions = new Array<SpanOptions | undefined>(OP_COUNT);
  }
}
