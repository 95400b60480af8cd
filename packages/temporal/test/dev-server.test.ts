import { SpanKind } from '@opentelemetry/api';
import { log as activityLog } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogEntry } from '@temporalio/worker';
import { assertChildOf, describeWithServices, setupTelemetry, startPrivateTemporal, TOOLS, type PrivateTemporal } from '@threadline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalIdGenerator } from '../src/index.js';
import { TemporalPlugin } from '../src/worker-entry.js';
import { STEPPED_PATH } from './helpers.js';

const harness = setupTelemetry({ idGenerator: temporalIdGenerator() });
const logs: LogEntry[] = [];

const describeWithTemporal = await describeWithServices(describe, TOOLS.temporal);

describeWithTemporal('against a real Temporal dev server (polling worker, TemporalPlugin)', () => {
  let server: PrivateTemporal;
  let plugin: TemporalPlugin;
  let result: { greeting: string; ids: (string | undefined)[] };

  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('INFO', (entry) => logs.push(entry)) });
    server = await startPrivateTemporal();
    plugin = new TemporalPlugin();
    // Given once, to the worker's connection: the worker picks it up from there; the client gets it too.
    const connection = await NativeConnection.connect({ address: server.address, plugins: [plugin] });
    const activities = {
      async hello(name: string): Promise<string> {
        activityLog.info('saying hello');
        return `hello ${name}`;
      },
    };
    // maxCachedWorkflows 0: every workflow task replays the history from the start, so the user spans
    // are re-run under replay on every task, and must still be exported exactly once.
    const worker = await Worker.create({ connection, taskQueue: 'user-spans', workflowsPath: STEPPED_PATH, activities, maxCachedWorkflows: 0, plugins: [plugin] });
    const client = new Client({ connection: await Connection.connect({ address: server.address }), plugins: [plugin] });
    result = await worker.runUntil(client.workflow.execute('stepped', { taskQueue: 'user-spans', workflowId: 'order-dev-1', args: ['Ada'] }));
    await connection.close();
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('runs the workflow and exports every span once, in one trace from the client to the activity', () => {
    expect(result.greeting).toBe('hello Ada / step broke');
    const names = harness.spans().map((s) => s.name);
    for (const name of ['StartWorkflow:stepped', 'RunWorkflow:stepped', 'prepare order', 'call hello', 'second step', 'failing step']) {
      expect(names.filter((n) => n === name), name).toHaveLength(1);
    }
    expect(names.filter((n) => n === 'StartActivity:hello')).toHaveLength(2);
    expect(names.filter((n) => n === 'RunActivity:hello')).toHaveLength(2);
    const run = harness.span('RunWorkflow:stepped');
    assertChildOf(run, harness.span('StartWorkflow:stepped'));
    assertChildOf(harness.span('prepare order'), run);
    assertChildOf(harness.span('call hello'), harness.span('prepare order'));
    const first = harness.spansNamed('StartActivity:hello').find((s) => s.parentSpanContext?.spanId === harness.span('call hello').spanContext().spanId);
    expect(first).toBeDefined();
    const activity = harness.spansNamed('RunActivity:hello').find((s) => s.parentSpanContext?.spanId === first?.spanContext().spanId);
    expect(activity?.kind).toBe(SpanKind.SERVER);
    assertChildOf(harness.span('second step'), run);
    // workflowTraceIds() in workflow code outside any user span: the RunWorkflow span.
    expect(result.ids[0]).toBe(run.spanContext().spanId);
  });

  it('puts trace_id / span_id on workflow and activity log records', () => {
    const workflowLine = logs.find((l) => l.message === 'preparing order');
    const activityLine = logs.find((l) => l.message === 'saying hello' && l.meta?.span_id === harness.spansNamed('RunActivity:hello')[0]?.spanContext().spanId);
    const prepare = harness.span('prepare order').spanContext();
    const activity = harness.spansNamed('RunActivity:hello')[0]!.spanContext();
    expect(workflowLine?.meta).toMatchObject({ trace_id: prepare.traceId, span_id: prepare.spanId, trace_flags: '01' });
    expect(activityLine?.meta).toMatchObject({ trace_id: activity.traceId, span_id: activity.spanId, trace_flags: '01' });
    expect(logs.filter((l) => l.message === 'preparing order')).toHaveLength(1);
  });
});
