import type { OtlpSignalConfig, ResolvedConfig } from './types.js';
import { warnOnce } from './warnings.js';

/** One configured exporter, described so a warning can name what to change. */
export interface ExporterTarget {
  readonly signal: 'traces' | 'metrics' | 'logs';
  readonly exporter: 'otlp' | 'file' | 'console';
  readonly otlp?: OtlpSignalConfig;
  readonly fileDirectory?: string;
}

export function exporterTarget(signal: ExporterTarget['signal'], exporter: ExporterTarget['exporter'], config: ResolvedConfig): ExporterTarget {
  if (exporter === 'otlp') return { signal, exporter, otlp: { traces: config.otlpTraces, metrics: config.otlpMetrics, logs: config.otlpLogs }[signal] };
  if (exporter === 'file') return { signal, exporter, fileDirectory: config.fileDirectory };
  return { signal, exporter };
}

const OTLP_HTTP_PORT = '4318';
const OTLP_GRPC_PORT = '4317';
const FILE_ACCESS_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR', 'EISDIR', 'ENOSPC']);

function errorText(error: unknown): string {
  if (error instanceof Error) return `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`;
  return String(error);
}

function portOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  } catch {
    return '';
  }
}

/** What went wrong, as a small closed set, and the sentence that says what to change. */
export function classifyExportFailure(target: ExporterTarget, error: unknown): { kind: string; advice: string } {
  const text = errorText(error);
  const signal = target.signal.toUpperCase();
  if (target.exporter === 'file') {
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
    const kind = FILE_ACCESS_CODES.has(code) ? 'unwritable' : 'write_failed';
    return {
      kind,
      advice: `cannot write ${target.signal} to the file exporter directory "${target.fileDirectory}" (${text.trim()}); make it writable or set THREADLINE_FILE_DIRECTORY (option fileDirectory) to a writable directory`,
    };
  }
  if (target.exporter !== 'otlp' || !target.otlp) return { kind: 'failed', advice: `${target.exporter} ${target.signal} export failed (${text.trim()})` };
  const { protocol, url } = target.otlp;
  const port = portOf(url);
  if (protocol === 'grpc' && port === OTLP_HTTP_PORT) {
    return {
      kind: 'protocol_mismatch',
      advice: `OTLP protocol is grpc but ${url} uses port ${OTLP_HTTP_PORT}, the OTLP/HTTP port; point OTEL_EXPORTER_OTLP_ENDPOINT at port ${OTLP_GRPC_PORT} or set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`,
    };
  }
  if (protocol !== 'grpc' && port === OTLP_GRPC_PORT) {
    return {
      kind: 'protocol_mismatch',
      advice: `OTLP protocol is ${protocol} but ${url} uses port ${OTLP_GRPC_PORT}, the OTLP/gRPC port; point OTEL_EXPORTER_OTLP_ENDPOINT at port ${OTLP_HTTP_PORT} or set OTEL_EXPORTER_OTLP_PROTOCOL=grpc`,
    };
  }
  if (protocol === 'grpc' && /Protocol error/i.test(text)) {
    return {
      kind: 'protocol_mismatch',
      advice: `OTLP grpc export to ${url} failed (the server does not speak gRPC); for an OTLP/HTTP endpoint (port ${OTLP_HTTP_PORT}) set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf, else point OTEL_EXPORTER_OTLP_ENDPOINT at the gRPC port (${OTLP_GRPC_PORT})`,
    };
  }
  if (/ECONNREFUSED/i.test(text)) {
    return {
      kind: 'refused',
      advice: `nothing accepts connections at ${url} (OTLP ${protocol}); start the collector there or set OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_${signal}_ENDPOINT) to where it listens`,
    };
  }
  if (/ENOTFOUND|EAI_AGAIN/i.test(text)) {
    return { kind: 'unresolved', advice: `the host of ${url} does not resolve; check OTEL_EXPORTER_OTLP_ENDPOINT` };
  }
  if (/timeout|timed out|DEADLINE_EXCEEDED/i.test(text)) {
    return {
      kind: 'timeout',
      advice: `${url} (OTLP ${protocol}) did not answer in time; check the collector or raise OTEL_EXPORTER_OTLP_TIMEOUT (option otlpTimeoutMillis)`,
    };
  }
  return { kind: 'rejected', advice: `OTLP ${protocol} export to ${url} failed (${text.trim()}); check OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_PROTOCOL` };
}

/**
 * One default-level warning per exporter and failure kind: an export that keeps failing costs
 * one line.
 */
export function warnExportFailure(target: ExporterTarget, error: unknown): void {
  const { kind, advice } = classifyExportFailure(target, error);
  warnOnce(
    `${target.signal}:${target.exporter}:${target.otlp?.url ?? target.fileDirectory ?? ''}:${kind}`,
    `THREADLINE_EXPORT_${kind.toUpperCase()}`,
    `threadline: ${advice}. Telemetry that fails to export is dropped and counted in threadline.telemetry.dropped.`,
  );
}
