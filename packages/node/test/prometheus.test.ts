import { trace } from '@opentelemetry/api';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startTelemetry } from '../src/index.js';
import { parseLines } from '../src/viewer/spans.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function scrape(port: number, headers: Record<string, string> = {}): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers })).text();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50)); // the scrape server starts asynchronously
    }
  }
}

it('prometheus: the collector is served on the scrape endpoint with no extra call, and scrapes are not traced', async () => {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'tl-prom-'));
  const handle = startTelemetry({
    serviceName: 'prom',
    tracesExporter: 'file',
    fileDirectory: dir,
    metricsExporter: 'prometheus',
    prometheusPort: port,
    prometheusHost: '127.0.0.1',
    env: {},
  });
  try {
    const calls = handle.collector.counter({ name: 'prom.calls', unit: '{call}', description: 'calls', labelKeys: ['result'] });
    calls.bind({ result: 'ok' }).add(4);
    expect(await scrape(port)).toMatch(/^prom_calls_total\{result="ok"(,[^}]*)?\} 4$/m);
    trace.getTracer('t').startSpan('app work').end();
  } finally {
    await handle.shutdown();
  }
  const { spans } = parseLines(await readFile(join(dir, 'traces.jsonl'), 'utf8'));
  expect(spans.map((s) => s.name)).toEqual(['app work']);
});

it('prometheus: a scraper asking for OpenMetrics gets it, with the exemplar of a sampled span on its bucket line', async () => {
  const port = await freePort();
  // A trace exporter, so spans are sampled (with none, the SDK registers no tracer provider).
  const fileDirectory = await mkdtemp(join(tmpdir(), 'tl-prom-om-'));
  const handle = startTelemetry({ serviceName: 'prom-om', fileDirectory, metricsExporter: 'prometheus', prometheusPort: port, prometheusHost: '127.0.0.1', http: false, env: {} });
  try {
    handle.collector.counter({ name: 'test.om.calls', unit: '{call}', description: 'calls', labelKeys: [] }).bind({}).add(3);
    const series = handle.collector.histogram({ name: 'test.om.duration', unit: 's', description: 'duration', labelKeys: ['test.op'] }).bind({ 'test.op': 'get' });
    series.record(0.5); // outside a span: counted, no exemplar
    const ids = trace.getTracer('t').startActiveSpan('sampled', (span) => {
      series.record(0.02, span);
      span.end();
      return span.spanContext();
    });
    const accept = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    const om = await scrape(port, { accept });
    expect(om).toMatch(new RegExp(`^test_om_duration_bucket\\{test_op="get",otel_scope_name="@threadline/core",otel_scope_version="[^"]+",le="0\\.025"\\} 1 # \\{trace_id="${ids.traceId}",span_id="${ids.spanId}"\\} 0\\.02 \\d+\\.\\d{3}$`, 'm'));
    expect(om.match(/ # \{/g)).toHaveLength(1);
    expect(om).toMatch(/^test_om_duration_count\{test_op="get",otel_scope_name="@threadline\/core",otel_scope_version="[^"]+"\} 2$/m);
    expect(om).toMatch(/^# TYPE test_om_calls counter\n# HELP test_om_calls calls\ntest_om_calls_total\{otel_scope_name="@threadline\/core",otel_scope_version="[^"]+"\} 3$/m);
    expect(om).toMatch(/^target_info\{service_name="prom-om",/m);
    expect(om).not.toContain('\n\n'); // OpenMetrics has no blank lines
    expect(om.endsWith('\n# EOF\n')).toBe(true);
    const text = await scrape(port);
    expect(text).toMatch(/^test_om_calls_total\{otel_scope_name="@threadline\/core",otel_scope_version="[^"]+"\} 3$/m);
    expect(text).not.toContain('trace_id');
  } finally {
    await handle.shutdown();
  }
});
