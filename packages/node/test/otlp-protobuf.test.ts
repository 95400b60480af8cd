import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonMetricsSerializer, JsonTraceSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { startTelemetry } from '../src/index.js';
import { spansOfDocument } from '../src/viewer/spans.js';
import { startProtobufAwareReceiver, type ProtobufAwareReceiver } from './support/otlp-http-receiver.js';
import { decodeMetricsRequest, decodeTraceRequest } from '@threadline/testing';

/** Protobuf leaves default values out and JSON spells 64-bit numbers either way: compare modulo both. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalize).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, normalize(v)] as const).filter(([, v]) => v !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  if (value === 0 || value === '' || value === false || value === '0' || value === undefined) return undefined;
  return typeof value === 'number' ? String(value) : value;
}

class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

describe('OTLP protobuf decoding (test support)', () => {
  it('decodes an ExportTraceServiceRequest into exactly what the JSON serializer writes', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const tracer = provider.getTracer('proto-scope', '1.0.0');
    const linked = tracer.startSpan('linked');
    linked.end();
    tracer.startActiveSpan('parent', { kind: SpanKind.SERVER }, (parent) => {
      const child = tracer.startSpan('child', {
        kind: SpanKind.PRODUCER,
        attributes: { s: 'text', b: true, i: -42, d: 1.5, arr: ['x', 'y'] },
        links: [{ context: linked.spanContext(), attributes: { why: 'batch' } }],
      });
      child.addEvent('retry', { attempt: 2 });
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'nope' });
      child.end();
      parent.end();
    });
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(3);
    const decoded = decodeTraceRequest(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array));
    const json = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)));
    expect(normalize(decoded)).toEqual(normalize(json));
    expect(spansOfDocument(decoded).map((s) => s.name)).toEqual(['linked', 'child', 'parent']);
  });

  it('decodes an ExportMetricsServiceRequest (sum, gauge, histogram) into what the JSON serializer writes', async () => {
    const reader = new CollectingReader();
    const provider = new MeterProvider({ readers: [reader] });
    const meter = provider.getMeter('proto-metrics');
    meter.createCounter('c', { unit: '{call}' }).add(3, { result: 'ok' });
    meter.createGauge('g').record(-2.5);
    meter.createUpDownCounter('u').add(-3);
    const h = meter.createHistogram('h', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 1] } });
    h.record(0.05);
    h.record(5);
    const { resourceMetrics } = await reader.collect();
    const decoded = decodeMetricsRequest(Buffer.from(ProtobufMetricsSerializer.serializeRequest(resourceMetrics) as Uint8Array));
    const json = JSON.parse(new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(resourceMetrics)));
    expect(json.resourceMetrics[0].scopeMetrics[0].metrics).toHaveLength(4);
    expect(normalize(decoded)).toEqual(normalize(json));
    await provider.shutdown();
  });
});

describe('startTelemetry with the default OTLP protocol (http/protobuf)', () => {
  let receiver: ProtobufAwareReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
  });

  it('spans and collector metrics arrive as protobuf and decode to the recorded values', async () => {
    receiver = await startProtobufAwareReceiver();
    const handle = startTelemetry({ serviceName: 'proto-e2e', tracesExporter: 'otlp', metricsExporter: 'otlp', otlpEndpoint: receiver.endpoint, http: false, env: {} });
    const span = trace.getTracer('e2e').startSpan('protobuf span', { attributes: { n: 7 } });
    span.end();
    handle.collector.counter({ name: 'proto.calls', unit: '{call}', labelKeys: ['result'] }).bind({ result: 'ok' }).add(11);
    await handle.shutdown();
    expect(receiver.requests.every((r) => r.contentType === 'application/x-protobuf')).toBe(true);
    const traces = receiver.requests.filter((r) => r.path === '/v1/traces').flatMap((r) => spansOfDocument(r.document));
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatchObject({ name: 'protobuf span', service: 'proto-e2e', traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, attributes: { n: 7 } });
    const metricDocs = receiver.requests.filter((r) => r.path === '/v1/metrics').map((r) => JSON.stringify(r.document));
    expect(metricDocs.length).toBeGreaterThan(0);
    const last = JSON.parse(metricDocs.at(-1) as string);
    const metric = last.resourceMetrics[0].scopeMetrics.flatMap((sm: { metrics: unknown[] }) => sm.metrics).find((m: { name: string }) => m.name === 'proto.calls');
    expect(metric.sum.dataPoints[0].asDouble).toBe(11);
    expect(metric.sum.isMonotonic).toBe(true);
  });
});
