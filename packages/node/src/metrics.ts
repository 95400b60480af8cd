import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  ConsoleMetricExporter,
  PeriodicExportingMetricReader,
  type IMetricReader,
  type MetricProducer,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { createOtelMetricProducer, type MetricsCollector } from '@threadline/core';
import { DROP_REASON, reportDropped } from './drops.js';
import { exporterTarget, warnExportFailure, type ExporterTarget } from './export-warnings.js';
import { FileMetricExporter } from './file/exporters.js';
import { otlpMetricExporter } from './otlp.js';
import { PrometheusEndpoint } from './prometheus-endpoint.js';
import type { ResolvedConfig } from './types.js';

/** Failed metric exports are counted (diag once); the next cumulative export carries the values again. */
class CountingMetricExporter implements PushMetricExporter {
  constructor(
    private readonly inner: PushMetricExporter,
    private readonly target: ExporterTarget,
  ) {
    if (inner.selectAggregationTemporality) this.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
    if (inner.selectAggregation) this.selectAggregation = inner.selectAggregation.bind(inner);
  }

  selectAggregationTemporality?: PushMetricExporter['selectAggregationTemporality'];
  selectAggregation?: PushMetricExporter['selectAggregation'];

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    const done = (result: ExportResult) => {
      if (result.code !== ExportResultCode.SUCCESS) {
        reportDropped(DROP_REASON.METRIC_EXPORT_FAILED, 1, result.error);
        warnExportFailure(this.target, result.error);
      }
      resultCallback({ code: ExportResultCode.SUCCESS });
    };
    try {
      this.inner.export(metrics, done);
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

type PushExporterName = Exclude<ResolvedConfig['metricsExporters'][number], 'prometheus'>;

function pushExporter(name: PushExporterName, config: ResolvedConfig): PushMetricExporter {
  switch (name) {
    case 'otlp':
      return otlpMetricExporter(config.otlpMetrics);
    case 'console':
      return new ConsoleMetricExporter();
    case 'file':
      return new FileMetricExporter({ directory: config.fileDirectory, maxBytes: config.fileMaxBytes, maxBackups: config.fileMaxBackups });
  }
}

/** One reader per configured exporter, each with the threadline collector attached as a metric producer. */
export function createMetricReaders(config: ResolvedConfig, collector: MetricsCollector): IMetricReader[] {
  return config.metricsExporters.map((name) => {
    // The core producer is structurally an sdk-metrics MetricProducer (core stays SDK-free).
    const metricProducers = [createOtelMetricProducer(collector) as unknown as MetricProducer];
    if (name === 'prometheus') return new PrometheusEndpoint({ port: config.prometheusPort, host: config.prometheusHost, metricProducers });
    return new PeriodicExportingMetricReader({
      exporter: new CountingMetricExporter(pushExporter(name, config), exporterTarget('metrics', name, config)),
      exportIntervalMillis: config.metricExportIntervalMillis,
      exportTimeoutMillis: Math.min(30_000, config.metricExportIntervalMillis),
      metricProducers,
    });
  });
}
