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
  /**
   * What the backend holds that a privacy scan must read: every OTLP request body the in-process
   * receiver got; for Jaeger + Prometheus, the trace as the query API returns it and every series
   * (names and labels, target_info included) Prometheus stored for the app's jobs.
   */
  storedBytes(traceId: string): Promise<Buffer[]>;
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
      OTEL_LOGS_EXPORTER: 'otlp',
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
    storedBytes: async () => receiver.bodies(),
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
      OTEL_LOGS_EXPORTER: 'none',
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
      // Names as the OTel Prometheus exporter writes them (and core's prom-client sink, the same):
      // dots become underscores, counters end in _total, histograms have _count and no unit
      // suffix; a histogram's value here is its count.
      const promName = (key: string) => key.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
      const selector = Object.entries({ job: service, ...attributes })
        .map(([k, v]) => `${promName(k)}="${v}"`)
        .join(',');
      const base = promName(name);
      return prometheusValue(prometheus, `sum({__name__=~"${base}_total|${base}_count",${selector}})`);
    },
    async storedBytes(traceId) {
      const trace = await fetch(`${base}/api/traces/${traceId}`);
      const series = await fetch(`${prometheus}/api/v1/series?match[]=${encodeURIComponent('{job=~"threadline-.*"}')}`);
      if (!trace.ok || !series.ok) throw new Error(`Jaeger answered ${trace.status}, Prometheus ${series.status}`);
      return [Buffer.from(await trace.arrayBuffer()), Buffer.from(await series.arrayBuffer())];
    },
    link: (traceId) => `${base}/trace/${traceId}`,
    close: async () => undefined,
  };
}

/** The first value of an instant PromQL query through Prometheus' HTTP API, or undefined when empty. */
export async function prometheusValue(prometheus: string, query: string): Promise<number | undefined> {
  const response = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { result?: { value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`Prometheus rejected ${query}: ${body.error ?? response.status}`);
  const value = body.data?.result?.[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

/** Metric names Prometheus holds for a scrape job: what a failing assertion should show. */
export async function prometheusNames(prometheus: string, job: string): Promise<string[]> {
  const response = await fetch(`${prometheus}/api/v1/label/__name__/values?match[]=${encodeURIComponent(`{job="${job}"}`)}`);
  return ((await response.json()) as { data?: string[] }).data ?? [];
}

/**
 * Polls a backend's metric until `done` accepts it (scrapes and export intervals lag the app) or
 * the time is up, and returns the last value seen either way, for the assertion to judge.
 */
export async function waitForMetric(
  backend: TraceBackend,
  service: string,
  name: string,
  attributes: Record<string, string>,
  done: (value: number) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await backend.metric(service, name, attributes);
    if ((value !== undefined && done(value)) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function selectBackend(): Promise<TraceBackend> {
  return process.env.THREADLINE_E2E_BACKEND === 'jaeger' ? jaegerBackend() : otlpReceiverBackend();
}
