import { ATTR, errorType, recordSpanError, unrecordedSpan } from '@threadline/core';
import { SpanKind, trace, type Context, type Span, type SpanOptions } from '@opentelemetry/api';
import { asId, asName, BULLMQ_JOB_FAILED_EVENT, BULLMQ_KEYS, spanShape } from './attributes.js';
import { contextFromMetadata } from './carrier.js';
import { queueSeries, type QueueSeries } from './metrics.js';
import type { Runtime } from './runtime.js';
import { BULLMQ_ATTR, EVENTS, OPERATION_TYPE, OUTCOME, type Outcome } from './semconv.js';
import { PROCESS_KEY, repeatsEnclosing, WrappedSpan } from './span-base.js';
import type { JobLike } from './types.js';

/**
 * `process {queue}` CONSUMER, one per attempt. Child of (or linked to) the job's creation context;
 * a job without a usable carrier starts a new trace. Settles to ack (completed) or nack (retry or
 * final failure) and keeps the in-flight count.
 */
export class ProcessSpan extends WrappedSpan {
  /** The context the processor body runs in: this span active, the producer's baggage kept. */
  readonly bodyContext: Context;
  readonly span: Span;
  private series: QueueSeries | undefined;
  private jobName: string | undefined;
  private jobId: string | undefined;
  private attempt: number | undefined;
  private outcome: Outcome | undefined;
  private processorError: unknown;
  private hasProcessorError = false;
  private failedReason: string | undefined;
  private jobSeen = false;

  constructor(
    private readonly rt: Runtime,
    private readonly queue: string | undefined,
    creationMetadata: string | undefined,
  ) {
    const producer = contextFromMetadata(creationMetadata);
    const shape = spanShape(OPERATION_TYPE.PROCESS, queue);
    const options: SpanOptions = { kind: SpanKind.CONSUMER, attributes: shape.attributes };
    let parent = producer;
    if (rt.link) {
      const producerSpan = trace.getSpanContext(producer);
      if (producerSpan) options.links = [{ context: producerSpan }];
      parent = trace.deleteSpan(producer);
    }
    super(rt.boundary);
    options.startTime = this.startedAt;
    this.span = unrecordedSpan(parent) ?? rt.tracer().startSpan(shape.name, options, parent);
    // Under an unsampled producer (or without a tracer provider) the span repeats the producer's: no
    // copy for it. (A read-through layer for PROCESS_KEY counted less per job but left the recorded
    // jobs' count switching between two states, +18k apart, from one process to the next.)
    this.bodyContext = (repeatsEnclosing(producer, this.span) ? producer : trace.setSpan(producer, this.span)).setValue(PROCESS_KEY, this);
  }

  override setSpanOnContext(): Context {
    return this.bodyContext;
  }

  override addEvent(name: string, attributes?: Record<string, unknown>): void {
    if (name === BULLMQ_JOB_FAILED_EVENT) this.failedReason = asName(attributes?.[BULLMQ_KEYS.JOB_FAILED_REASON]);
  }

  /** BullMQ started its complete / fail / retry span inside this attempt. */
  settle(outcome: Outcome): void {
    this.outcome = outcome;
  }

  /** The job itself, seen by the processor wrapper: attempt, stall, queue wait, user hook. */
  onJob(job: JobLike): void {
    if (this.jobSeen) return;
    this.jobSeen = true;
    this.attempt = job.attemptsMade + 1;
    const stalls = (job.attemptsStarted ?? 0) - this.attempt;
    if (stalls > 0) this.span.addEvent(EVENTS.STALLED, { [BULLMQ_ATTR.JOB_STALLED_COUNT]: job.stalledCounter || stalls });
    if (job.attemptsMade === 0 && typeof job.processedOn === 'number' && typeof job.timestamp === 'number') {
      // BullMQ (5.x and 6.x) resets `job.delay` once a delayed job is promoted; opts keep the request.
      const waitMs = job.processedOn - job.timestamp - (job.opts?.delay ?? job.delay ?? 0);
      this.bind().queueWait.record(waitMs > 0 ? waitMs / 1000 : 0);
    }
    this.rt.processHook(this.span, job);
  }

  /** The processor's own error object (better `error.type` than BullMQ's message-only event). */
  onProcessorError(error: unknown): void {
    if (this.hasProcessorError) return;
    this.hasProcessorError = true;
    this.processorError = error;
  }

  protected onAttribute(key: string, value: unknown): void {
    switch (key) {
      case BULLMQ_KEYS.JOB_ID:
        this.jobId = asId(value);
        break;
      case BULLMQ_KEYS.JOB_NAME:
        this.jobName = asName(value);
        if (!this.series) this.bind().delivered();
        break;
      case BULLMQ_KEYS.JOB_ATTEMPTS_MADE:
        // Counted after the attempt: the attempt number when the processor wrapper did not see the job.
        if (!this.jobSeen && typeof value === 'number') this.attempt = value;
        break;
    }
  }

  protected finish(endTime: number): void {
    const seconds = (endTime - this.startedAt) / 1000;
    const counted = this.series !== undefined;
    const series = this.bind();
    if (!counted) series.consumed.add(1);
    const failed = this.excepted || this.outcome === OUTCOME.RETRY || this.outcome === OUTCOME.FAILED;
    // An unsampled span records nothing: no attribute object for it (most jobs under a ratio sampler).
    // One call per attribute: no object built for the SDK to walk again (its setAttributes loops over setAttribute).
    const span = this.span;
    if (span.isRecording()) {
      if (this.jobId !== undefined) span.setAttribute(ATTR.MESSAGING_MESSAGE_ID, this.jobId);
      if (this.jobName !== undefined) span.setAttribute(BULLMQ_ATTR.JOB_NAME, this.jobName);
      if (this.attempt !== undefined) span.setAttribute(BULLMQ_ATTR.JOB_ATTEMPT, this.attempt);
      if (this.outcome !== undefined) span.setAttribute(BULLMQ_ATTR.JOB_OUTCOME, this.excepted ? OUTCOME.FAILED : this.outcome);
    }
    if (failed) {
      const error = this.failure();
      const type = errorType(error);
      recordSpanError(this.span, error, type, this.rt.recordError);
      const byType = series.failed(type);
      byType.nack.add(1);
      byType.process.record(seconds, this.span);
    } else {
      // No outcome: the job went back to wait / delayed on the processor's request (DelayedError,
      // WaitingChildrenError, rate limit); it was neither acked nor nacked.
      if (this.outcome === OUTCOME.COMPLETED) series.ack.add(1);
      series.processOk.record(seconds, this.span);
    }
    if (counted) series.inFlight.add(-1);
    this.span.end(endTime);
  }

  private failure(): unknown {
    if (this.hasProcessorError) return this.processorError;
    if (this.excepted) return this.exception;
    return new Error(this.failedReason ?? 'job failed');
  }

  private bind(): QueueSeries {
    this.series ??= queueSeries(this.queue ?? '', this.rt.jobNameLabel ? this.jobName : undefined);
    return this.series;
  }
}
