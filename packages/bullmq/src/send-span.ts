import { ATTR, errorType, recordSpanError, SPAN_NAMES } from '@threadline/core';
import { SpanKind, trace, type Context } from '@opentelemetry/api';
import { asId, asName, BULLMQ_KEYS, messagingAttributes } from './attributes.js';
import { queueSeries } from './metrics.js';
import type { Runtime } from './runtime.js';
import { BULLMQ_ATTR, OPERATION_TYPE } from './semconv.js';
import { WrappedSpan } from './span-base.js';

/**
 * `send {queue}` PRODUCER for `add`, each flow node, and `addBulk` (one span for the batch, plus a
 * `create {queue}` span per job unless turned off).
 */
export class SendSpan extends WrappedSpan {
  private queue: string | undefined;
  private jobName: string | undefined;
  private jobId: string | undefined;
  private count = 1;
  private bulkNames: unknown;
  private readonly startTime = Date.now();

  constructor(
    private readonly rt: Runtime,
    private readonly bulk: boolean,
    private readonly parent: Context,
  ) {
    const attributes = messagingAttributes(OPERATION_TYPE.SEND, OPERATION_TYPE.SEND, undefined);
    super(rt.tracer().startSpan(OPERATION_TYPE.SEND, { kind: SpanKind.PRODUCER, attributes }, parent), rt.boundary);
  }

  protected onAttribute(key: string, value: unknown): void {
    switch (key) {
      case BULLMQ_KEYS.QUEUE_NAME: {
        const queue = asName(value);
        if (queue !== undefined && queue !== this.queue) {
          this.queue = queue;
          this.span.updateName(SPAN_NAMES.messaging(OPERATION_TYPE.SEND, queue));
          this.span.setAttribute(ATTR.MESSAGING_DESTINATION_NAME, queue);
        }
        break;
      }
      case BULLMQ_KEYS.JOB_NAME:
        this.jobName = asName(value);
        if (this.jobName !== undefined) this.span.setAttribute(BULLMQ_ATTR.JOB_NAME, this.jobName);
        break;
      case BULLMQ_KEYS.JOB_ID:
        this.jobId = asId(value);
        if (this.jobId !== undefined) this.span.setAttribute(ATTR.MESSAGING_MESSAGE_ID, this.jobId);
        break;
      case BULLMQ_KEYS.BULK_COUNT:
        if (this.bulk && typeof value === 'number' && value >= 0) {
          this.count = value;
          this.span.setAttribute(ATTR.MESSAGING_BATCH_MESSAGE_COUNT, value);
        }
        break;
      case BULLMQ_KEYS.BULK_NAMES:
        this.bulkNames = value;
        break;
    }
  }

  protected finish(): void {
    const seconds = this.elapsedSeconds();
    if (this.bulk && this.rt.createSpans) this.createSpans();
    if (this.queue !== undefined) this.rt.sendHook(this.span, { queue: this.queue, jobName: this.jobName, jobId: this.jobId, count: this.count });
    let type: string | undefined;
    if (this.excepted) {
      type = errorType(this.exception);
      recordSpanError(this.span, this.exception, type);
    }
    this.span.end();
    const series = queueSeries(this.queue ?? '', this.rt.jobNameLabel && !this.bulk ? this.jobName : undefined);
    const target = type === undefined ? { sent: series.sentOk, send: series.sendOk } : series.failed(type);
    target.sent.add(this.count);
    target.send.record(seconds);
  }

  /**
   * BullMQ hands one carrier to every job of an addBulk call, so the jobs carry the send span's
   * context; the create spans record each job's creation under it.
   */
  private createSpans(): void {
    const names = Array.isArray(this.bulkNames) ? (this.bulkNames as unknown[]) : [];
    const ctx = trace.setSpan(this.parent, this.span);
    const tracer = this.rt.tracer();
    const endTime = Date.now();
    const name = SPAN_NAMES.messaging(OPERATION_TYPE.CREATE, this.queue);
    for (let i = 0; i < this.count; i++) {
      const attributes = messagingAttributes(OPERATION_TYPE.CREATE, OPERATION_TYPE.CREATE, this.queue);
      const jobName = asName(names[i]);
      if (jobName !== undefined) attributes[BULLMQ_ATTR.JOB_NAME] = jobName;
      tracer.startSpan(name, { kind: SpanKind.PRODUCER, attributes, startTime: this.startTime }, ctx).end(endTime);
    }
  }
}
