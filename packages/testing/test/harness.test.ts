import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { createOtelMetricProducer, MetricsCollector } from '@threadline/core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { assertChildOf, assertRoot, assertSameTrace, runApp, setupTelemetry, startOtlpReceiver } from '../src/index.js';

const harness = setupTelemetry();
beforeEach(() => harness.reset());

describe('setupTelemetry', () => {
  it('registers W3C propagation, ALS context and an in-memory exporter', async () => {
    const tracer = trace.getTracer('t');
    await tracer.startActiveSpan('parent', async (parent) => {
      await new Promise((r) => setTimeout(r, 1));
      tracer.startSpan('child').end();
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);
      expect(carrier.traceparent).toContain(parent.spanContext().traceId);
      parent.end();
    });
    assertChildOf(harness.span('child'), harness.span('parent'));
    assertSameTrace(harness.span('child'), harness.span('parent'));
    assertRoot(harness.span('parent'));
    expect(() => harness.span('missing')).toThrow(/finished spans: \[child, parent\]/);
  });

  it('returns the same harness on a second call and resets spans and collector', () => {
    const first = harness.collector;
    trace.getTracer('t').startSpan('x').end();
    expect(setupTelemetry()).toBe(harness);
    expect(harness.spans()).toHaveLength(0);
    expect(harness.collector).not.toBe(first);
  });

  it('reads collector metrics through the OTel reader and explains a missing point', async () => {
    harness.collector.counter({ name: 'test.h.count', labelKeys: ['q'] }).bind({ q: 'a' }).add(2);
    expect((await harness.metricPoint('test.h.count', { q: 'a' })).value).toBe(2);
    await expect(harness.metricPoint('test.h.count', { q: 'b' })).rejects.toThrow(/no point with \{"q":"b"\}/);
    await expect(harness.metricPoint('nope')).rejects.toThrow(/no metric named "nope"/);
  });
});

describe('startOtlpReceiver', () => {
  const receivers: { close(): Promise<void> }[] = [];
  afterAll(async () => Promise.all(receivers.map((r) => r.close())));

  it('decodes real OTLP/HTTP JSON traces and metrics from the SDK exporters', async () => {
    const receiver = await startOtlpReceiver();
    receivers.push(receiver);
    const provider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${receiver.endpoint}/v1/traces` }) })],
    });
    const tracer = provider.getTracer('receiver-test');
    const parent = tracer.startSpan('parent', { kind: SpanKind.SERVER, attributes: { 'http.route': '/orders', n: 3 } });
    tracer.startSpan('child', { kind: SpanKind.PRODUCER }, trace.setSpan(context.active(), parent)).end();
    parent.end();
    await provider.forceFlush();

    const collector = new MetricsCollector();
    collector.counter({ name: 'test.r.count', labelKeys: ['q'] }).bind({ q: 'a' }).add(1);
    const reader = new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: `${receiver.endpoint}/v1/metrics` }),
      metricProducers: [createOtelMetricProducer(collector) as never],
    });
    const meters = new MeterProvider({ readers: [reader] });
    await meters.forceFlush();

    const spans = await receiver.waitFor(() => receiver.spans().length === 2 && receiver.spans(), 5000, 'two spans');
    const p = spans.find((s) => s.name === 'parent')!;
    const c = spans.find((s) => s.name === 'child')!;
    expect(p.kind).toBe('SERVER');
    expect(c.kind).toBe('PRODUCER');
    expect(c.parentSpanId).toBe(p.spanId);
    expect(c.traceId).toBe(parent.spanContext().traceId);
    expect(p.attributes).toEqual({ 'http.route': '/orders', n: 3 });
    expect(receiver.latestPoint('test.r.count', { q: 'a' })?.value).toBe(1);
    expect(receiver.rejected).toBe(0);
    await provider.shutdown();
    await meters.shutdown();
  });
});

describe('runApp', () => {
  it('runs an ESM app and returns its last JSON line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-app-'));
    const file = join(dir, 'app.mjs');
    writeFileSync(file, `console.log('noise'); console.log(JSON.stringify({ esm: typeof import.meta.url }));`);
    const run = await runApp(file);
    expect(run.code).toBe(0);
    expect(run.result).toEqual({ esm: 'string' });
  });
});
