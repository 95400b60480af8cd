import type { Attributes } from '@opentelemetry/api';
import { resolveRedactedQueryParams } from '@threadline/core';
import {
  LOGS_EXPORTERS,
  METRICS_EXPORTERS,
  OTLP_PROTOCOLS,
  PROPAGATORS,
  SAMPLERS,
  TRACES_EXPORTERS,
  type OtlpProtocol,
  type OtlpSignalConfig,
  type ResolvedConfig,
  type TelemetryOptions,
} from './types.js';

type Env = Record<string, string | undefined>;

/** A configuration mistake: thrown by `startTelemetry` before anything is started. */
export class TelemetryConfigError extends Error {
  override readonly name = 'TelemetryConfigError';
}

/** The value given and where it came from, so an error can say what to change. */
interface Given<T> {
  readonly value: T;
  readonly source: string;
}

function pick<T>(option: string, explicit: T | undefined, env: Env, ...vars: string[]): Given<T | string> | undefined {
  if (explicit !== undefined) return { value: explicit, source: `option ${option}` };
  for (const name of vars) {
    const raw = env[name]?.trim();
    if (raw) return { value: raw, source: name };
  }
  return undefined;
}

function fail(option: string, given: Given<unknown>, accepted: string): never {
  const from = given.source.startsWith('option') ? '' : ` (from ${given.source})`;
  throw new TelemetryConfigError(`threadline: invalid ${option} ${JSON.stringify(given.value)}${from}; accepted values: ${accepted}`);
}

function oneOf<T extends string>(option: string, given: Given<unknown> | undefined, accepted: readonly T[], fallback: T): T {
  if (!given) return fallback;
  const value = typeof given.value === 'string' ? given.value.trim().toLowerCase() : given.value;
  if (typeof value === 'string' && (accepted as readonly string[]).includes(value)) return value as T;
  return fail(option, given, accepted.join(', '));
}

/**
 * One name or a list (an array, or `a,b` as the OTel spec allows in the environment), each
 * accepted, without duplicates; `none` alone means no exporter.
 */
function listOf<T extends string>(option: string, given: Given<unknown> | undefined, accepted: readonly T[], fallback: T | readonly T[]): Exclude<T, 'none'>[] {
  const isExporter = (name: T): name is Exclude<T, 'none'> => name !== 'none';
  if (!given) return (Array.isArray(fallback) ? [...fallback] : [fallback as T]).filter(isExporter);
  const entries: unknown[] = Array.isArray(given.value) ? given.value : String(given.value).split(',');
  const names: T[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string' && entry.trim() === '') continue;
    const name = oneOf(option, { value: entry, source: given.source }, accepted, accepted[0] as T);
    if (!names.includes(name)) names.push(name);
  }
  if (names.length === 0) fail(option, given, accepted.join(', '));
  if (names.length > 1 && !names.every(isExporter)) fail(option, given, `${accepted.join(', ')} ("none" only on its own)`);
  return names.filter(isExporter);
}

function positiveInt(option: string, given: Given<unknown> | undefined, fallback: number, min = 1): number {
  if (!given) return fallback;
  const value = Number(given.value);
  if (Number.isInteger(value) && value >= min) return value;
  return fail(option, given, `an integer >= ${min}`);
}

function bool(option: string, given: Given<unknown> | undefined, fallback: boolean): boolean {
  if (!given) return fallback;
  if (typeof given.value === 'boolean') return given.value;
  const value = String(given.value).toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return fail(option, given, 'true, false');
}

function endpoint(option: string, given: Given<unknown>): string {
  const raw = String(given.value);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(option, given, 'an absolute http:// or https:// URL, e.g. http://localhost:4318');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(option, given, 'an absolute http:// or https:// URL, e.g. http://localhost:4318');
  return raw;
}

/** `k=v,k2=v2` as in the OTel spec, values URL-decoded. */
export function parseKeyValueList(option: string, given: Given<unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of String(given.value).split(',')) {
    if (!entry.trim()) continue;
    const eq = entry.indexOf('=');
    const key = eq > 0 ? entry.slice(0, eq).trim() : '';
    if (!key) fail(option, given, 'a comma-separated list of key=value pairs');
    try {
      out[key] = decodeURIComponent(entry.slice(eq + 1).trim());
    } catch {
      fail(option, given, 'a comma-separated list of key=value pairs (values URL-encoded)');
    }
  }
  return out;
}

const OTLP_PATHS = { TRACES: '/v1/traces', METRICS: '/v1/metrics', LOGS: '/v1/logs' } as const;

function otlpSignal(options: TelemetryOptions, env: Env, signal: keyof typeof OTLP_PATHS): OtlpSignalConfig {
  const path = OTLP_PATHS[signal];
  const protocol: OtlpProtocol = oneOf(
    'otlpProtocol',
    pick('otlpProtocol', options.otlpProtocol, env, `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`, 'OTEL_EXPORTER_OTLP_PROTOCOL'),
    OTLP_PROTOCOLS,
    'http/protobuf',
  );
  let url: string;
  const signalEndpoint = options.otlpEndpoint === undefined ? pick('otlpEndpoint', undefined, env, `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`) : undefined;
  if (signalEndpoint) {
    url = endpoint('otlpEndpoint', signalEndpoint);
  } else {
    const base = pick('otlpEndpoint', options.otlpEndpoint, env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    const root = base ? endpoint('otlpEndpoint', base) : protocol === 'grpc' ? 'http://localhost:4317' : 'http://localhost:4318';
    url = protocol === 'grpc' ? root : root.replace(/\/+$/, '') + path;
  }
  const headersGiven = pick('otlpHeaders', undefined, env, `OTEL_EXPORTER_OTLP_${signal}_HEADERS`, 'OTEL_EXPORTER_OTLP_HEADERS');
  const headers = { ...(headersGiven ? parseKeyValueList('otlpHeaders', headersGiven) : {}), ...options.otlpHeaders };
  const insecure = bool(
    'otlpInsecure',
    pick('otlpInsecure', options.otlpInsecure, env, `OTEL_EXPORTER_OTLP_${signal}_INSECURE`, 'OTEL_EXPORTER_OTLP_INSECURE'),
    url.startsWith('http:'),
  );
  const timeoutMillis = positiveInt(
    'otlpTimeoutMillis',
    pick('otlpTimeoutMillis', options.otlpTimeoutMillis, env, `OTEL_EXPORTER_OTLP_${signal}_TIMEOUT`, 'OTEL_EXPORTER_OTLP_TIMEOUT'),
    10_000,
  );
  return { protocol, url, headers, insecure, timeoutMillis };
}

/** Read only for the ratio samplers: the others ignore the argument, so a stray value cannot stop the app. */
function samplerArg(options: TelemetryOptions, env: Env, sampler: ResolvedConfig['sampler']): number {
  if (sampler !== 'traceidratio' && sampler !== 'parentbased_traceidratio') return 1;
  const given = pick('samplerArg', options.samplerArg, env, 'OTEL_TRACES_SAMPLER_ARG');
  if (!given) return 1;
  const value = Number(given.value);
  if (Number.isFinite(value) && value >= 0 && value <= 1) return value;
  return fail('samplerArg', given, 'a number from 0 to 1');
}

function redactedQueryParams(options: TelemetryOptions): readonly string[] {
  try {
    return resolveRedactedQueryParams(options.redactedQueryParams, 'threadline');
  } catch {
    return fail('redactedQueryParams', { value: options.redactedQueryParams, source: 'option redactedQueryParams' }, 'an array of query parameter names');
  }
}

/** Merges options over the environment over defaults, and validates everything up front. */
export function resolveConfig(options: TelemetryOptions = {}, env: Env = options.env ?? process.env): ResolvedConfig {
  const envResource = pick('resourceAttributes', undefined, env, 'OTEL_RESOURCE_ATTRIBUTES');
  const resourceAttributes: Attributes = {
    ...(envResource ? parseKeyValueList('resourceAttributes', envResource) : {}),
    ...options.resourceAttributes,
  };
  const sampler =
    typeof options.sampler === 'object'
      ? options.sampler
      : oneOf('sampler', pick('sampler', options.sampler, env, 'OTEL_TRACES_SAMPLER'), SAMPLERS, 'parentbased_always_on');
  const tracesExporters = listOf('tracesExporter', pick('tracesExporter', options.tracesExporter, env, 'OTEL_TRACES_EXPORTER'), TRACES_EXPORTERS, 'file');
  return {
    disabled: bool('disabled', pick('disabled', options.disabled, env, 'OTEL_SDK_DISABLED'), false),
    serviceName: options.serviceName ?? (env.OTEL_SERVICE_NAME?.trim() || (resourceAttributes['service.name'] as string | undefined)),
    serviceVersion: options.serviceVersion ?? (resourceAttributes['service.version'] as string | undefined),
    resourceAttributes,
    resourceCommandArgs: bool('resourceCommandArgs', pick('resourceCommandArgs', options.resourceCommandArgs, env, 'THREADLINE_RESOURCE_COMMAND_ARGS'), false),
    redactedQueryParams: redactedQueryParams(options),
    tracesExporters,
    metricsExporters: listOf('metricsExporter', pick('metricsExporter', options.metricsExporter, env, 'OTEL_METRICS_EXPORTER'), METRICS_EXPORTERS, 'file'),
    logsExporters: listOf('logsExporter', pick('logsExporter', options.logsExporter, env, 'OTEL_LOGS_EXPORTER'), LOGS_EXPORTERS, 'file'),
    loggers: bool('loggers', pick('loggers', options.loggers, env, 'THREADLINE_LOGGERS'), true),
    propagators: listOf('propagators', pick('propagators', options.propagators, env, 'OTEL_PROPAGATORS'), PROPAGATORS, ['tracecontext', 'baggage']),
    otlpTraces: otlpSignal(options, env, 'TRACES'),
    otlpMetrics: otlpSignal(options, env, 'METRICS'),
    otlpLogs: otlpSignal(options, env, 'LOGS'),
    sampler,
    samplerArg: samplerArg(options, env, sampler),
    fileDirectory: String(pick('fileDirectory', options.fileDirectory, env, 'THREADLINE_FILE_DIRECTORY')?.value ?? '.threadline'),
    fileMaxBytes: positiveInt('fileMaxBytes', pick('fileMaxBytes', options.fileMaxBytes, env, 'THREADLINE_FILE_MAX_BYTES'), 10 * 1024 * 1024, 1024),
    fileMaxBackups: positiveInt('fileMaxBackups', pick('fileMaxBackups', options.fileMaxBackups, env, 'THREADLINE_FILE_MAX_BACKUPS'), 5, 0),
    prometheusPort: positiveInt('prometheusPort', pick('prometheusPort', options.prometheusPort, env, 'OTEL_EXPORTER_PROMETHEUS_PORT'), 9464, 0),
    prometheusHost: String(pick('prometheusHost', options.prometheusHost, env, 'OTEL_EXPORTER_PROMETHEUS_HOST')?.value ?? '0.0.0.0'),
    metricExportIntervalMillis: positiveInt(
      'metricExportIntervalMillis',
      pick('metricExportIntervalMillis', options.metricExportIntervalMillis, env, 'OTEL_METRIC_EXPORT_INTERVAL'),
      60_000,
    ),
    maxQueueSize: positiveInt('maxQueueSize', pick('maxQueueSize', options.maxQueueSize, env, 'OTEL_BSP_MAX_QUEUE_SIZE'), 2048),
    maxLogQueueSize: positiveInt('maxLogQueueSize', pick('maxLogQueueSize', options.maxLogQueueSize, env, 'OTEL_BLRP_MAX_QUEUE_SIZE'), 2048),
    scheduledDelayMillis: positiveInt(
      'scheduledDelayMillis',
      pick('scheduledDelayMillis', options.scheduledDelayMillis, env, 'OTEL_BSP_SCHEDULE_DELAY'),
      tracesExporters.includes('console') ? 1 : 5000,
      0,
    ),
    shutdownTimeoutMillis: positiveInt(
      'shutdownTimeoutMillis',
      pick('shutdownTimeoutMillis', options.shutdownTimeoutMillis, env, 'THREADLINE_SHUTDOWN_TIMEOUT_MS'),
      5000,
    ),
  };
}
