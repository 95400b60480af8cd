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
import { DROP_REASON, reportDropped } from './drops.js';
import { CountingExporter } from './counting-exporter.js';
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
  private readonly counting: CountingExporter<ReadableSpan>;
  private queued = 0;
  private stopped = false;

  constructor(
    exporter: SpanExporter,
    readonly target: ExporterTarget,
    private readonly maxQueueSize: number,
    scheduledDelayMillis: number,
  ) {
    this.counting = new CountingExporter(exporter, target, DROP_REASON.SPAN_EXPORT_FAILED, (count) => (this.queued = Math.max(0, this.queued - count)));
    this.batch = new BatchSpanProcessor({
      exporter: this.counting as SpanExporter,
      maxQueueSize,
      maxExportBatchSize: Math.min(512, maxQueueSize),
      scheduledDelayMillis,
    });
  }

  onStart(span: Span, parentContext: Context): void {
    this.batch.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if (this.stopped || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.queued >= this.maxQueueSize) {
      reportDropped(DROP_REASON.SPAN_QUEUE_FULL, 1);
      return;
    }
    this.queued++;
    this.batch.onEnd(span);
  }

  /**
   * Gives up on what is not delivered yet (still queued, or in an export that has not finished)
   * and returns how many spans that is; late results of those exports are no longer counted.
   */
  abandon(): number {
    this.counting.abandoned = true;
    return this.queued + this.counting.inFlight;
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush();
  }

  shutdown(): Promise<void> {
    this.stopped = true;
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
