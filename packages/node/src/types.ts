import type { Attributes } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { IdGenerator, Sampler } from '@opentelemetry/sdk-trace';
import type { MetricsCollector } from '@threadline/core';

export const TRACES_EXPORTERS = ['otlp', 'console', 'file', 'none'] as const;
export const METRICS_EXPORTERS = ['otlp', 'prometheus', 'console', 'file', 'none'] as const;
export const LOGS_EXPORTERS = ['otlp', 'console', 'file', 'none'] as const;
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export const PROPAGATORS = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'none'] as const;
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export type TracesExporterName = (typeof TRACES_EXPORTERS)[number];
export type MetricsExporterName = (typeof METRICS_EXPORTERS)[number];
export type LogsExporterName = (typeof LOGS_EXPORTERS)[number];
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];
export type SamplerName = (typeof SAMPLERS)[number];
export type PropagatorName = (typeof PROPAGATORS)[number];

/**
 * Options of `startTelemetry`. Every field is optional; each one also reads the environment
 * variable named in its doc, and an explicit option always wins over the environment.
 */
export interface TelemetryOptions {
  /** `service.name`. Env: OTEL_SERVICE_NAME (else `service.name` in OTEL_RESOURCE_ATTRIBUTES). */
  serviceName?: string;
  /** `service.version`. Env: `service.version` in OTEL_RESOURCE_ATTRIBUTES. */
  serviceVersion?: string;
  /** Extra resource attributes, merged over OTEL_RESOURCE_ATTRIBUTES. */
  resourceAttributes?: Attributes;
  /** threadline plugins or any OTel Instrumentation. */
  instrumentations?: (Instrumentation | Instrumentation[])[];
  /** The OTel http instrumentation (server + client spans): `true` (default), `false`, or its config. */
  http?: boolean | HttpInstrumentationConfig;
  /**
   * Query parameter names whose values the http instrumentation records as `REDACTED` in the
   * server span's `url.query` and the client span's `url.full` (case-insensitive, `-` and `_`
   * ignored). Replaces the default `DEFAULT_REDACTED_QUERY_PARAMS` (token, access_token, api_key,
   * password, X-Amz-Signature, ...); extend it with `[...DEFAULT_REDACTED_QUERY_PARAMS, 'ticket']`.
   * @threadline/fetch takes the same option.
   */
  redactedQueryParams?: readonly string[];
  /**
   * Put `process.command_args` (the full command line, including any secret passed as an argument)
   * in the resource of every export. Env: THREADLINE_RESOURCE_COMMAND_ARGS. Default false.
   */
  resourceCommandArgs?: boolean;
  /** Where spans go: one exporter or several. Env: OTEL_TRACES_EXPORTER (comma-separated list). Default `file`. */
  tracesExporter?: TracesExporterName | readonly TracesExporterName[];
  /** Where metrics go: one exporter or several. Env: OTEL_METRICS_EXPORTER (comma-separated list). Default `file`. */
  metricsExporter?: MetricsExporterName | readonly MetricsExporterName[];
  /**
   * Where log records go (pino and winston records, anything written through the OTel logs API):
   * one exporter or several. Env: OTEL_LOGS_EXPORTER (comma-separated list). Default `file`.
   */
  logsExporter?: LogsExporterName | readonly LogsExporterName[];
  /**
   * The pino and winston instrumentations: `trace_id` / `span_id` / `trace_flags` on every record
   * written inside a span, and each record sent through the logs pipeline. Default true.
   */
  loggers?: boolean;
  /**
   * How trace context and baggage travel in headers, in order. Env: OTEL_PROPAGATORS
   * (comma-separated). Default `tracecontext,baggage`.
   */
  propagators?: PropagatorName | readonly PropagatorName[];
  /** OTLP wire protocol. Env: OTEL_EXPORTER_OTLP_{TRACES_,METRICS_,}PROTOCOL. Default `http/protobuf`. */
  otlpProtocol?: OtlpProtocol;
  /**
   * OTLP base endpoint (`/v1/traces`, `/v1/metrics`, `/v1/logs` are appended for HTTP). Env:
   * OTEL_EXPORTER_OTLP_ENDPOINT; per-signal OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_ENDPOINT are used as is.
   * Default `http://localhost:4318` (http) / `http://localhost:4317` (grpc).
   */
  otlpEndpoint?: string;
  /** Headers sent with every OTLP export. Env: OTEL_EXPORTER_OTLP_{TRACES_,METRICS_,}HEADERS (`k=v,k2=v2`). */
  otlpHeaders?: Record<string, string>;
  /** gRPC without TLS. Env: OTEL_EXPORTER_OTLP_{TRACES_,METRICS_,}INSECURE. Default: TLS unless the endpoint is `http://`. */
  otlpInsecure?: boolean;
  /** Per-export timeout. Env: OTEL_EXPORTER_OTLP_TIMEOUT. Default 10000. */
  otlpTimeoutMillis?: number;
  /** Sampler name or instance. Env: OTEL_TRACES_SAMPLER. Default `parentbased_always_on`. */
  sampler?: SamplerName | Sampler;
  /** Ratio for the `traceidratio` samplers, 0..1. Env: OTEL_TRACES_SAMPLER_ARG. Default 1. */
  samplerArg?: number;
  /**
   * Trace / span id source. Default: random ids. With @threadline/temporal pass its
   * `temporalIdGenerator()` so spans re-created from the workflow sandbox keep their ids.
   */
  idGenerator?: IdGenerator;
  /** Start nothing and return a no-op handle. Env: OTEL_SDK_DISABLED. */
  disabled?: boolean;
  /** Directory of the file exporter. Env: THREADLINE_FILE_DIRECTORY. Default `.threadline`. */
  fileDirectory?: string;
  /** Rotate a file when it would exceed this size. Env: THREADLINE_FILE_MAX_BYTES. Default 10 MiB. */
  fileMaxBytes?: number;
  /** Rotated files kept per signal. Env: THREADLINE_FILE_MAX_BACKUPS. Default 5. */
  fileMaxBackups?: number;
  /** Prometheus scrape port. Env: OTEL_EXPORTER_PROMETHEUS_PORT. Default 9464. */
  prometheusPort?: number;
  /** Prometheus scrape host. Env: OTEL_EXPORTER_PROMETHEUS_HOST. Default `0.0.0.0`. */
  prometheusHost?: string;
  /** Metric export interval. Env: OTEL_METRIC_EXPORT_INTERVAL. Default 60000. */
  metricExportIntervalMillis?: number;
  /** Span queue bound; spans past it are dropped and counted. Env: OTEL_BSP_MAX_QUEUE_SIZE. Default 2048. */
  maxQueueSize?: number;
  /** Log record queue bound; records past it are dropped and counted. Env: OTEL_BLRP_MAX_QUEUE_SIZE. Default 2048. */
  maxLogQueueSize?: number;
  /** Delay between span batches. Env: OTEL_BSP_SCHEDULE_DELAY. Default 5000 (console: immediate). */
  scheduledDelayMillis?: number;
  /**
   * The most `shutdown()` waits for the exporters; what is still unsent then is dropped, counted and
   * reported. Env: THREADLINE_SHUTDOWN_TIMEOUT_MS. Default 5000.
   */
  shutdownTimeoutMillis?: number;
  /** Shut down (flushing everything) on these signals, then re-raise them. `true` = SIGTERM + SIGINT. Default off. */
  flushOnSignals?: boolean | NodeJS.Signals[];
  /** The metrics collector to wire (default: a new one, installed with `setCollector`). */
  collector?: MetricsCollector;
  /** Environment to read instead of `process.env` (tests, embedding). */
  env?: Record<string, string | undefined>;
}

/** What `startTelemetry` returns. */
export interface TelemetryHandle {
  /** The collector every threadline plugin records into (also installed globally). */
  readonly collector: MetricsCollector;
  /** The options after merging the environment and defaults. */
  readonly config: ResolvedConfig;
  /** Exports everything queued so far; resolves when the exporters answered. */
  forceFlush(): Promise<void>;
  /**
   * Flushes every queued span and metric, then stops; resolves within `shutdownTimeoutMillis`
   * whatever the exporters do, saying what it could not send. A second call returns the first
   * call's promise.
   */
  shutdown(): Promise<ShutdownReport>;
}

/** What `shutdown()` could not deliver before its deadline. */
export interface ShutdownReport {
  /** The deadline passed before the exporters finished. */
  readonly timedOut: boolean;
  /** Spans still queued or in an unfinished export at the deadline (also counted as dropped, reason `shutdown_timeout`). */
  readonly unsentSpans: number;
}

export interface OtlpSignalConfig {
  readonly protocol: OtlpProtocol;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly insecure: boolean;
  readonly timeoutMillis: number;
}

export interface ResolvedConfig {
  readonly disabled: boolean;
  readonly serviceName: string | undefined;
  readonly serviceVersion: string | undefined;
  readonly resourceAttributes: Attributes;
  readonly resourceCommandArgs: boolean;
  readonly redactedQueryParams: readonly string[];
  /** Every configured span exporter, in order; empty for `none`. */
  readonly tracesExporters: readonly Exclude<TracesExporterName, 'none'>[];
  /** Every configured metric exporter, in order; empty for `none`. */
  readonly metricsExporters: readonly Exclude<MetricsExporterName, 'none'>[];
  /** Every configured log record exporter, in order; empty for `none`. */
  readonly logsExporters: readonly Exclude<LogsExporterName, 'none'>[];
  readonly loggers: boolean;
  /** Every configured propagator, in order; empty for `none`. */
  readonly propagators: readonly Exclude<PropagatorName, 'none'>[];
  readonly otlpTraces: OtlpSignalConfig;
  readonly otlpMetrics: OtlpSignalConfig;
  readonly otlpLogs: OtlpSignalConfig;
  readonly sampler: SamplerName | Sampler;
  readonly samplerArg: number;
  readonly fileDirectory: string;
  readonly fileMaxBytes: number;
  readonly fileMaxBackups: number;
  readonly prometheusPort: number;
  readonly prometheusHost: string;
  readonly metricExportIntervalMillis: number;
  readonly maxQueueSize: number;
  readonly maxLogQueueSize: number;
  readonly scheduledDelayMillis: number;
  readonly shutdownTimeoutMillis: number;
}
