import { trace } from '@opentelemetry/api';
import { startOtlpReceiver, type OtlpReceiver } from '@threadline/testing';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTelemetry } from '../src/index.js';

describe('OTLP export (real exporters to an in-process OTLP/HTTP receiver)', () => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('shutdown() flushes 600 queued spans (more than one batch): every one reaches the receiver', async () => {
    const handle = startTelemetry({
      serviceName: 'flush-test',
      tracesExporter: 'otlp',
      metricsExporter: 'none',
      otlpProtocol: 'http/json',
      otlpEndpoint: receiver.endpoint,
      scheduledDelayMillis: 60_000,
      http: false,
      env: {},
    });
    const tracer = trace.getTracer('flush');
    const ids = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const span = tracer.startSpan(`op ${i}`);
      ids.add(span.spanContext().spanId);
      span.end();
    }
    // Nothing is exported before shutdown except full batches (512): the rest waits in the queue.
    const first = handle.shutdown();
    const second = handle.shutdown();
    expect(second).toBe(first);
    await first;
    const received = receiver.spans().filter((s) => s.serviceName === 'flush-test');
    expect(received).toHaveLength(600);
    expect(new Set(received.map((s) => s.spanId))).toEqual(ids);
    expect(receiver.rejected).toBe(0);
    await expect(handle.shutdown()).resolves.toEqual({ timedOut: false, unsentSpans: 0 });
  });

  it('an exporter list sends every span and metric to each exporter (otlp + file)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tl-exporter-list-'));
    const handle = startTelemetry({
      serviceName: 'exporter-list',
      fileDirectory: dir,
      otlpProtocol: 'http/json',
      otlpEndpoint: receiver.endpoint,
      http: false,
      env: { OTEL_TRACES_EXPORTER: 'otlp,file', OTEL_METRICS_EXPORTER: 'file,otlp' },
    });
    trace.getTracer('list').startSpan('to both').end();
    handle.collector.counter({ name: 'test.list.calls', unit: '{call}', description: 'calls', labelKeys: [] }).bind({}).add(3);
    await handle.shutdown();

    expect(receiver.spans().map((s) => s.name)).toEqual(['to both']);
    expect(receiver.latestPoint('test.list.calls', {}, 'exporter-list')?.value).toBe(3);
    expect(await readFile(join(dir, 'traces.jsonl'), 'utf8')).toContain('"name":"to both"');
    expect(await readFile(join(dir, 'metrics.jsonl'), 'utf8')).toContain('"name":"test.list.calls"');
  });

  it('a second startTelemetry() while one runs throws and says what to do; after shutdown() it starts again', async () => {
    const options = { tracesExporter: 'otlp', metricsExporter: 'none', otlpProtocol: 'http/json', otlpEndpoint: receiver.endpoint, http: false, env: {} } as const;
    const first = startTelemetry({ ...options, serviceName: 'first' });
    expect(() => startTelemetry({ ...options, serviceName: 'second' })).toThrow(/already running in this process; call shutdown\(\)/);
    await first.shutdown();
    const again = startTelemetry({ ...options, serviceName: 'again' });
    trace.getTracer('restart').startSpan('after restart').end();
    await again.shutdown();
    expect(receiver.spans().map((s) => `${s.serviceName}:${s.name}`)).toEqual(['again:after restart']);
  });

  it('forceFlush() exports spans and the core collector metrics over OTLP', async () => {
    const handle = startTelemetry({
      serviceName: 'collector-wiring',
      tracesExporter: 'otlp',
      metricsExporter: 'otlp',
      otlpProtocol: 'http/json',
      otlpEndpoint: receiver.endpoint,
      http: false,
      env: {},
    });
    try {
      trace.getTracer('wiring').startSpan('wired').end();
      const calls = handle.collector.counter({ name: 'test.wiring.calls', unit: '{call}', description: 'calls', labelKeys: ['result'] });
      calls.bind({ result: 'ok' }).add(7);
      await handle.forceFlush();
      expect(receiver.spans().map((s) => s.name)).toContain('wired');
      const point = receiver.latestPoint('test.wiring.calls', { result: 'ok' }, 'collector-wiring');
      expect(point?.type).toBe('sum');
      expect(point?.value).toBe(7);
    } finally {
      await handle.shutdown();
    }
  });

  it('http/protobuf: the default protocol posts protobuf to /v1/traces (names travel as UTF-8 bytes)', async () => {
    const requests: { url?: string; type?: string; body: Buffer }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({ url: req.url, type: req.headers['content-type'], body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const handle = startTelemetry({
      serviceName: 'proto-test',
      tracesExporter: 'otlp',
      metricsExporter: 'none',
      otlpEndpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      http: false,
      env: {},
    });
    trace.getTracer('proto').startSpan('protobuf-span-name').end();
    await handle.shutdown();
    await new Promise((resolve) => server.close(resolve));
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe('/v1/traces');
    expect(requests[0]?.type).toBe('application/x-protobuf');
    expect(requests[0]?.body.includes(Buffer.from('protobuf-span-name'))).toBe(true);
    expect(requests[0]?.body.includes(Buffer.from('proto-test'))).toBe(true);
  });
});
