import { context, ROOT_CONTEXT, SpanKind, type Context } from '@opentelemetry/api';
import { isThenable, isUnsampledParent } from '@threadline/core';
import { metadataFor } from './carrier.js';
import { withNodeOptions } from './flow.js';
import { ProcessSpan } from './process-span.js';
import type { Runtime } from './runtime.js';
import { SendSpan } from './send-span.js';
import { InternalSpan, NOOP_SPAN, PROCESS_KEY, type BullMQSpan } from './span-base.js';
import { outcomeOf, roleOf } from './span-names.js';
import type { JobLike } from './types.js';

const ADAPTER_BRAND = Symbol.for('threadline.bullmq.adapter');

/**
 * An adapter for BullMQ's own `telemetry` option on Queue, Worker and FlowProducer. BullMQ calls it
 * for every span it would make; it answers with semconv messaging spans (or none), carries the
 * trace in `job.opts.telemetry.metadata` through the global propagator, and records the metrics.
 */
export class BullMQTelemetryAdapter {
  readonly [ADAPTER_BRAND] = true;

  readonly tracer = {
    startSpan: (name: string, options?: { kind?: number }, ctx?: Context): BullMQSpan => this.startSpan(name, options?.kind, ctx),
  };

  readonly contextManager = {
    // Skipping the switch when the context is already active saves an AsyncLocalStorage run per op.
    with: <T>(ctx: Context, fn: () => T): T => (ctx === context.active() ? fn() : context.with(ctx, fn)),
    active: (): Context => context.active(),
    root: (): Context => ROOT_CONTEXT,
    getMetadata: (ctx: Context): string => this.getMetadata(ctx),
    // BullMQ calls startSpan right after this, synchronously, with the context returned here: the
    // carrier waits in a field (no context copy) and only a process span parses it.
    fromMetadata: (active: Context, metadata: string): Context => {
      this.pendingMetadata = typeof metadata === 'string' ? metadata : undefined;
      this.pendingFor = active;
      return active;
    },
  };

  private pendingMetadata: string | undefined;
  private pendingFor: Context | undefined;

  constructor(private readonly rt: Runtime) {}

  /**
   * Wraps a processor so the plugin also sees the job: attempt number, stalls, queue wait time and
   * the thrown error's type. `BullMQInstrumentation` does this by itself; with the explicit adapter,
   * pass your processor through it.
   */
  processor<J extends JobLike, A extends unknown[], R>(fn: (job: J, ...rest: A) => R): (job: J, ...rest: A) => R {
    const run = (job: J, self: unknown, args: ArrayLike<unknown>) => this.runProcessor(job, fn as (...args: unknown[]) => R, self, args);
    // `arguments` instead of rest parameters and a per-call closure: no allocation per job.
    const wrapped = function (this: unknown, job: J): R {
      // eslint-disable-next-line prefer-rest-params
      return run(job, this, arguments);
    } as unknown as (job: J, ...rest: A) => R;
    // BullMQ passes an abort signal only to processors declaring 3+ parameters: keep the arity.
    return Object.defineProperty(wrapped, 'length', { value: fn.length });
  }

  /**
   * BullMQ stores a flow node's carrier only when the node has `opts`: pass a flow tree through
   * this (a copy where every node has them) so each job carries its own creation context.
   */
  flow<T>(tree: T): T {
    return withNodeOptions(tree);
  }

  /** Calls `fn` (a processor, or BullMQ's `callProcessJob`) with the job reported to the active process span. */
  runProcessor<T>(job: JobLike, fn: (...args: unknown[]) => T, self: unknown, args: ArrayLike<unknown>): T {
    const current = this.rt.boundary.disabled ? undefined : context.active().getValue(PROCESS_KEY);
    if (!(current instanceof ProcessSpan)) return Reflect.apply(fn, self, args);
    try {
      current.onJob(job);
    } catch (error) {
      this.rt.boundary.fail(error);
    }
    let result: T;
    try {
      result = Reflect.apply(fn, self, args);
    } catch (error) {
      current.onProcessorError(error);
      throw error;
    }
    if (!isThenable(result)) return result;
    return (result as PromiseLike<unknown>).then(undefined, (error: unknown) => {
      current.onProcessorError(error);
      throw error;
    }) as T;
  }

  private startSpan(name: string, kind: number | undefined, ctx: Context | undefined): BullMQSpan {
    const rt = this.rt;
    const metadata = ctx !== undefined && ctx === this.pendingFor ? this.pendingMetadata : undefined;
    this.pendingMetadata = this.pendingFor = undefined;
    if (rt.boundary.disabled || typeof name !== 'string') return NOOP_SPAN;
    try {
      // BullMQ names spans `${operation} ${destination}`.
      const space = name.indexOf(' ');
      const length = space === -1 ? name.length : space;
      const role = roleOf(name, length);
      if (role === 'process' && kind === SpanKind.CONSUMER) return new ProcessSpan(rt, space === -1 ? undefined : name.slice(space + 1), metadata);
      const parent = ctx ?? context.active();
      if (role === 'send' || role === 'bulk') return new SendSpan(rt, role === 'bulk', parent);
      const kept = (role === 'flow' || rt.internalSpans) && !isUnsampledParent(parent);
      const span = kept ? rt.tracer().startSpan(name, { kind: SpanKind.INTERNAL }, parent) : undefined;
      const outcome = outcomeOf(name, length);
      if (outcome !== undefined) {
        const enclosing = parent.getValue(PROCESS_KEY);
        if (enclosing instanceof ProcessSpan) enclosing.settle(outcome);
      }
      return span ? new InternalSpan(span, rt.boundary, rt.recordError) : NOOP_SPAN;
    } catch (error) {
      rt.boundary.fail(error);
      return NOOP_SPAN;
    }
  }

  private getMetadata(ctx: Context): string {
    try {
      return metadataFor(ctx);
    } catch (error) {
      this.rt.boundary.fail(error);
      return '';
    }
  }
}

/** True for a threadline adapter, from this copy of the package or its ESM / CommonJS twin. */
export function isThreadlineAdapter(value: unknown): value is Pick<BullMQTelemetryAdapter, 'runProcessor'> {
  return typeof value === 'object' && value !== null && (value as { [ADAPTER_BRAND]?: boolean })[ADAPTER_BRAND] === true;
}
