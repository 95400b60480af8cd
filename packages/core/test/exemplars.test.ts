import { context, trace, TraceFlags, type Span } from '@opentelemetry/api';
import { setupTelemetry } from '@threadline/testing';
import { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import { MetricsCollector, createOtelMetricProducer, findPoint, registerPromClientSink, type HistogramValue } from '../src/index.js';

const harness = setupTelemetry();
beforeEach(() => harness.reset());

const spec = { name: 'test.exemplar.duration', unit: 's', labelKeys: ['test.op'] } as const;
const histogramOf = (collector: MetricsCollector) => findPoint(collector, spec.name)?.value as HistogramValue;

/** Runs `record` with a sampled span of its own (as a plugin's operation has) and returns that span's ids. */
function inSpan(name: string, record: (span: Span) => void): { traceId: string; spanId: string } {
  return trace.getTracer('test').startActiveSpan(name, (span) => {
    try {
      record(span);
      return span.spanContext();
    } finally {
      span.end();
    }
  });
}

describe('histogram exemplars', () => {
  it('keep, per bucket, the latest value recorded in a sampled span, with its trace and span id', () => {
    const collector = new MetricsCollector();
    const series = collector.histogram(spec).bind({ 'test.op': 'get' });
    series.record(0.003); // no span: no exemplar
    const first = inSpan('first', (span) => series.record(0.004, span));
    const latest = inSpan('latest', (span) => series.record(0.0045, span));
    const slow = inSpan('slow', (span) => series.record(2, span));
    const { exemplars, boundaries } = histogramOf(collector);
    expect(exemplars).toHaveLength(2); // bounded: one per bucket
    const [fast, slowOne] = exemplars!;
    expect(fast).toMatchObject({ bucket: 0, value: 0.0045, traceId: latest.traceId, spanId: latest.spanId });
    expect(fast!.traceId).not.toBe(first.traceId);
    expect(boundaries[0]).toBeGreaterThanOrEqual(0.0045);
    expect(slowOne).toMatchObject({ value: 2, traceId: slow.traceId, spanId: slow.spanId });
    expect(Math.abs(slowOne!.timeMs - Date.now())).toBeLessThan(5000);
  });

  it('none for a span that is not sampled, and none when the collector is built with exemplars: false', () => {
    const collector = new MetricsCollector();
    const series = collector.histogram(spec).bind({ 'test.op': 'get' });
    const unsampled = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE });
    context.with(trace.setSpan(context.active(), unsampled), () => series.record(0.01, unsampled));
    // The span is the caller's to give: an active sampled span alone is never looked up (no cost on the record path).
    inSpan('active only', () => series.record(0.01));
    expect(histogramOf(collector).count).toBe(2);
    expect(histogramOf(collector).exemplars).toBeUndefined();

    const off = new MetricsCollector({ exemplars: false });
    const offSeries = off.histogram(spec).bind({ 'test.op': 'get' });
    inSpan('sampled', (span) => offSeries.record(0.01, span));
    expect(histogramOf(off).count).toBe(1);
    expect(histogramOf(off).exemplars).toBeUndefined();
  });

  it('the MetricProducer exports them on the data point in the OTel data model shape', async () => {
    const collector = new MetricsCollector();
    const series = collector.histogram(spec).bind({ 'test.op': 'get' });
    const ids = inSpan('op', (span) => series.record(0.2, span));
    const { resourceMetrics } = await createOtelMetricProducer(collector).collect();
    const metrics = (resourceMetrics.scopeMetrics as { metrics: { descriptor: { name: string }; dataPoints: { exemplars?: unknown[] }[] }[] }[]).flatMap((s) => s.metrics);
    const point = metrics.find((m) => m.descriptor.name === spec.name)!.dataPoints[0]!;
    expect(point.exemplars).toEqual([{ filteredAttributes: {}, value: 0.2, timestamp: [expect.any(Number), expect.any(Number)], traceId: ids.traceId, spanId: ids.spanId }]);
  });

  it('the prom-client sink writes them as OpenMetrics exemplars on the bucket line (OpenMetrics registry only)', async () => {
    const collector = new MetricsCollector();
    const series = collector.histogram(spec).bind({ 'test.op': 'get' });
    collector.counter({ name: 'test.exemplar.calls', unit: '{call}', labelKeys: [] }).bind({}).add(2);
    const ids = inSpan('op', (span) => series.record(0.2, span));
    const openMetrics = new Registry();
    openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never);
    const text = new Registry();
    registerPromClientSink(collector, openMetrics);
    registerPromClientSink(collector, text);
    const om = await openMetrics.metrics();
    expect(om).toMatch(new RegExp(`^test_exemplar_duration_bucket\\{test_op="get",le="0\\.25"\\} 1 # \\{trace_id="${ids.traceId}",span_id="${ids.spanId}"\\} 0\\.2 \\d+(\\.\\d+)?$`, 'm'));
    expect(om.match(/ # \{/g)).toHaveLength(1);
    expect(om).toMatch(/^# TYPE test_exemplar_calls counter$/m);
    expect(om).toMatch(/^test_exemplar_calls_total 2$/m);
    expect(om.endsWith('# EOF\n')).toBe(true);
    expect(await text.metrics()).not.toContain('trace_id');
  });
});
