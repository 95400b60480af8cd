import { createContextKey, trace, type Context, type Span } from '@opentelemetry/api';
import { recordSpanError, type RecordErrorOptions, type TelemetryBoundary } from '@threadline/core';

/** The span shape BullMQ's `Telemetry` adapter hands out (its `src/interfaces/telemetry.ts`). */
export interface BullMQSpan {
  setSpanOnContext(ctx: Context): Context;
  setAttribute(key: string, value: unknown): void;
  setAttributes(attributes: Record<string, unknown>): void;
  addEvent(name: string, attributes?: Record<string, unknown>): void;
  recordException(exception: unknown, time?: unknown): void;
  end(): void;
}

/** Context key of the process span an attempt's body runs under (set once per attempt). */
export const PROCESS_KEY = createContextKey('threadline.bullmq.process');

/**
 * A BullMQ span we chose not to emit: the active context stays untouched, so whatever runs inside
 * stays under the enclosing span. One shared instance, no allocation.
 */
export const NOOP_SPAN: BullMQSpan = {
  setSpanOnContext: (ctx) => ctx,
  setAttribute: () => undefined,
  setAttributes: () => undefined,
  addEvent: () => undefined,
  recordException: () => undefined,
  end: () => undefined,
};

/**
 * True when `span` records nothing and carries the very span context of `ctx`'s span, itself not
 * recording: what the API's no-op tracer and an unsampled parent's span give. Putting it on `ctx`
 * would change no id, flag or recording decision.
 */
export function repeatsEnclosing(ctx: Context, span: Span): boolean {
  if (span.isRecording()) return false;
  const current = trace.getSpan(ctx);
  return current !== undefined && current.spanContext() === span.spanContext() && !current.isRecording();
}

/** Common part of the wrappers that own an OTel span. */
export abstract class WrappedSpan implements BullMQSpan {
  protected exception: unknown;
  protected excepted = false;
  protected ended = false;
  protected readonly startedAt = performance.now();

  constructor(protected readonly boundary: TelemetryBoundary) {}

  /** The OTel span (a subclass may create it on first use, once its name is known). */
  abstract readonly span: Span;

  setSpanOnContext(ctx: Context): Context {
    try {
      const span = this.span;
      // A span that only repeats the enclosing span (unsampled parent, no tracer provider) changes
      // nothing a child or the carrier would see: the context stays, and BullMQ runs the operation
      // without switching the active context (an AsyncLocalStorage run and a context copy per job).
      if (repeatsEnclosing(ctx, span)) return ctx;
      return trace.setSpan(ctx, span);
    } catch (error) {
      this.boundary.fail(error);
      return ctx;
    }
  }

  setAttribute(key: string, value: unknown): void {
    try {
      this.onAttribute(key, value);
    } catch (error) {
      this.boundary.fail(error);
    }
  }

  setAttributes(attributes: Record<string, unknown>): void {
    if (attributes === null || typeof attributes !== 'object') return;
    try {
      for (const key in attributes) this.onAttribute(key, attributes[key]);
    } catch (error) {
      this.boundary.fail(error);
    }
  }

  // BullMQ's events carry job results and error messages: private by default, dropped here.
  addEvent(_name: string, _attributes?: Record<string, unknown>): void {}

  recordException(exception: unknown): void {
    if (this.excepted) return;
    this.excepted = true;
    this.exception = exception;
  }

  /** Ends once; a fault of ours is caught here, never thrown into BullMQ's `finally`. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.finish(performance.now());
    } catch (error) {
      this.boundary.fail(error);
    }
  }

  protected abstract onAttribute(key: string, value: unknown): void;

  /**
   * `endTime` and `startedAt` are performance.now() readings (TimeInput accepts them): a span
   * given both lasts exactly what its duration metric records, with no wall-clock read per job.
   */
  protected abstract finish(endTime: number): void;
}

/** BullMQ's internal operations (getNextJob, extendLocks, complete, ...) when the user keeps them. */
export class InternalSpan extends WrappedSpan {
  constructor(
    readonly span: Span,
    boundary: TelemetryBoundary,
    private readonly recordError: RecordErrorOptions,
  ) {
    super(boundary);
  }

  protected onAttribute(): void {}

  protected finish(): void {
    if (this.excepted) recordSpanError(this.span, this.exception, undefined, this.recordError);
    this.span.end();
  }
}
