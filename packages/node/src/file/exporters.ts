import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonLogsSerializer, JsonMetricsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { join } from 'node:path';
import { withExemplars } from '../otlp-exemplars.js';
import { RotatingFileWriter } from './writer.js';

export interface FileExporterOptions {
  readonly directory: string;
  readonly maxBytes: number;
  readonly maxBackups: number;
}

export const TRACES_FILE = 'traces.jsonl';
export const METRICS_FILE = 'metrics.jsonl';
export const LOGS_FILE = 'logs.jsonl';

const decoder = new TextDecoder();

/** One OTLP-JSON document per line, the OTLP file exporter format (otlpjsonfile receiver). */
function writeLine(writer: RotatingFileWriter, bytes: Uint8Array | undefined, resultCallback: (result: ExportResult) => void): void {
  if (!bytes) {
    resultCallback({ code: ExportResultCode.FAILED, error: new Error('threadline: OTLP-JSON serialization failed') });
    return;
  }
  writer.write(decoder.decode(bytes)).then((error) =>
    resultCallback(error ? { code: ExportResultCode.FAILED, error } : { code: ExportResultCode.SUCCESS }),
  );
}

function serialize<T>(serializer: { serializeRequest(request: T): Uint8Array | undefined }, request: T): Uint8Array | undefined {
  try {
    return serializer.serializeRequest(request);
  } catch {
    return undefined;
  }
}

/** Spans as `TracesData` JSON lines in `<directory>/traces.jsonl`, rotated by size. */
export class FileSpanExporter implements SpanExporter {
  private readonly writer: RotatingFileWriter;

  constructor(options: FileExporterOptions) {
    this.writer = new RotatingFileWriter({ ...options, path: join(options.directory, TRACES_FILE) });
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    writeLine(this.writer, serialize(JsonTraceSerializer, spans), resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.writer.flush();
  }

  shutdown(): Promise<void> {
    return this.writer.close();
  }
}

/** Metrics as `MetricsData` JSON lines in `<directory>/metrics.jsonl` (cumulative), rotated by size. */
export class FileMetricExporter implements PushMetricExporter {
  private readonly writer: RotatingFileWriter;

  constructor(options: FileExporterOptions) {
    this.writer = new RotatingFileWriter({ ...options, path: join(options.directory, METRICS_FILE) });
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    writeLine(this.writer, serialize({ serializeRequest: (m: ResourceMetrics) => withExemplars(JsonMetricsSerializer.serializeRequest(m), m) }, metrics), resultCallback);
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  forceFlush(): Promise<void> {
    return this.writer.flush();
  }

  shutdown(): Promise<void> {
    return this.writer.close();
  }
}

/** Log records as `LogsData` JSON lines in `<directory>/logs.jsonl`, rotated by size. */
export class FileLogExporter implements LogRecordExporter {
  private readonly writer: RotatingFileWriter;

  constructor(options: FileExporterOptions) {
    this.writer = new RotatingFileWriter({ ...options, path: join(options.directory, LOGS_FILE) });
  }

  export(records: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    writeLine(this.writer, serialize(JsonLogsSerializer, records), resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.writer.flush();
  }

  shutdown(): Promise<void> {
    return this.writer.close();
  }
}
