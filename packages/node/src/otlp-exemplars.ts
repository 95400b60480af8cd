import { OTLPMetricExporterBase } from '@opentelemetry/exporter-metrics-otlp-http';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { convertLegacyOtlpGrpcOptions, createOtlpGrpcExportDelegate, type OTLPGRPCExporterConfigNode } from '@opentelemetry/otlp-grpc-exporter-base';
import { JsonMetricsSerializer, MetricsExporterMetricsHelper, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { withProtobufExemplars, type ExemplarsByMetric, type PointExemplar } from './otlp-exemplars-protobuf.js';

type Json = Record<string, unknown>;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The exemplars the threadline collector put on histogram points, by scope and metric name. */
function exemplarsOf(metrics: ResourceMetrics): ExemplarsByMetric {
  const byMetric = new Map<string, readonly (PointExemplar[] | undefined)[]>();
  for (const scope of metrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const exemplars = metric.dataPoints.map((p) => (p as { exemplars?: PointExemplar[] }).exemplars);
      if (exemplars.some((e) => e !== undefined)) byMetric.set(`${scope.scope.name}\u0000${metric.descriptor.name}`, exemplars);
    }
  }
  return byMetric;
}

/**
 * The SDK's OTLP serializers (0.300) drop exemplars: this writes those the threadline collector put
 * on its histogram points into the serialized request, as OTLP-JSON exemplars.
 */
export function withExemplars(bytes: Uint8Array | undefined, metrics: ResourceMetrics): Uint8Array | undefined {
  const byMetric = exemplarsOf(metrics);
  if (!bytes || byMetric.size === 0) return bytes;
  const document = JSON.parse(decoder.decode(bytes)) as Json;
  for (const rm of (document.resourceMetrics as Json[] | undefined) ?? []) {
    for (const sm of (rm.scopeMetrics as Json[] | undefined) ?? []) {
      const scopeName = (sm.scope as Json | undefined)?.name;
      for (const m of (sm.metrics as Json[] | undefined) ?? []) {
        const exemplars = byMetric.get(`${String(scopeName)}\u0000${String(m.name)}`);
        const points = (m.histogram as Json | undefined)?.dataPoints as Json[] | undefined;
        if (!exemplars || !points) continue;
        points.forEach((point, i) => {
          const list = exemplars[i];
          if (list) point.exemplars = list.map((e) => ({ timeUnixNano: String(BigInt(e.timestamp[0]) * 1_000_000_000n + BigInt(e.timestamp[1])), asDouble: e.value, traceId: e.traceId, spanId: e.spanId }));
        });
      }
    }
  }
  return encoder.encode(JSON.stringify(document));
}

/** The SDK's JSON or protobuf metrics serializer, carrying the collector's exemplars. */
function serializerWithExemplars(json: boolean) {
  const base = json ? JsonMetricsSerializer : ProtobufMetricsSerializer;
  return {
    serializeRequest: (metrics: ResourceMetrics) => {
      const bytes = base.serializeRequest(metrics);
      if (json) return withExemplars(bytes, metrics);
      const byMetric = exemplarsOf(metrics);
      return bytes && byMetric.size > 0 ? withProtobufExemplars(bytes, byMetric) : bytes;
    },
    deserializeResponse: (data: Uint8Array) => base.deserializeResponse(data),
  };
}

/** The OTLP http/json or http/protobuf metric exporter, with its serializer carrying exemplars. */
export function httpMetricExporterWithExemplars(
  protocol: 'http/json' | 'http/protobuf',
  http: { url: string; headers: Record<string, string>; timeoutMillis: number },
): PushMetricExporter {
  const json = protocol === 'http/json';
  const options = convertLegacyHttpOptions(http, 'METRICS', 'v1/metrics', { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' });
  return new OTLPMetricExporterBase(createOtlpHttpExportDelegate(options, serializerWithExemplars(json), 'otlp_http_metric_exporter', MetricsExporterMetricsHelper, undefined), http);
}

/** The OTLP grpc metric exporter (the SDK's service path and component type), its protobuf carrying exemplars. */
export function grpcMetricExporterWithExemplars(grpc: OTLPGRPCExporterConfigNode): PushMetricExporter {
  const delegate = createOtlpGrpcExportDelegate(
    convertLegacyOtlpGrpcOptions(grpc, 'METRICS'),
    serializerWithExemplars(false),
    'otlp_grpc_metric_exporter',
    MetricsExporterMetricsHelper,
    undefined,
    'MetricsExportService',
    '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  );
  return new OTLPMetricExporterBase(delegate, grpc);
}
