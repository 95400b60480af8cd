import { context, trace } from '@opentelemetry/api';
import { countDropped } from '@threadline/core';
import { contextFromMetadata } from './carrier.js';

// `@threadline/bullmq/sandbox`: the part of the plugin that runs inside a sandboxed processor (a
// file BullMQ runs in a child process, or a worker thread with `useWorkerThreads: true`). It depends
// on `@opentelemetry/api` and `@threadline/core` only: the child's tracer provider is the app's to
// start (e.g. @threadline/node's register entry, loaded first in the processor file).

export interface SandboxedOptions {
  /**
   * After each job, wait up to this many ms for the child's tracer provider to export what the job
   * recorded (`forceFlush`), before BullMQ is told the job finished. BullMQ ends a child with
   * `process.exit` when the worker closes, which drops anything still batched. `0` skips it.
   * Default 2000.
   */
  readonly flushTimeoutMs?: number;
}

/**
 * The part of the job the child reads: BullMQ's own telemetry metadata, never `data`. bullmq 6
 * hands the child its options as they are (`telemetry.metadata`), bullmq 5 in their stored form (`tm`).
 */
interface SandboxJob {
  readonly opts?: { readonly telemetry?: { readonly metadata?: unknown }; readonly tm?: unknown };
}

const DEFAULT_FLUSH_MS = 2000;

/**
 * Wraps the processor a sandboxed file exports, so the code in it runs in the attempt's
 * `process {queue}` span context: spans it starts join the job's trace as children of that span.
 * The context comes from BullMQ's `job.opts.telemetry.metadata` (bullmq 5: `job.opts.tm`), where
 * `BullMQInstrumentation` put the process span's carrier for this copy of the job (with only the
 * explicit adapter it is still the producer's carrier: same trace, parent = the send span). `job`
 * reaches the processor as BullMQ made it; its `data` is the app's payload, untouched.
 *
 * In the processor file, after starting the child's telemetry (see the README):
 * `export default sandboxed(async (job) => sendEmail(job.data));`
 */
export function sandboxed<J, A extends unknown[], R>(
  processor: (job: J, ...rest: A) => R,
  options: SandboxedOptions = {},
): (job: J, ...rest: A) => Promise<Awaited<R>> {
  if (typeof processor !== 'function') throw new TypeError('@threadline/bullmq/sandbox: sandboxed(processor) needs the processor function');
  const flushMs = options.flushTimeoutMs ?? DEFAULT_FLUSH_MS;
  if (typeof flushMs !== 'number' || !(flushMs >= 0)) throw new TypeError('@threadline/bullmq/sandbox: flushTimeoutMs must be a number of ms ≥ 0');
  return async function (this: unknown, job: J, ...rest: A): Promise<Awaited<R>> {
    const parent = parentContext(job);
    try {
      return await context.with(parent, () => processor.apply(this, [job, ...rest] as [J, ...A]));
    } finally {
      if (flushMs > 0) await flushTraces(flushMs);
    }
  };
}

function parentContext(job: unknown): ReturnType<typeof context.active> {
  try {
    const opts = (job as SandboxJob | null | undefined)?.opts;
    const metadata = opts?.telemetry?.metadata ?? opts?.tm;
    // No carrier (telemetry off, `omitContext`): the code runs where it would have run anyway.
    if (typeof metadata === 'string' && metadata.length > 0) return contextFromMetadata(metadata);
  } catch {
    // A job we cannot read costs its parent span, never the job.
    countDropped('bad_carrier');
  }
  return context.active();
}

type Flushable = { forceFlush?(): Promise<unknown>; getDelegate?(): unknown };

/** Flushes the global tracer provider (the SDK one behind the API's proxy), bounded; never throws. */
async function flushTraces(timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    let provider = trace.getTracerProvider() as Flushable;
    const delegate = typeof provider.getDelegate === 'function' ? (provider.getDelegate() as Flushable | undefined) : undefined;
    if (delegate) provider = delegate;
    if (typeof provider.forceFlush !== 'function') return;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref?.();
    });
    await Promise.race([provider.forceFlush(), deadline]);
  } catch {
    // A failing exporter costs this job's spans (the exporter counts its own failures), never the job.
  } finally {
    clearTimeout(timer);
  }
}
