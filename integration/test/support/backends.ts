import type { OtlpJsonSpan } from '@threadline/core';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpanKind } from '@threadline/testing';

/** A span as the end-to-end assertions see it, whichever backend stored it. */
export type BackendSpan = Pick<OtlpJsonSpan, 'traceId' | 'spanId' | 'parentSpanId' | 'name' | 'kind' | 'attributes'> & {
  readonly service: string | undefined;
  readonly error: boolean;
};

export interface TraceBackend {
  readonly name: 'otlp-receiver' | 'jaeger';
  /** Environment every app process gets so its exporters send here. */
  readonly exporterEnv: Record<string, string>;
  /** Every span of one trace the backend holds right now. */
  trace(traceId: string): Promise<BackendSpan[]>;
  /** A counter's latest value (a histogram's count) for a service, or undefined. */
  metric(service: string, name: string, attributes: Record<string, string>): Promise<number | undefined>;
  /** Where a person can look at the trace. */
  link(traceId: string): string;
  /** Every request body the backend received, when it can tell (the in-process receiver): for byte scans. */
  readonly bytes?: () => Buffer[];
  close(): Promise<void>;
}

const FAST_EXPORT = {
  OTEL_BSP_SCHEDULE_DELAY: '100',
  OTEL_METRIC_EXPORT_INTERVAL: '500',
};

/** Backend 1: the in-process OTLP/HTTP receiver (make test, CI). */
export async function otlpReceiverBackend(): Promise<TraceBackend> {
  const receiver: OtlpReceiver = await startOtlpReceiver();
  return {
    name: 'otlp-receiver',
    exporterEnv: {
      ...FAST_EXPORT,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'otlp',
      // The SDK's default wire format, decoded by the receiver.
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    },
    async trace(traceId) {
      if (receiver.rejected > 0) throw new Error(`the receiver could not decode ${receiver.rejected} OTLP request(s)`);
      return receiver
        .spans()
        .filter((s) => s.traceId === traceId)
        .map((s) => ({
          service: s.serviceName,
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId,
          name: s.name,
          kind: s.kind,
          attributes: s.attributes,
          error: s.statusCode === 'ERROR',
        }));
    },
    async metric(service, name, attributes) {
      return receiver.latestPoint(name, attributes, service)?.value;
    },
    link: (traceId) => `(in-process receiver) trace ${traceId}`,
    bytes: () => receiver.bodies(),
    close: () => receiver.close(),
  };
}

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  processID: string;
  references?: { refType: string; traceID: string; spanID: string }[];
  tags?: { key: string; value: unknown }[];
}

/** Backend 2: Jaeger's query API (make otel-e2e with docker-compose.otel.yml). */
export function jaegerBackend(base = process.env.JAEGER_QUERY_URL ?? 'http://localhost:16686', prometheus = process.env.PROMETHEUS_URL ?? 'http://localhost:9090'): TraceBackend {
  return {
    name: 'jaeger',
    exporterEnv: {
      ...FAST_EXPORT,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318',
    },
    async trace(traceId) {
      const response = await fetch(`${base}/api/traces/${traceId}`);
      if (response.status === 404) return [];
      if (!response.ok) throw new Error(`Jaeger answered ${response.status} for trace ${traceId}`);
      const body = (await response.json()) as { data: { spans: JaegerSpan[]; processes: Record<string, { serviceName: string }> }[] };
      const data = body.data[0];
      if (!data) return [];
      return data.spans.map((s) => {
        const tags = Object.fromEntries((s.tags ?? []).map((t) => [t.key, t.value]));
        const parent = s.references?.find((r) => r.refType === 'CHILD_OF');
        return {
          service: data.processes[s.processID]?.serviceName,
          traceId: s.traceID.padStart(32, '0'),
          spanId: s.spanID,
          parentSpanId: parent?.spanID,
          name: s.operationName,
          kind: String(tags['span.kind'] ?? 'internal').toUpperCase() as ReceivedSpanKind,
          attributes: tags,
          error: tags.error === true || tags['otel.status_code'] === 'ERROR',
        };
      });
    },
    async metric(service, name, attributes) {
      // Prometheus names: dots become underscores, counters end in _total and histograms in
      // _seconds_count (OTel → Prometheus rules); a histogram's value here is its count.
      const selector = Object.entries({ job: service, ...attributes })
        .map(([k, v]) => `${k.replace(/\./g, '_')}="${v}"`)
        .join(',');
      const base = name.replace(/\./g, '_');
      const query = `sum({__name__=~"${base}_total|${base}_seconds_count",${selector}})`;
      const response = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(query)}`);
      const body = (await response.json()) as { data?: { result?: { value: [number, string] }[] } };
      const value = body.data?.result?.[0]?.value[1];
      return value === undefined ? undefined : Number(value);
    },
    link: (traceId) => `${base}/trace/${traceId}`,
    close: async () => undefined,
  };
}

export async function selectBackend(): Promise<TraceBackend> {
  return process.env.THREADLINE_E2E_BACKEND === 'jaeger' ? jaegerBackend() : otlpReceiverBackend();
}
