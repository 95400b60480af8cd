import { Metadata } from '@grpc/grpc-js';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { grpcMetricExporterWithExemplars, httpMetricExporterWithExemplars } from './otlp-exemplars.js';
import type { OtlpSignalConfig } from './types.js';

/** The grpc exporter decides TLS from the URL scheme, so `insecure` is expressed through it. */
function grpcUrl(config: OtlpSignalConfig): string {
  const rest = config.url.replace(/^https?:\/\//, '');
  return `${config.insecure ? 'http' : 'https'}://${rest}`;
}

/**
 * gRPC carries headers as metadata; the grpc exporters read only the environment's headers
 * themselves, so explicit `otlpHeaders` (merged over the environment in config) go in here.
 */
export function grpcMetadata(headers: Readonly<Record<string, string>>): Metadata | undefined {
  const entries = Object.entries(headers);
  if (entries.length === 0) return undefined;
  const metadata = new Metadata();
  for (const [key, value] of entries) {
    try {
      metadata.set(key.toLowerCase(), value);
    } catch (error) {
      throw new Error(
        `threadline: invalid otlpHeaders key "${key}" for otlpProtocol grpc (${(error as Error).message}); gRPC metadata keys use a-z, 0-9, "-", "_" and "."`,
      );
    }
  }
  return metadata;
}

export function otlpSpanExporter(config: OtlpSignalConfig): SpanExporter {
  const http = { url: config.url, headers: config.headers, timeoutMillis: config.timeoutMillis };
  switch (config.protocol) {
    case 'grpc':
      return new GrpcTraceExporter({ url: grpcUrl(config), metadata: grpcMetadata(config.headers), timeoutMillis: config.timeoutMillis });
    case 'http/json':
      return new JsonTraceExporter(http);
    case 'http/protobuf':
      return new ProtoTraceExporter(http);
  }
}

export function otlpMetricExporter(config: OtlpSignalConfig): PushMetricExporter {
  const http = { url: config.url, headers: config.headers, timeoutMillis: config.timeoutMillis };
  switch (config.protocol) {
    case 'grpc':
      return grpcMetricExporterWithExemplars({ url: grpcUrl(config), metadata: grpcMetadata(config.headers), timeoutMillis: config.timeoutMillis });
    case 'http/json':
    case 'http/protobuf':
      return httpMetricExporterWithExemplars(config.protocol, http);
  }
}

export function otlpLogExporter(config: OtlpSignalConfig): LogRecordExporter {
  const http = { url: config.url, headers: config.headers, timeoutMillis: config.timeoutMillis };
  switch (config.protocol) {
    case 'grpc':
      return new GrpcLogExporter({ url: grpcUrl(config), metadata: grpcMetadata(config.headers), timeoutMillis: config.timeoutMillis });
    case 'http/json':
      return new JsonLogExporter(http);
    case 'http/protobuf':
      return new ProtoLogExporter(http);
  }
}
