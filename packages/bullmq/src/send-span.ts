import { ATTR, errorType, recordSpanError, unrecordedSpan } from '@threadline/core';
import { SpanKind, type Context, type Span } from '@opentelemetry/api';
import { asId, asName, BULLMQ_KEYS, spanShape } from './attributes.js';
import { queueSeries } from './metrics.js';
import type { Runtime } from './runtime.js';
import { BULLMQ_ATTR, OPERATION_TYPE } from './semconv.js';
import { WrappedSpan } from './span-base.js';

/**
 * `send {queue}` PRODUCER for `add`, each flow node, and `addBulk` (one span for the batch, with
 * `messaging.batch.message_count`; its jobs all carry this span's context).
 */
export class SendSpan extends WrappedSpan {
  private otelSpan: Span | undefined;
  private queue: string | undefined;
  private jobName: string | undefined;
  private jobId: string | undefined;
  private count = 1;
  private bulkNames: unknown;

  constructor(
    private readonly rt: Runtime,
    private readonly bulk: boolean,
    private readonly parent: Context,
  ) {
    super(rt.boundary);
  }

  /**
   * Made on first use: BullMQ names the queue in the attributes it sets right after starting the
   * span, so the span is born with its final name and destination (no rename, fewer calls), and
   * starts when BullMQ asked for it.
   */
  get span(): Span {
    if (this.otelSpan === undefined) {
      const shape = spanShape(OPERATION_TYPE.SEND, this.queue);
      this.otelSpan =
        unrecordedSpan(this.parent) ?? this.rt.tracer().startSpan(shape.name, { kind: SpanKind.PRODUCER, attributes: shape.attributes, startTime: this.startedAt }, this.parent);
    }
    return this.otelSpan;
  }

  protected onAttribute(key: string, value: unknown): void {
    switch (key) {
      case BULLMQ_KEYS.QUEUE_NAME:
        if (this.otelSpan === undefined) this.queue = asName(value);
        break;
      case BULLMQ_KEYS.JOB_NAME:
        this.jobName = asName(value);
        break;
      case BULLMQ_KEYS.JOB_ID:
        this.jobId = asId(value);
        break;
      case BULLMQ_KEYS.BULK_COUNT:
        if (this.bulk && typeof value === 'number' && value >= 0) this.count = value;
        break;
      case BULLMQ_KEYS.BULK_NAMES:
        this.bulkNames = value;
        break;
    }
  }

  protected finish(endTime: number): void {
    const seconds = (endTime - this.startedAt) / 1000;
    const span = this.span;
    // An unsampled span records nothing: no attribute object for it (most jobs under a ratio sampler).
    // One call per attribute: no object built for the SDK to walk again (its setAttributes loops over setAttribute).
    if (span.isRecording()) {
      if (this.jobName !== undefined) span.setAttribute(BULLMQ_ATTR.JOB_NAME, this.jobName);
      if (this.jobId !== undefined) span.setAttribute(ATTR.MESSAGING_MESSAGE_ID, this.jobId);
      if (this.bulk) span.setAttribute(ATTR.MESSAGING_BATCH_MESSAGE_COUNT, this.count);
    }
    const hook = this.rt.sendHook;
    if (hook !== undefined && this.queue !== undefined) hook(span, { queue: this.queue, jobName: this.jobName, jobId: this.jobId, count: this.count });
    let type: string | undefined;
    if (this.excepted) {
      type = errorType(this.exception);
      recordSpanError(span, this.exception, type, this.rt.recordError);
    }
    span.end(endTime);
    const series = queueSeries(this.queue ?? '', this.rt.jobNameLabel && !this.bulk ? this.jobName : undefined);
    if (type === undefined) {
      series.sentOk.add(this.count);
      series.sendOk.record(seconds, span);
    } else {
      const failed = series.failed(type);
      failed.sent.add(this.count);
      failed.send.record(seconds, span);
    }
  }
}
