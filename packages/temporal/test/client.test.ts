import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import * as grpc from '@grpc/grpc-js';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { assertChildOf, setupTelemetry, type ReadableSpan } from '@threadline/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClientInterceptors } from '../src/index.js';
import { FakeTemporalServer } from './fake-server.js';

const harness = setupTelemetry();
const ok = (value: unknown) => ({ payloads: [defaultPayloadConverter.toPayload(value)] });
const execution = { workflowId: 'order-42', runId: 'run-1' };
const updateDone = (request: Record<string, unknown>) => ({
  updateRef: { workflowExecution: execution, updateId: (request as { request: { meta: { updateId: string } } }).request.meta.updateId },
  outcome: { success: ok('done') },
  stage: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED',
});

const server = new FakeTemporalServer({
  StartWorkflowExecution: () => ({ runId: 'run-1', started: true }),
  SignalWorkflowExecution: () => ({}),
  SignalWithStartWorkflowExecution: () => ({ runId: 'run-2', started: true }),
  QueryWorkflow: (request) =>
    (request as { query: { queryType: string } }).query.queryType === 'broken'
      ? { error: { code: grpc.status.INVALID_ARGUMENT, details: 'query handler threw' } }
      : { queryResult: ok('pong') },
  UpdateWorkflowExecution: updateDone,
  ExecuteMultiOperation: (request) => ({
    responses: [
      { startWorkflow: { runId: 'run-3', started: true } },
      { updateWorkflow: updateDone((request as { operations: Record<string, unknown>[] }).operations[1]?.updateWorkflow as Record<string, unknown>) },
    ],
  }),
  TerminateWorkflowExecution: () => ({}),
  RequestCancelWorkflowExecution: () => ({}),
});
let connection: Connection;
let client: Client;

beforeAll(async () => {
  connection = await Connection.connect({ address: await server.start() });
  client = new Client({ connection, interceptors: createClientInterceptors() });
});
afterAll(async () => {
  await connection?.close();
  await server.stop();
});
beforeEach(() => {
  harness.reset();
  server.requests.length = 0;
});

function carrierOf(header: unknown): Record<string, string> {
  const payload = (header as { fields?: Record<string, Payload> } | undefined)?.fields?.['_tracer-data'];
  if (!payload) throw new Error('no _tracer-data header on the request');
  return defaultPayloadConverter.fromPayload(payload);
}
const traceparentOf = (span: ReadableSpan) => `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;
const underParent = <T>(fn: () => Promise<T>) => trace.getTracer('test').startActiveSpan('http', async (span) => { try { return await fn(); } finally { span.end(); } });

describe('client interceptors over real gRPC to a loopback WorkflowService', () => {
  it('start: a CLIENT span under the caller, its context in the _tracer-data header as a JSON payload', async () => {
    await underParent(() => client.workflow.start('greet', { workflowId: 'order-42', taskQueue: 'orders', args: ['Ada'] }));
    const start = harness.span('StartWorkflow:greet');
    expect(start.kind).toBe(SpanKind.CLIENT);
    assertChildOf(start, harness.span('http'));
    expect(start.attributes).toMatchObject({ 'threadline.temporal.workflow.type': 'greet', 'threadline.temporal.workflow.id': 'order-42', 'threadline.temporal.task_queue': 'orders' });
    const header = (server.request('StartWorkflowExecution').header as { fields: Record<string, Payload> }).fields['_tracer-data'];
    // The exact wire format Go and @temporalio/interceptors-opentelemetry read: json/plain of a text map.
    expect(Buffer.from(header?.metadata?.encoding as Uint8Array).toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(header?.data as Uint8Array).toString())).toEqual({ traceparent: traceparentOf(start) });
  });

  it('signal, query and update: spans named by handler, each request carrying its own span', async () => {
    const handle = client.workflow.getHandle('order-42', 'run-1');
    await handle.signal('poke', 'Grace');
    expect(await handle.query('status')).toBe('pong');
    expect(await handle.executeUpdate('approve', { args: [1] })).toBe('done');
    for (const [name, method] of [['SignalWorkflow:poke', 'SignalWorkflowExecution'], ['QueryWorkflow:status', 'QueryWorkflow'], ['UpdateWorkflow:approve', 'UpdateWorkflowExecution']] as const) {
      const span = harness.span(name);
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.attributes['threadline.temporal.workflow.id']).toBe('order-42');
      const request = server.request(method) as { header?: unknown; query?: { header?: unknown }; request?: { input?: { header?: unknown } } };
      const header = request.header ?? request.query?.header ?? request.request?.input?.header;
      expect(carrierOf(header).traceparent).toBe(traceparentOf(span));
    }
  });

  it('signal-with-start and update-with-start inject into every header they send', async () => {
    await client.workflow.signalWithStart('greet', { workflowId: 'order-43', taskQueue: 'orders', args: ['Ada'], signal: 'poke', signalArgs: ['Grace'] });
    const sws = harness.span('SignalWithStartWorkflow:greet');
    expect(carrierOf(server.request('SignalWithStartWorkflowExecution').header).traceparent).toBe(traceparentOf(sws));

    const startWorkflowOperation = new WithStartWorkflowOperation('greet', { workflowId: 'order-44', taskQueue: 'orders', args: ['Ada'], workflowIdConflictPolicy: 'USE_EXISTING' });
    expect(await client.workflow.executeUpdateWithStart('approve', { args: [1], startWorkflowOperation })).toBe('done');
    const uws = harness.span('UpdateWithStartWorkflow:greet');
    const [start, update] = (server.request('ExecuteMultiOperation') as { operations: { startWorkflow?: { header?: unknown }; updateWorkflow?: { request?: { input?: { header?: unknown } } } }[] }).operations;
    expect(carrierOf(start?.startWorkflow?.header).traceparent).toBe(traceparentOf(uws));
    expect(carrierOf(update?.updateWorkflow?.request?.input?.header).traceparent).toBe(traceparentOf(uws));
  });

  it('terminate and cancel get spans (their requests have no header field)', async () => {
    const handle = client.workflow.getHandle('order-42');
    await handle.terminate('done here');
    await handle.cancel();
    expect(harness.span('TerminateWorkflow').kind).toBe(SpanKind.CLIENT);
    expect(harness.span('CancelWorkflow').attributes['threadline.temporal.workflow.id']).toBe('order-42');
  });

  it('a failing call keeps its original error, marks the span ERROR and records the duration by result', async () => {
    const failure = await client.workflow.getHandle('order-42').query('broken').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain('query handler threw');
    const span = harness.span('QueryWorkflow:broken');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe((failure as Error).name);
    const duration = await harness.metricPoint<{ count: number }>('threadline.temporal.client.operation.duration', { 'threadline.temporal.operation': 'query', 'threadline.result': 'error' });
    expect(duration.value.count).toBe(1);
  });

  it('a disabled instrumentation passes calls through with no span and no header', async () => {
    const plain = new Client({ connection, interceptors: createClientInterceptors({ enabled: false }) });
    await plain.workflow.start('greet', { workflowId: 'order-45', taskQueue: 'orders', args: ['Ada'] });
    expect(harness.spans()).toEqual([]);
    expect((server.request('StartWorkflowExecution').header as { fields?: Record<string, unknown> } | undefined)?.fields?.['_tracer-data']).toBeUndefined();
  });

  it('setup mistakes throw at construction with what to change', () => {
    expect(() => createClientInterceptors({ enabled: 'yes' as never })).toThrow(/"enabled" must be a boolean/);
    expect(() => createClientInterceptors({ tracerProvider: {} as never })).toThrow(/tracerProvider/);
  });
});
