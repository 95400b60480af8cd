import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendSpan, type TraceBackend } from '../support/backends.js';
import { startApp, type AppProcess } from '../support/processes.js';
import { temporalReachable } from '../support/stack.js';

// Runs only in the e2e suite (`npm run e2e`, which `make otel-e2e` calls after the compose file has
// started a Temporal dev server). `make test` starts none (none installs on the CI machine), and
// the hops of this trace are covered there by packages/temporal (replay, loopback gRPC, activities).
const temporal = await temporalReachable();
if (!temporal.reachable) {
  throw new Error(`no Temporal server answers at ${temporal.address}: run this suite through make otel-e2e, or set TEMPORAL_ADDRESS to a running server`);
}

describe('HTTP → start workflow → activity → fetch is one trace', () => {
  let backend: TraceBackend;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    backend = await selectBackend();
    const env = { ...backend.exporterEnv, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: `orders-${process.pid}` };
    const downstream = await startApp('downstream', { ...env, OTEL_SERVICE_NAME: 'threadline-downstream', OTEL_METRICS_EXPORTER: 'none' });
    processes.push(downstream);
    const downstreamUrl = `http://127.0.0.1:${downstream.ready.port as number}`;
    processes.push(await startApp('temporal-worker', { ...env, OTEL_SERVICE_NAME: 'threadline-temporal-worker', OTEL_METRICS_EXPORTER: 'none', DOWNSTREAM_URL: downstreamUrl }, 90_000));
    processes.push(await startApp('server', { ...env, OTEL_SERVICE_NAME: 'threadline-api', OTEL_METRICS_EXPORTER: 'none' }));
  }, 150_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await backend?.close();
  });

  it('keeps one trace id from the API through the workflow and activity to the downstream server', async () => {
    const api = processes.find((p) => p.name === 'server') as AppProcess;
    const response = await fetch(`http://127.0.0.1:${api.ready.port as number}/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: '7' }),
    });
    expect(response.status).toBe(200);
    const { traceId, result } = (await response.json()) as { traceId: string; result: string };
    expect(result).toBe('notified 7');

    let spans: BackendSpan[] = [];
    const deadline = Date.now() + 30_000;
    while (!spans.some((s) => s.service === 'threadline-downstream') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      spans = await backend.trace(traceId);
    }
    console.log(`checked trace: ${backend.link(traceId)}`);
    const find = (name: string, kind: BackendSpan['kind']) => {
      const span = spans.find((s) => s.name === name && s.kind === kind);
      if (!span) throw new Error(`no ${kind} span "${name}" in trace: ${spans.map((s) => `${s.service}:${s.kind}:${s.name}`).join(', ')}`);
      return span;
    };
    const start = find('StartWorkflow:notifyOrder', 'CLIENT');
    const run = find('RunWorkflow:notifyOrder', 'SERVER');
    const startActivity = find('StartActivity:notifyDownstream', 'CLIENT');
    const runActivity = find('RunActivity:notifyDownstream', 'SERVER');
    const fetchSpan = spans.find((s) => s.service === 'threadline-temporal-worker' && s.kind === 'CLIENT' && s.name === 'POST') as BackendSpan;
    const downstream = spans.find((s) => s.service === 'threadline-downstream' && s.kind === 'SERVER') as BackendSpan;
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
    expect(run.parentSpanId).toBe(start.spanId);
    expect(startActivity.parentSpanId).toBe(run.spanId);
    expect(runActivity.parentSpanId).toBe(startActivity.spanId);
    expect(fetchSpan.parentSpanId).toBe(runActivity.spanId);
    expect(downstream.parentSpanId).toBe(fetchSpan.spanId);
  });
});
