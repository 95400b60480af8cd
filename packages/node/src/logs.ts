import { BatchLogRecordProcessor, ConsoleLogRecordExporter, type LogRecordExporter, type LogRecordProcessor, type ReadableLogRecord, type ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { CountingExporter } from './counting-exporter.js';
import { DROP_REASON, reportDropped } from './drops.js';
import { exporterTarget, type ExporterTarget } from './export-warnings.js';
import { FileLogExporter } from './file/exporters.js';
import { otlpLogExporter } from './otlp.js';
import type { ResolvedConfig } from './types.js';

function createLogExporter(name: ResolvedConfig['logsExporters'][number], config: ResolvedConfig): LogRecordExporter {
  switch (name) {
    case 'otlp':
      return otlpLogExporter(config.otlpLogs);
    case 'console':
      return new ConsoleLogRecordExporter();
    case 'file':
      return new FileLogExporter({ directory: config.fileDirectory, maxBytes: config.fileMaxBytes, maxBackups: config.fileMaxBackups });
  }
}

/**
 * A BatchLogRecordProcessor whose queue bound is enforced here, where a record that does not fit
 * is counted as dropped (the SDK drops silently).
 */
export class BoundedBatchLogRecordProcessor implements LogRecordProcessor {
  private readonly batch: BatchLogRecordProcessor;
  private readonly counting: CountingExporter<ReadableLogRecord>;
  private queued = 0;
  private stopped = false;

  constructor(
    exporter: LogRecordExporter,
    readonly target: ExporterTarget,
    private readonly maxQueueSize: number,
    scheduledDelayMillis: number,
  ) {
    this.counting = new CountingExporter(exporter, target, DROP_REASON.LOG_EXPORT_FAILED, (count) => (this.queued = Math.max(0, this.queued - count)));
    this.batch = new BatchLogRecordProcessor({
      exporter: this.counting as LogRecordExporter,
      maxQueueSize,
      maxExportBatchSize: Math.min(512, maxQueueSize),
      scheduledDelayMillis,
    });
  }

  onEmit(record: ReadWriteLogRecord): void {
    if (this.stopped) return;
    if (this.queued >= this.maxQueueSize) {
      reportDropped(DROP_REASON.LOG_QUEUE_FULL, 1);
      return;
    }
    this.queued++;
    this.batch.onEmit(record);
  }

  /** Gives up on records accepted but not yet delivered and returns how many; late results no longer count. */
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

/** One bounded queue per exporter, as for spans. */
export function createLogRecordProcessors(config: ResolvedConfig): BoundedBatchLogRecordProcessor[] {
  return config.logsExporters.map(
    (name) =>
      new BoundedBatchLogRecordProcessor(createLogExporter(name, config), exporterTarget('logs', name, config), config.maxLogQueueSize, config.scheduledDelayMillis),
  );
}
