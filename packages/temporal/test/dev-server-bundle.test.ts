// Its own file: Temporal allows one Runtime per process, and this one is the plugin's (metrics bridge).
import { SpanKind, trace } from '@opentelemetry/api';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import { assertChildOf, describeWithServices, setupTelemetry, startPrivateTemporal, TOOLS, type PrivateTemporal, type ReadableSpan } from '@threadline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalIdGenerator } from '../src/index.js';
import { TemporalPlugin } from '../src/worker-entry.js';
import { STEPPED_PATH } from './helpers.js';

const harness = setupTelemetry({ idGenerator: temporalIdGenerator() });
const describeWithTemporal = await describeWithServices(describe, TOOLS.temporal);
const TASK_QUEUE = 'prebuilt-bundle';

describeWithTemporal('a prebuilt workflowBundle and the metrics bridge on a real Temporal dev server (TemporalPlugin)', () => {
  let server: PrivateTemporal;
  let plugin: TemporalPlugin;
  let request: ReadableSpan;
  let result: { greeting: string };

  beforeAll(async () => {
    server = await startPrivateTemporal();
    const logger = new DefaultLogger('WARN');
    // metrics: the plugin installs the Runtime with its MetricsBuffer when the NativeConnection is made.
    plugin = new TemporalPlugin({ metrics: { intervalMs: 60_000, runtimeOptions: { logger } } });
    const connection = await NativeConnection.connect({ address: server.address, plugins: [plugin] });
    // Built apart from the Worker, as a deployment would (e.g. at build time), with the plugin.
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: STEPPED_PATH, plugins: [plugin], logger });
    const activities = { hello: async (name: string) => `hello ${name}` };
    const worker = await Worker.create({ connection, taskQueue: TASK_QUEUE, workflowBundle, activities, plugins: [plugin] });
    const client = new Client({ connection: await Connection.connect({ address: server.address }), plugins: [plugin] });
    await trace.getTracer('test').startActiveSpan('POST /orders', async (span) => {
      try {
        result = await worker.runUntil(client.workflow.execute('stepped', { taskQueue: TASK_QUEUE, workflowId: 'order-bundle-1', args: ['Bo'] }));
      } finally {
        span.end();
      }
    });
    request = harness.span('POST /orders');
    await connection.close();
  }, 120_000);

  afterAll(async () => {
    plugin?.metricsBridge?.stop();
    await server?.stop();
  });

  it('workflow spans from the prebuilt bundle join the client trace', () => {
    expect(result.greeting).toBe('hello Bo / step broke');
    const start = harness.span('StartWorkflow:stepped');
    assertChildOf(start, request);
    const run = harness.span('RunWorkflow:stepped');
    expect(run.kind).toBe(SpanKind.SERVER);
    assertChildOf(run, start);
    assertChildOf(harness.span('prepare order'), run);
    assertChildOf(harness.span('call hello'), harness.span('prepare order'));
    const activities = harness.spansNamed('RunActivity:hello');
    expect(activities).toHaveLength(2);
    for (const activity of activities) expect(activity.spanContext().traceId).toBe(request.spanContext().traceId);
  });

  it("the SDK's Core metrics reach the threadline collector through the plugin's bridge", async () => {
    const bridge = plugin.metricsBridge;
    expect(bridge).toBeDefined();
    bridge?.flush();
    const completed = await harness.metricPoint<number>('temporal_workflow_completed', { workflow_type: 'stepped', task_queue: TASK_QUEUE, namespace: 'default' });
    expect(completed.value).toBe(1);
    const activityLatency = await harness.metricPoint<{ count: number; sum: number }>('temporal_activity_execution_latency', { activity_type: 'hello', task_queue: TASK_QUEUE });
    expect(activityLatency.value.count).toBe(2);
    expect(activityLatency.value.sum).toBeGreaterThan(0);
  });
});
