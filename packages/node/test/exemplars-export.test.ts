import { trace } from '@opentelemetry/api';
import { startOtlpReceiver } from '@threadline/testing';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startTelemetry } from '../src/index.js';
import { startOtlpGrpcReceiver } from './support/otlp-grpc-receiver.js';

it.each(['http/json', 'http/protobuf'] as const)('exemplars leave as OTLP exemplars over %s and in metrics.jsonl (the SDK serializers alone drop them)', async (otlpProtocol) => {
  const receiver = await startOtlpReceiver();
  const fileDirectory = await mkdtemp(join(tmpdir(), 'tl-exemplars-'));
  try {
    const handle = startTelemetry({
      serviceName: 'exemplars',
      fileDirectory,
      metricsExporter: ['otlp', 'file'],
      otlpProtocol,
      otlpEndpoint: receiver.endpoint,
      http: false,
      env: {},
    });
    const series = handle.collector.histogram({ name: 'test.exemplar.duration', unit: 's', labelKeys: ['test.op'] }).bind({ 'test.op': 'get' });
    series.record(3); // no span: counted only
    const ids = trace.getTracer('t').startActiveSpan('sampled', (span) => {
      series.record(0.02, span);
      span.end();
      return span.spanContext();
    });
    await handle.shutdown();
    const point = receiver.latestPoint('test.exemplar.duration', { 'test.op': 'get' }, 'exemplars');
    expect(point?.value).toBe(2);
    expect(point?.exemplars).toEqual([{ traceId: ids.traceId, spanId: ids.spanId, value: 0.02 }]);
    expect(receiver.rejected).toBe(0);
    const lines = (await readFile(join(fileDirectory, 'metrics.jsonl'), 'utf8')).trim().split('\n');
    const written = JSON.stringify(JSON.parse(lines.at(-1) as string));
    expect(written).toContain(`"exemplars":[{"timeUnixNano":"`);
    expect(written).toContain(`"asDouble":0.02,"traceId":"${ids.traceId}","spanId":"${ids.spanId}"`);
  } finally {
    await receiver.close();
  }
});

it('exemplars leave as OTLP exemplars over grpc (the protobuf bytes the grpc exporter sends carry them)', async () => {
  const receiver = await startOtlpGrpcReceiver();
  try {
    const handle = startTelemetry({ serviceName: 'exemplars-grpc', metricsExporter: 'otlp', tracesExporter: 'otlp', otlpProtocol: 'grpc', otlpEndpoint: receiver.endpoint, http: false, env: {} });
    const series = handle.collector.histogram({ name: 'test.exemplar.duration', unit: 's', labelKeys: ['test.op'] }).bind({ 'test.op': 'get' });
    series.record(3);
    const ids = trace.getTracer('t').startActiveSpan('sampled', (span) => {
      series.record(0.02, span);
      span.end();
      return span.spanContext();
    });
    await handle.shutdown();
    const metricExports = receiver.received.filter((call) => call.signal === 'metrics');
    const latest = metricExports.flatMap((call) => histogramPoints(call.document, 'test.exemplar.duration')).at(-1);
    expect(latest?.exemplars, JSON.stringify(metricExports.map((call) => call.document))).toEqual([expect.objectContaining({ asDouble: 0.02, traceId: ids.traceId, spanId: ids.spanId })]);
  } finally {
    await receiver.close();
  }
});

type Json = Record<string, unknown>;

function histogramPoints(document: Json, name: string): { exemplars?: Json[] }[] {
  const all = (document.resourceMetrics as Json[] | undefined) ?? [];
  return all.flatMap((rm) =>
    ((rm.scopeMetrics as Json[] | undefined) ?? []).flatMap((sm) =>
      ((sm.metrics as Json[] | undefined) ?? []).filter((m) => m.name === name).flatMap((m) => ((m.histogram as Json | undefined)?.dataPoints as { exemplars?: Json[] }[] | undefined) ?? []),
    ),
  );
}
