import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusNames, selectBackend, waitForMetric, type BackendSpan, type TraceBackend } from '../support/backends.js';
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
  const taskQueue = `orders-${process.pid}-${Date.now().toString(36)}`;

  beforeAll(async () => {
    backend = await selectBackend();
    const env = { ...backend.exporterEnv, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: taskQueue };
    // With Jaeger, Prometheus scrapes the worker (9466): the core metrics only a polling worker makes.
    const workerMetrics: Record<string, string> = backend.name === 'jaeger' ? { OTEL_EXPORTER_PROMETHEUS_PORT: '9466' } : {};
    const downstream = await startApp('downstream', { ...env, OTEL_SERVICE_NAME: 'threadline-downstream', OTEL_METRICS_EXPORTER: 'none' });
    processes.push(downstream);
    const downstreamUrl = `http://127.0.0.1:${downstream.ready.port as number}`;
    processes.push(await startApp('temporal-worker', { ...env, OTEL_SERVICE_NAME: 'threadline-temporal-worker', ...workerMetrics, DOWNSTREAM_URL: downstreamUrl }, 90_000));
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

  it('bridges the Temporal core metrics of the polling worker: counts equal what the app did', async () => {
    const worker = 'threadline-temporal-worker';
    const onQueue = { task_queue: taskQueue };
    // The first test ran one workflow with one activity on this task queue.
    const completed = await waitForMetric(backend, worker, 'temporal_workflow_completed', onQueue, (v) => v >= 1);
    const activities = await waitForMetric(backend, worker, 'temporal_activity_execution_latency', { ...onQueue, activity_type: 'notifyDownstream' }, (v) => v >= 1);
    const workflowTasks = await waitForMetric(backend, worker, 'temporal_workflow_task_execution_latency', onQueue, (v) => v >= 2);
    const stored = backend.name === 'jaeger' ? await prometheusNames(process.env.PROMETHEUS_URL ?? 'http://localhost:9090', worker) : [];
    const names = stored.filter((n) => n.startsWith('temporal_')).join(', ');
    expect(completed, `temporal_workflow_completed for ${taskQueue}; Prometheus holds: ${names}`).toBe(1);
    expect(activities, `activity executions; Prometheus holds: ${names}`).toBe(1);
    // Start → schedule activity, then activity result → complete: two workflow tasks at least.
    expect(workflowTasks, `workflow task executions; Prometheus holds: ${names}`).toBeGreaterThanOrEqual(2);
  });
});
