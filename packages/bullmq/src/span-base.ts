import { trace, type Context, type Span } from '@opentelemetry/api';
import { recordSpanError, type TelemetryBoundary } from '@threadline/core';

/** The span shape BullMQ's `Telemetry` adapter hands out (its `src/interfaces/telemetry.ts`). */
export interface BullMQSpan {
  setSpanOnContext(ctx: Context): Context;
  setAttribute(key: string, value: unknown): void;
  setAttributes(attributes: Record<string, unknown>): void;
  addEvent(name: string, attributes?: Record<string, unknown>): void;
  recordException(exception: unknown, time?: unknown): void;
  end(): void;
}

// The wrapper of each span we own, so nested BullMQ calls find their process span from the active
// context (a WeakMap lookup costs less than one more context copy per span).
const WRAPPERS = new WeakMap<Span, WrappedSpan>();

/** The wrapper whose span is active in `ctx`, if it is one of ours. */
export function wrapperOf(ctx: Context): WrappedSpan | undefined {
  const span = trace.getSpan(ctx);
  return span === undefined ? undefined : WRAPPERS.get(span);
}

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

/** Common part of the wrappers that own an OTel span. */
export abstract class WrappedSpan implements BullMQSpan {
  protected exception: unknown;
  protected excepted = false;
  protected ended = false;
  protected readonly startedAt = performance.now();

  constructor(protected readonly boundary: TelemetryBoundary) {}

  /** The OTel span (a subclass may create it on first use, once its name is known). */
  abstract readonly span: Span;

  protected own(span: Span): Span {
    WRAPPERS.set(span, this);
    return span;
  }

  /**
   * The carrier BullMQ should store when it asks for one inside this span, or undefined to inject
   * this context. Process spans answer their job's creation carrier, so a retry stays tied to the
   * producer instead of chaining onto the failed attempt.
   */
  retryMetadata(): string | undefined {
    return undefined;
  }

  setSpanOnContext(ctx: Context): Context {
    return trace.setSpan(ctx, this.span);
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

  protected elapsedSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  /** Ends once; a fault of ours is caught here, never thrown into BullMQ's `finally`. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.finish();
    } catch (error) {
      this.boundary.fail(error);
    }
  }

  protected abstract onAttribute(key: string, value: unknown): void;

  protected abstract finish(): void;
}

/** BullMQ's internal operations (getNextJob, extendLocks, complete, ...) when the user keeps them. */
export class InternalSpan extends WrappedSpan {
  readonly span: Span;

  constructor(
    span: Span,
    boundary: TelemetryBoundary,
    private readonly enclosing: WrappedSpan | undefined,
  ) {
    super(boundary);
    this.span = this.own(span);
  }

  override retryMetadata(): string | undefined {
    return this.enclosing?.retryMetadata();
  }

  protected onAttribute(): void {}

  protected finish(): void {
    if (this.excepted) recordSpanError(this.span, this.exception);
    this.span.end();
  }
}
