import { BatchLogRecordProcessor, ConsoleLogRecordExporter, type LogRecordExporter, type LogRecordProcessor, type ReadableLogRecord, type ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { BoundedDelivery } from './counting-exporter.js';
import { DROP_REASON } from './drops.js';
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
  private readonly delivery: BoundedDelivery<ReadableLogRecord>;

  constructor(exporter: LogRecordExporter, target: ExporterTarget, maxQueueSize: number, scheduledDelayMillis: number) {
    this.delivery = new BoundedDelivery(exporter, target, maxQueueSize, { queueFull: DROP_REASON.LOG_QUEUE_FULL, exportFailed: DROP_REASON.LOG_EXPORT_FAILED });
    this.batch = new BatchLogRecordProcessor({
      exporter: this.delivery.exporter as LogRecordExporter,
      maxQueueSize,
      maxExportBatchSize: Math.min(512, maxQueueSize),
      scheduledDelayMillis,
    });
  }

  get target(): ExporterTarget {
    return this.delivery.target;
  }

  onEmit(record: ReadWriteLogRecord): void {
    if (this.delivery.admit()) this.batch.onEmit(record);
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

/** One bounded queue per exporter, as for spans. */
export function createLogRecordProcessors(config: ResolvedConfig): BoundedBatchLogRecordProcessor[] {
  return config.logsExporters.map(
    (name) =>
      new BoundedBatchLogRecordProcessor(createLogExporter(name, config), exporterTarget('logs', name, config), config.maxLogQueueSize, config.scheduledDelayMillis),
  );
}
