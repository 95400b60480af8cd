export { startTelemetry } from './start.js';
export { TelemetryConfigError, resolveConfig } from './config.js';
export { DEFAULT_REDACTED_QUERY_PARAMS } from '@threadline/core';
export { FileMetricExporter, FileSpanExporter, METRICS_FILE, TRACES_FILE, type FileExporterOptions } from './file/exporters.js';
export { RotatingFileWriter, type RotatingFileOptions } from './file/writer.js';
export {
  METRICS_EXPORTERS,
  OTLP_PROTOCOLS,
  PROPAGATORS,
  SAMPLERS,
  TRACES_EXPORTERS,
  type MetricsExporterName,
  type OtlpProtocol,
  type OtlpSignalConfig,
  type PropagatorName,
  type ResolvedConfig,
  type SamplerName,
  type ShutdownReport,
  type TelemetryHandle,
  type TelemetryOptions,
  type TracesExporterName,
} from './types.js';
