import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { assertChildOf, setupTelemetry } from '@threadline/testing';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWorkerTelemetry } from '../src/worker-entry.js';
import { buildHistory } from './history.js';
import { PARENT, PROBE_MODULE, STEPPED_PATH, providerWithIds, traceparent } from './helpers.js';

const harness = setupTelemetry();
const logger = new DefaultLogger('ERROR');
let bundle: WorkflowBundleWithSourceMap;
let headers: { activityType: string; carrier: Record<string, string> | undefined }[] = [];
let logs: { message: string; attributes: Record<string, unknown> }[] = [];

beforeAll(async () => {
  Runtime.install({ logger });
  const { workflowModules } = createWorkerTelemetry().interceptors;
  bundle = await bundleWorkflowCode({ workflowsPath: STEPPED_PATH, workflowInterceptorModules: [...workflowModules, PROBE_MODULE], logger });
});

beforeEach(() => {
  harness.reset();
  headers = [];
  logs = [];
});

// Replaces the worker's workflow-logger sink (silent during replay; given under its deprecated name
// defaultWorkerLogger, as the reserved __temporal_logger cannot be) to see the records
// the workflow's `log` produces in the sandbox, attributes from the interceptors included.
const logSink = { fn: (_info: unknown, message: unknown, attributes: unknown) => void logs.push({ message: String(message), attributes: attributes as Record<string, unknown> }), callDuringReplay: true };
const loggerSinks = { trace: logSink, debug: logSink, info: logSink, warn: logSink, error: logSink };

const history = buildHistory({
  workflowType: 'stepped',
  input: 'Ada',
  startHeader: { traceparent: traceparent(PARENT.traceId, PARENT.spanId) },
  steps: [{ activity: { type: 'hello', result: 'hello Ada' } }, { activity: { type: 'hello', result: 'hello again' } }],
  outcome: { result: 'unused by replay' },
});

async function replay(exportDuringReplay: boolean): Promise<ReadableSpan[]> {
  const telemetry = createWorkerTelemetry({ tracerProvider: providerWithIds(harness), exportDuringReplay });
  const probe = {
    header: { fn: (_info: unknown, ...args: unknown[]) => void headers.push({ activityType: args[0] as string, carrier: args[1] as Record<string, string> }), callDuringReplay: true },
    random: { fn: () => undefined, callDuringReplay: true },
  };
  const before = harness.spans().length;
  await Worker.runReplayHistory({ workflowBundle: bundle, sinks: { ...telemetry.sinks, probe, defaultWorkerLogger: loggerSinks } }, history, 'order-7');
  return harness.spans().slice(before);
}

const ids = (spans: ReadableSpan[]) => spans.map((s) => `${s.name} ${s.spanContext().traceId}/${s.spanContext().spanId} <- ${s.parentSpanContext?.spanId ?? '-'} @${String(s.startTime)}`).sort();

describe('withSpan inside workflow code (@threadline/temporal/workflow)', () => {
  it('nests user spans under RunWorkflow, activities under the user span, with the caller trace', async () => {
    await replay(true);
    const run = harness.span('RunWorkflow:stepped');
    const prepare = harness.span('prepare order');
    const call = harness.span('call hello');
    const start = harness.spansNamed('StartActivity:hello').find((s) => s.parentSpanContext?.spanId === call.spanContext().spanId)!;
    expect(run.spanContext().traceId).toBe(PARENT.traceId);
    expect(prepare.kind).toBe(SpanKind.INTERNAL);
    assertChildOf(prepare, run);
    assertChildOf(call, prepare);
    assertChildOf(start, call);
    expect(prepare.attributes['test.step']).toBe('prepare');
    expect(call.attributes['test.step']).toBe('hello');
    assertChildOf(harness.span('second step'), run);
    // The activity is started under the user's span: its header names StartActivity, whose parent is `call hello`.
    expect(headers[0]?.carrier?.traceparent).toBe(traceparent(PARENT.traceId, start.spanContext().spanId));
  });

  it('records a throwing step as an error span and rethrows to the workflow', async () => {
    await replay(true);
    const failing = harness.span('failing step');
    expect(failing.status.code).toBe(SpanStatusCode.ERROR);
    expect(failing.attributes['error.type']).toBe('TypeError');
    assertChildOf(failing, harness.span('RunWorkflow:stepped'));
    expect(harness.span('RunWorkflow:stepped').status.code).toBe(SpanStatusCode.UNSET);
  });

  it('makes the same spans (ids, parents, times) when the same history is replayed twice', async () => {
    const first = await replay(true);
    const second = await replay(true);
    expect(first.map((s) => s.name).sort()).toEqual(['RunWorkflow:stepped', 'StartActivity:hello', 'StartActivity:hello', 'call hello', 'failing step', 'prepare order', 'second step']);
    expect(ids(second)).toEqual(ids(first));
  });

  it('workflow log records carry trace_id / span_id of the user span they run in, the same on every replay', async () => {
    await replay(true);
    const prepare = harness.span('prepare order').spanContext();
    const line = logs.find((l) => l.message === 'preparing order');
    expect(line?.attributes).toMatchObject({ trace_id: PARENT.traceId, span_id: prepare.spanId, trace_flags: '01' });
    await replay(false);
    expect(logs.filter((l) => l.message === 'preparing order').map((l) => l.attributes.span_id)).toEqual([prepare.spanId, prepare.spanId]);
  });

  it('exports nothing while replaying with the default exportDuringReplay: false (no duplicates)', async () => {
    expect(await replay(false)).toEqual([]);
    expect(headers.length).toBe(2);
  });
});
