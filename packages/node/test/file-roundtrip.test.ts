import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { findPoint } from '@threadline/core';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTelemetry } from '../src/index.js';
import { parseLines } from '../src/viewer/spans.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const attrs = (list: Json[]) => Object.fromEntries(list.map((kv) => [kv.key, Object.values(kv.value)[0]]));

describe('file exporter round trip', () => {
  it('written lines are OTLP-JSON TracesData / MetricsData that parse back into the same spans and points', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tl-roundtrip-'));
    const handle = startTelemetry({
      serviceName: 'roundtrip',
      serviceVersion: '2.0.0',
      resourceAttributes: { 'deployment.environment.name': 'test' },
      fileDirectory: dir,
      http: false,
      env: { OTEL_RESOURCE_ATTRIBUTES: 'team=core,service.name=overridden' },
    });
    const tracer = trace.getTracer('roundtrip-scope');
    const root = tracer.startSpan('GET /orders', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET' } });
    const child = tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', rows: 3 } }, trace.setSpan(context.active(), root));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'deadlock' });
    child.end();
    root.end();
    const calls = handle.collector.counter({ name: 'rt.calls', unit: '{call}', description: 'calls', labelKeys: ['result'] });
    calls.bind({ result: 'ok' }).add(5);
    const duration = handle.collector.histogram({ name: 'rt.duration', unit: 's', description: 'duration', labelKeys: [], boundaries: [0.1, 1] });
    duration.bind({}).record(0.05);
    duration.bind({}).record(0.5);
    await handle.shutdown();

    const traceLines = (await readFile(join(dir, 'traces.jsonl'), 'utf8')).trim().split('\n');
    expect(traceLines).toHaveLength(1);
    const document = JSON.parse(traceLines[0] as string) as Json;
    expect(Object.keys(document)).toEqual(['resourceSpans']);
    const resource = attrs(document.resourceSpans[0].resource.attributes);
    expect(resource).toMatchObject({
      'service.name': 'roundtrip',
      'service.version': '2.0.0',
      'deployment.environment.name': 'test',
      team: 'core',
      'host.name': hostname(),
      'process.pid': process.pid,
      'process.runtime.name': 'nodejs',
      'os.type': 'linux',
      'telemetry.sdk.name': 'opentelemetry',
      'telemetry.sdk.language': 'nodejs',
    });
    const scopeSpans = document.resourceSpans[0].scopeSpans[0];
    expect(scopeSpans.scope.name).toBe('roundtrip-scope');
    for (const span of scopeSpans.spans as Json[]) {
      expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(span.startTimeUnixNano).toMatch(/^\d+$/);
    }

    const { spans, malformed } = parseLines(traceLines.join('\n'));
    expect(malformed).toBe(0);
    const byName = new Map(spans.map((s) => [s.name, s]));
    expect(byName.get('GET /orders')).toMatchObject({
      traceId: root.spanContext().traceId,
      spanId: root.spanContext().spanId,
      parentSpanId: undefined,
      kind: 'SERVER',
      service: 'roundtrip',
      error: false,
      attributes: { 'http.request.method': 'GET' },
    });
    expect(byName.get('SELECT orders')).toMatchObject({
      traceId: root.spanContext().traceId,
      spanId: child.spanContext().spanId,
      parentSpanId: root.spanContext().spanId,
      kind: 'CLIENT',
      error: true,
      statusMessage: 'deadlock',
      attributes: { 'db.system.name': 'postgresql', rows: 3 },
    });

    // Metric lines are cumulative: the last one carries the final values, equal to the collector's.
    const metricLines = (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n');
    const last = JSON.parse(metricLines.at(-1) as string) as Json;
    expect(Object.keys(last)).toEqual(['resourceMetrics']);
    expect(attrs(last.resourceMetrics[0].resource.attributes)['service.name']).toBe('roundtrip');
    const metrics = (last.resourceMetrics[0].scopeMetrics as Json[]).flatMap((sm) => sm.metrics as Json[]);
    const counter = metrics.find((m) => m.name === 'rt.calls') as Json;
    expect(counter.sum.isMonotonic).toBe(true);
    expect(attrs(counter.sum.dataPoints[0].attributes)).toEqual({ result: 'ok' });
    expect(counter.sum.dataPoints[0].asDouble).toBe(findPoint(handle.collector, 'rt.calls', { result: 'ok' })?.value);
    const histogram = (metrics.find((m) => m.name === 'rt.duration') as Json).histogram.dataPoints[0];
    expect(histogram).toMatchObject({ count: 2, sum: 0.55, explicitBounds: [0.1, 1], bucketCounts: [1, 1, 0] });
  });

  it('an unwritable directory costs telemetry only: shutdown resolves and the spans are counted as dropped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tl-unwritable-'));
    await writeFile(join(dir, 'blocker'), 'a file where the directory should be');
    const handle = startTelemetry({ fileDirectory: join(dir, 'blocker', 'sub'), metricsExporter: 'none', http: false, env: {} });
    const value = trace.getTracer('t').startActiveSpan('work', (span) => {
      span.end();
      return 42;
    });
    expect(value).toBe(42);
    await expect(handle.shutdown()).resolves.toEqual({ timedOut: false, unsentSpans: 0 });
    expect(findPoint(handle.collector, 'threadline.telemetry.dropped', { 'threadline.telemetry.drop_reason': 'span_export_failed' })?.value).toBe(1);
  });
});
