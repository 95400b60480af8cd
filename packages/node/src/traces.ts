import { TraceFlags, type Context } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type Sampler,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { DROP_REASON } from './drops.js';
import { BoundedDelivery } from './counting-exporter.js';
import { exporterTarget, type ExporterTarget } from './export-warnings.js';
import { FileSpanExporter } from './file/exporters.js';
import { otlpSpanExporter } from './otlp.js';
import type { ResolvedConfig } from './types.js';

export function createSampler(config: ResolvedConfig): Sampler {
  if (typeof config.sampler === 'object') return config.sampler;
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(config.samplerArg);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.samplerArg) });
  }
}

/**
 * True for the samplers that never record a child of an unsampled parent; a `Sampler` object is
 * opaque (a ParentBasedSampler may be given delegates that do), so it is not assumed to.
 */
export function samplerFollowsParent(config: ResolvedConfig): boolean {
  return typeof config.sampler === 'string' && (config.sampler.startsWith('parentbased_') || config.sampler === 'always_off');
}

function createSpanExporter(name: ResolvedConfig['tracesExporters'][number], config: ResolvedConfig): SpanExporter {
  switch (name) {
    case 'otlp':
      return otlpSpanExporter(config.otlpTraces);
    case 'console':
      return new ConsoleSpanExporter();
    case 'file':
      return new FileSpanExporter({ directory: config.fileDirectory, maxBytes: config.fileMaxBytes, maxBackups: config.fileMaxBackups });
  }
}

/**
 * A BatchSpanProcessor whose queue bound is enforced here, where a span that does not fit is
 * counted as dropped (the SDK's own drop only reaches diag.debug).
 */
export class BoundedBatchSpanProcessor implements SpanProcessor {
  private readonly batch: BatchSpanProcessor;
  private readonly delivery: BoundedDelivery<ReadableSpan>;

  constructor(exporter: SpanExporter, target: ExporterTarget, maxQueueSize: number, scheduledDelayMillis: number) {
    this.delivery = new BoundedDelivery(exporter, target, maxQueueSize, { queueFull: DROP_REASON.SPAN_QUEUE_FULL, exportFailed: DROP_REASON.SPAN_EXPORT_FAILED });
    this.batch = new BatchSpanProcessor({
      exporter: this.delivery.exporter as SpanExporter,
      maxQueueSize,
      maxExportBatchSize: Math.min(512, maxQueueSize),
      scheduledDelayMillis,
    });
  }

  get target(): ExporterTarget {
    return this.delivery.target;
  }

  onStart(span: Span, parentContext: Context): void {
    this.batch.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0 || !this.delivery.admit()) return;
    this.batch.onEnd(span);
  }

  abandon(): number {
    return this.delivery.abandon();
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush();
  }

  shutdown(): Promise<void> {
    this.delivery.stop();
    return this.batch.shutdown();
  }
}

/** One bounded queue per exporter, so a slow or dead exporter never holds back the others. */
export function createSpanProcessors(config: ResolvedConfig): BoundedBatchSpanProcessor[] {
  return config.tracesExporters.map(
    (name) =>
      new BoundedBatchSpanProcessor(createSpanExporter(name, config), exporterTarget('traces', name, config), config.maxQueueSize, config.scheduledDelayMillis),
  );
}
