import { describeWithServices, freePort, SERVICES, startPrivatePrometheus, TOOLS, type PrivatePrometheus } from '@threadline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpReceiverBackend, type TraceBackend } from './support/backends.js';
import { startStack, type Stack } from './support/stack.js';

const prometheusEnv = (port: number) => ({ OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1' });

const describeWithPrometheus = await describeWithServices(describe, SERVICES.redis, TOOLS.prometheus);

describeWithPrometheus('exemplars: a sampled request, scraped by a real Prometheus (OpenMetrics, exemplar storage on)', () => {
  let backend: TraceBackend;
  let stack: Stack;
  let prometheus: PrivatePrometheus;

  beforeAll(async () => {
    const apiPort = await freePort();
    const workerPort = await freePort();
    prometheus = await startPrivatePrometheus([`127.0.0.1:${apiPort}`, `127.0.0.1:${workerPort}`]);
    backend = await otlpReceiverBackend();
    stack = await startStack(backend, { server: prometheusEnv(apiPort), worker: prometheusEnv(workerPort) });
  });

  afterAll(async () => {
    await stack?.stop();
    await backend?.close();
    await prometheus?.stop();
  });

  it('leaves its trace id on db.client.operation.duration (api), messaging.process.duration and http.client.request.duration (worker)', async () => {
    const response = await fetch(`${stack.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'c-7', item: 'pen', quantity: 1 }),
    });
    expect(response.status).toBe(201);
    const { traceId } = (await response.json()) as { traceId: string };

    const metrics = ['db_client_operation_duration_bucket', 'messaging_process_duration_bucket', 'http_client_request_duration_bucket'];
    const found = new Map<string, { series: Record<string, string>; labels: Record<string, string>; value: number }>();
    const deadline = Date.now() + 30_000;
    while (found.size < metrics.length && Date.now() < deadline) {
      for (const metric of metrics) {
        if (found.has(metric)) continue;
        const exemplar = (await prometheus.exemplars(metric)).find((e) => e.labels.trace_id === traceId);
        if (exemplar) found.set(metric, exemplar);
      }
      if (found.size < metrics.length) await new Promise((r) => setTimeout(r, 500));
    }
    expect([...found.keys()].sort()).toEqual([...metrics].sort());
    for (const [metric, exemplar] of found) {
      expect(exemplar.labels.span_id, metric).toMatch(/^[0-9a-f]{16}$/);
      expect(exemplar.value, metric).toBeGreaterThan(0);
      expect(Number(exemplar.series.le), metric).toBeGreaterThanOrEqual(exemplar.value);
    }
    expect(found.get('db_client_operation_duration_bucket')?.series.job).toBe('threadline');
    // The collector's series (the http instrumentation's SDK histogram of the same name carries no exemplars).
    expect(found.get('http_client_request_duration_bucket')?.series.otel_scope_name).toBe('@threadline/fetch');
  });
});
