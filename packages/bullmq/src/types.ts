import type { Span, TracerProvider } from '@opentelemetry/api';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { ErrorMessageOptions } from '@threadline/core';

/** The parts of a BullMQ job the plugin reads (never `data`). */
export interface JobLike {
  readonly id?: string | undefined;
  readonly name: string;
  readonly timestamp: number;
  readonly delay?: number;
  readonly opts?: { readonly delay?: number };
  readonly processedOn?: number | undefined;
  readonly attemptsMade: number;
  readonly attemptsStarted?: number;
  readonly stalledCounter?: number;
}

export interface SendInfo {
  readonly queue: string;
  readonly jobName: string | undefined;
  readonly jobId: string | undefined;
  /** Jobs in the operation: 1 for `add`, the batch size for `addBulk`. */
  readonly count: number;
}

/**
 * `recordErrorMessages` (default true): a failed job's `process` span carries the processor's
 * error message and stack; `false` keeps only `error.type` and the exception's type.
 */
export interface BullMQTelemetryOptions extends ErrorMessageOptions {
  /**
   * How a `process` span relates to the context the job was created in.
   * - `'parent'` (default): the process span is a child of the producer's span, so one trace runs
   *   through the queue (semconv allows this for single messages).
   * - `'link'`: the process span starts a new trace and links to the producer's span (the
   *   messaging semconv default; better for long-delayed or fan-out jobs).
   */
  readonly consumerContext?: 'parent' | 'link';
  /**
   * Adds the job name (`threadline.bullmq.job.name`) to metric labels. Default false: job names
   * are usually a small set, but nothing stops an app from putting ids in them.
   */
  readonly jobNameLabel?: boolean;
  /**
   * Keeps BullMQ's own internal spans (`getNextJob`, `extendLocks`, `complete`, `fail`, ...) as
   * INTERNAL spans. Default false: they add cost and say little a `process` span does not.
   */
  readonly internalSpans?: boolean;
  /** Called with each send span before it ends; a throwing hook is ignored (and counted). */
  readonly sendHook?: (span: Span, info: SendInfo) => void;
  /** Called with each process span when the processor starts; a throwing hook is ignored. */
  readonly processHook?: (span: Span, job: JobLike) => void;
  /** Tracer provider for the explicit adapter; the global one by default. */
  readonly tracerProvider?: TracerProvider;
}

/** Options of `new BullMQInstrumentation(...)`: the adapter's options plus OTel's `enabled`. */
export interface BullMQInstrumentationConfig extends InstrumentationConfig, Omit<BullMQTelemetryOptions, 'tracerProvider'> {
  /**
   * Poll the depth of every Queue and Worker the app opens (once it first uses it) every this many
   * ms (≥ 1000): `threadline.bullmq.queue.jobs` by state and `.oldest_waiting.age`, one Redis
   * script call per queue per interval, on a timer of its own. Default: off.
   */
  queueDepthIntervalMs?: number;
}
