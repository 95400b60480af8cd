import { context, logs, trace } from '@opentelemetry/api';
import { decodeOtlpJsonLogs, findPoint } from '@threadline/core';
import { freePort, runApp, startOtlpReceiver, type OtlpReceiver, type ReceivedLogRecord } from '@threadline/testing';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, startTelemetry } from '../src/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const MARKER = 'PRIVACY-MARKER-7f3a';

interface AppLine {
  msg?: string;
  message?: string;
  trace_id?: string;
  span_id?: string;
  trace_flags?: string;
}

/** The app's own stdout log lines (pino writes `msg`, winston `message`). */
function appLines(stdout: string): AppLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as AppLine)
    .filter((line) => line.msg !== undefined || line.message !== undefined);
}

describe('logs through the pipeline (pino + winston in child-process apps, real OTLP export)', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  const cases = [
    { kind: 'CommonJS', file: 'logs-app.cjs', service: 'logs-cjs', env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } },
    {
      kind: 'ESM (--import @threadline/node/register, http/protobuf)',
      file: 'logs-app.mjs',
      service: 'logs-esm',
      env: { NODE_OPTIONS: '--import @threadline/node/register', OTEL_SERVICE_NAME: 'logs-esm', OTEL_METRICS_EXPORTER: 'none' },
    },
  ];

  for (const app of cases) {
    it(`${app.kind}: records inside a span carry its ids in the app's output and in the logs pipeline; only ids are added`, async () => {
      const run = await runApp(fixture(app.file), {
        env: {
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_LOGS_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
          OTEL_LOG_LEVEL: 'debug',
          PRIVACY_MARKER: MARKER,
          ...app.env,
        },
      });
      expect(run.stdout).toContain('{"done":true}'); // pino writes asynchronously: not necessarily the last line
      const span = (await receiver.waitFor(() => receiver.spans().find((s) => s.serviceName === app.service), 10_000, 'the span'))!;
      const records = await receiver.waitFor(() => {
        const mine = receiver.logs().filter((r) => r.serviceName === app.service);
        return mine.length >= 4 && mine;
      }, 10_000, 'four log records');

      // The app's own stdout lines: ids inside the span, none outside.
      const lines = appLines(run.stdout);
      const line = (text: string) => lines.find((l) => (l.msg ?? l.message) === text);
      for (const inside of ['pino inside', 'winston inside']) {
        expect(line(inside), inside).toMatchObject({ trace_id: span.traceId, span_id: span.spanId, trace_flags: '01' });
      }
      for (const outside of ['pino outside', 'winston outside']) {
        expect(line(outside), outside).toBeDefined();
        expect(line(outside)?.trace_id).toBeUndefined();
      }
      expect(line('winston below the level')).toBeUndefined();

      // The pipeline: the same records, with the span's ids as the record's context.
      const byBody = (body: string) => records.find((r) => r.body === body) as ReceivedLogRecord;
      for (const inside of ['pino inside', 'winston inside']) {
        expect(byBody(inside), inside).toMatchObject({ traceId: span.traceId, spanId: span.spanId, flags: 1, severityNumber: 9 });
      }
      expect(byBody('pino inside').attributes.order).toBe(7);
      expect(byBody('winston inside').attributes.order).toBe(8);
      for (const outside of ['pino outside', 'winston outside']) expect(byBody(outside)).toMatchObject({ traceId: '', spanId: '' });
      expect(records.find((r) => r.body === 'winston below the level')).toBeUndefined();

      // Privacy: the span's attribute never reaches a log record; diag (debug level here) never becomes one.
      expect(span.attributes['app.customer']).toBe(MARKER);
      expect(JSON.stringify(records, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))).not.toContain(MARKER);
      expect(records.filter((r) => String(r.body).includes('threadline') || String(r.body).includes('OTEL'))).toEqual([]);
      for (const l of lines) expect(JSON.stringify(l)).not.toContain('threadline');
    });
  }
});


describe('the logs pipeline in startTelemetry', () => {
  it('OTEL_LOGS_EXPORTER and the option choose the exporters; default file', () => {
    expect(resolveConfig({}, {}).logsExporters).toEqual(['file']);
    expect(resolveConfig({}, { OTEL_LOGS_EXPORTER: 'otlp,console' }).logsExporters).toEqual(['otlp', 'console']);
    expect(resolveConfig({}, { OTEL_LOGS_EXPORTER: 'none' }).logsExporters).toEqual([]);
    expect(resolveConfig({ logsExporter: 'console' }, { OTEL_LOGS_EXPORTER: 'otlp' }).logsExporters).toEqual(['console']);
    expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).otlpLogs.url).toBe('http://c:4318/v1/logs');
    expect(() => resolveConfig({}, { OTEL_LOGS_EXPORTER: 'syslog' })).toThrow(/invalid logsExporter "syslog" \(from OTEL_LOGS_EXPORTER\)/);
  });

  it('file exporter: OTLP-JSON lines in logs.jsonl beside traces.jsonl, with the ids of the active span', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tl-logs-file-'));
    const handle = startTelemetry({ serviceName: 'logs-file', fileDirectory: dir, metricsExporter: 'none', http: false, env: {} });
    const span = trace.getTracer('t').startSpan('with logs');
    context.with(trace.setSpan(context.active(), span), () => logs.getLogger('app').emit({ body: 'inside', severityText: 'info' }));
    span.end();
    logs.getLogger('app').emit({ body: 'outside' });
    await handle.shutdown();
    const records = (await readFile(join(dir, 'logs.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .flatMap((l) => decodeOtlpJsonLogs(JSON.parse(l)));
    expect(records.map((r) => r.body)).toEqual(['inside', 'outside']);
    expect(records[0]).toMatchObject({ serviceName: 'logs-file', traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
    expect(records[1]?.traceId).toBe('');
    expect(await readFile(join(dir, 'traces.jsonl'), 'utf8')).toContain(span.spanContext().spanId);
  });

  it('bounded queue: with the endpoint down every record is either refused at the queue or lost with an export, and counted', async () => {
    const handle = startTelemetry({
      serviceName: 'logs-down',
      tracesExporter: 'none',
      metricsExporter: 'none',
      logsExporter: 'otlp',
      otlpProtocol: 'http/json',
      otlpEndpoint: `http://127.0.0.1:${await freePort()}`,
      otlpTimeoutMillis: 300,
      maxLogQueueSize: 20,
      scheduledDelayMillis: 20,
      http: false,
      env: {},
    });
    const logger = logs.getLogger('app');
    for (let i = 0; i < 500; i++) logger.emit({ body: `record ${i}` });
    await expect(handle.shutdown()).resolves.toEqual({ timedOut: false, unsentSpans: 0 });
    const count = (reason: string) => (findPoint(handle.collector, 'threadline.telemetry.dropped', { 'threadline.telemetry.drop_reason': reason })?.value as number | undefined) ?? 0;
    expect(count('log_queue_full')).toBeGreaterThan(0);
    expect(count('log_queue_full') + count('log_export_failed')).toBe(500);
  });

  it('shutdown() stops waiting for a hanging logs endpoint at its deadline and counts the unsent records', async () => {
    const hanging = createServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      const handle = startTelemetry({
        serviceName: 'logs-hang',
        tracesExporter: 'none',
        metricsExporter: 'none',
        logsExporter: 'otlp',
        otlpProtocol: 'http/json',
        otlpEndpoint: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`,
        shutdownTimeoutMillis: 600,
        http: false,
        env: {},
      });
      for (let i = 0; i < 12; i++) logs.getLogger('app').emit({ body: `record ${i}` });
      const started = performance.now();
      const report = await handle.shutdown();
      expect(performance.now() - started).toBeLessThan(1500);
      expect(report).toEqual({ timedOut: true, unsentSpans: 0 });
      expect(findPoint(handle.collector, 'threadline.telemetry.dropped', { 'threadline.telemetry.drop_reason': 'shutdown_timeout' })?.value).toBe(12);
    } finally {
      hanging.close();
    }
  });
});
