import {
  context,
  diag,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanKind,
  type Tracer,
} from '@opentelemetry/api';
import { errorType, recordSpanError, type RecordErrorOptions } from './errors.js';
import { isUnsampledParent } from './sampling.js';
import { countDropped } from './self-metrics.js';

export interface OperationOptions {
  readonly name: string;
  readonly kind: SpanKind;
  readonly attributes?: Attributes;
  /** Parent context; the active one by default. */
  readonly parent?: Context;
  readonly links?: Link[];
  /** false: measure only, start no span (e.g. requireParentSpan with no parent). An unsampled parent under a declared parent-based sampler does the same. */
  readonly withSpan?: boolean;
  /** How a failure is recorded on the span (from the plugin's `recordErrorMessages`). */
  readonly recordError?: RecordErrorOptions;
}

/**
 * One measured operation: a span (optional) plus a monotonic start time. Plugins whose hook point
 * splits start and end over two callbacks (query events, diagnostics_channel) hold one of these.
 */
export class Operation {
  readonly span: Span | undefined;
  /** The context to run the operation's body in (the span active), or the parent when no span. */
  readonly context: Context;
  private readonly startedAt: number;
  private readonly recordError: RecordErrorOptions | undefined;
  private ended = false;

  constructor(tracer: Tracer, options: OperationOptions) {
    const parent = options.parent ?? context.active();
    this.startedAt = performance.now();
    this.recordError = options.recordError;
    if (options.withSpan === false || isUnsampledParent(parent)) {
      this.span = undefined;
      this.context = parent;
    } else {
      this.span = tracer.startSpan(
        options.name,
        { kind: options.kind, ...(options.attributes ? { attributes: options.attributes } : {}), ...(options.links ? { links: options.links } : {}) },
        parent,
      );
      this.context = trace.setSpan(parent, this.span);
    }
  }

  /** Seconds since the start, for duration histograms. */
  elapsedSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  /**
   * Ends the span once (later calls are ignored). An error marks it failed and returns its
   * `error.type`; success returns undefined.
   */
  end(error?: unknown, failed = error !== undefined, typeOverride?: string): string | undefined {
    if (this.ended) return undefined;
    this.ended = true;
    let type: string | undefined;
    if (failed) {
      type = typeOverride ?? errorType(error);
      if (this.span) recordSpanError(this.span, error, type, this.recordError);
    }
    this.span?.end();
    return type;
  }
}

export function startOperation(tracer: Tracer, options: OperationOptions): Operation {
  return new Operation(tracer, options);
}

export type OperationEnd = (operation: Operation, error: unknown, failed: boolean) => void;

/**
 * Runs `fn` inside the operation with its span active, sync or async, and ends it when the
 * result settles. The original value or error reaches the caller unchanged.
 */
export function runOperation<T>(tracer: Tracer, options: OperationOptions, fn: (operation: Operation) => T, onEnd?: OperationEnd): T {
  const operation = new Operation(tracer, options);
  const finish = (error: unknown, failed: boolean) => {
    try {
      onEnd?.(operation, error, failed);
    } catch (hookError) {
      // A fault in the plugin's own end hook costs telemetry, never the app's result or error.
      countDropped('internal_error');
      diag.debug('threadline: operation end hook threw', hookError);
    } finally {
      operation.end(error, failed);
    }
  };
  let result: T;
  try {
    result = context.with(operation.context, fn, undefined, operation);
  } catch (error) {
    finish(error, true);
    throw error;
  }
  if (isThenable(result)) {
    return result.then(
      (value: unknown) => {
        finish(undefined, false);
        return value;
      },
      (error: unknown) => {
        finish(error, true);
        throw error;
      },
    ) as T;
  }
  finish(undefined, false);
  return result;
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}
