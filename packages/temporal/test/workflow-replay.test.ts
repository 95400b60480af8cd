import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { assertChildOf, expectNoMarkers, setupTelemetry } from '@threadline/testing';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWorkerTelemetry } from '../src/worker-entry.js';
import { buildHistory, buildUpdateHistory, type HistoryOptions } from './history.js';
import { PARENT, PROBE_MODULE, WORKFLOWS_PATH, providerWithIds, traceparent } from './helpers.js';

const harness = setupTelemetry();
const logger = new DefaultLogger('ERROR');
let traced: WorkflowBundleWithSourceMap;
let untraced: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  Runtime.install({ logger });
  const { workflowModules } = createWorkerTelemetry().interceptors;
  [traced, untraced] = await Promise.all([
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [...workflowModules, PROBE_MODULE], logger }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [PROBE_MODULE], logger }),
  ]);
});

beforeEach(() => harness.reset());

interface Probe {
  headers: { activityType: string; carrier: Record<string, string> | undefined }[];
  randoms: number[][];
}

async function replay(
  history: unknown,
  options: { exportDuringReplay?: boolean; bundle?: WorkflowBundleWithSourceMap; idGenerator?: boolean; recordErrorMessages?: boolean } = {},
): Promise<Probe> {
  const probe: Probe = { headers: [], randoms: [] };
  const telemetry = createWorkerTelemetry({
    tracerProvider: providerWithIds(harness, options.idGenerator !== false),
    exportDuringReplay: options.exportDuringReplay ?? true,
    ...(options.recordErrorMessages === undefined ? {} : { recordErrorMessages: options.recordErrorMessages }),
  });
  await Worker.runReplayHistory(
    {
      workflowBundle: options.bundle ?? traced,
      sinks: {
        ...telemetry.sinks,
        probe: {
          header: {
            fn: (_info, ...args: unknown[]) => {
              probe.headers.push({ activityType: args[0] as string, carrier: args[1] as Record<string, string> | undefined });
            },
            callDuringReplay: true,
          },
          random: {
            fn: (_info, ...args: unknown[]) => {
              probe.randoms.push(args[0] as number[]);
            },
            callDuringReplay: true,
          },
        },
      },
    },
    history,
    'order-42',
  );
  return probe;
}

const greetHistory = (extra: Partial<HistoryOptions> = {}) =>
  buildHistory({ workflowType: 'greet', input: 'Ada', activityResult: 'hello Ada', outcome: { result: 'hello Ada' }, ...extra });

describe('workflow interceptors under Worker.runReplayHistory', () => {
  it('continues the client trace: RunWorkflow is a SERVER child of the header parent, StartActivity its CLIENT child', async () => {
    await replay(greetHistory({ startHeader: { traceparent: traceparent(PARENT.traceId, PARENT.spanId) } }));
    const run = harness.span('RunWorkflow:greet');
    const start = harness.span('StartActivity:hello');
    expect(run.kind).toBe(SpanKind.SERVER);
    expect(run.spanContext().traceId).toBe(PARENT.traceId);
    expect(run.parentSpanContext?.spanId).toBe(PARENT.spanId);
    expect(start.kind).toBe(SpanKind.CLIENT);
    assertChildOf(start, run);
    expect(run.attributes).toMatchObject({
      'threadline.temporal.workflow.type': 'greet',
      'threadline.temporal.workflow.id': 'order-42',
      'threadline.temporal.task_queue': expect.any(String),
    });
    expect(start.attributes).toMatchObject({ 'threadline.temporal.activity.type': 'hello', 'threadline.temporal.activity.local': false });
    expect(run.status.code).toBe(SpanStatusCode.UNSET);
    // Workflow time: the span runs from the first task to the completing task of the history.
    expect(run.endTime[0]).toBeGreaterThan(run.startTime[0]);
  });

  it('puts the StartActivity span into the activity header as W3C traceparent, and passes baggage through', async () => {
    const probe = await replay(greetHistory({ startHeader: { traceparent: traceparent(PARENT.traceId, PARENT.spanId), baggage: 'tenant=acme' } }));
    const start = harness.span('StartActivity:hello');
    expect(probe.headers).toHaveLength(1);
    expect(probe.headers[0]?.carrier).toEqual({
      traceparent: traceparent(PARENT.traceId, start.spanContext().spanId),
      baggage: 'tenant=acme',
    });
  });

  it('starts a new trace when the start header is missing or hostile, and the workflow still completes', async () => {
    await replay(greetHistory({ startHeader: { traceparent: 'garbage', __proto__: 'x' } as Record<string, string> }));
    const run = harness.span('RunWorkflow:greet');
    expect(run.parentSpanContext).toBeUndefined();
    assertChildOf(harness.span('StartActivity:hello'), run);
  });

  it('traces a signal with the trace of the signal header', async () => {
    const signalParent = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) };
    await replay(
      greetHistory({
        startHeader: { traceparent: traceparent(PARENT.traceId, PARENT.spanId) },
        signal: { name: 'poke', arg: 'Grace', header: { traceparent: traceparent(signalParent.traceId, signalParent.spanId) } },
        outcome: { result: 'hello Ada (poked by Grace)' },
      }),
    );
    const handle = harness.span('HandleSignal:poke');
    expect(handle.kind).toBe(SpanKind.SERVER);
    expect(handle.spanContext().traceId).toBe(signalParent.traceId);
    expect(handle.parentSpanContext?.spanId).toBe(signalParent.spanId);
    expect(handle.attributes['threadline.temporal.signal.name']).toBe('poke');
  });

  it('marks a failed workflow ERROR with the ApplicationFailure type and counts the run by result', async () => {
    await replay(buildHistory({ workflowType: 'failing', input: 'Ada', activityResult: 'hello Ada', outcome: { failure: { message: 'the order is gone', type: 'OrderGone' } } }));
    const run = harness.span('RunWorkflow:failing');
    expect(run.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the order is gone' });
    expect(run.attributes['error.type']).toBe('OrderGone');
    const runs = await harness.metricPoint<number>('threadline.temporal.workflow.runs', { 'threadline.temporal.workflow.type': 'failing', 'threadline.result': 'error', 'error.type': 'OrderGone' });
    expect(runs.value).toBe(1);
    const duration = await harness.metricPoint<{ count: number }>('threadline.temporal.workflow.run.duration', { 'threadline.temporal.workflow.type': 'failing' });
    expect(duration.value.count).toBe(1);
  });

  it('recordErrorMessages: false keeps the failed workflow\'s type and drops its message', async () => {
    // Markers in the workflow input and the activity result too: arguments and results are never collected.
    const history = buildHistory({ workflowType: 'failing', input: 'PRIVwfInput2', activityResult: 'hello PRIVwfResult3', outcome: { failure: { message: 'order of PRIVwfUser1 is gone', type: 'OrderGone' } } });
    await replay(history, { recordErrorMessages: false });
    const run = harness.span('RunWorkflow:failing');
    expect(run.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(run.attributes['error.type']).toBe('OrderGone');
    expect(run.events.map((event) => event.attributes)).toEqual([{ 'exception.type': 'OrderGone' }]);
    await expectNoMarkers(harness, ['PRIVwfUser1', 'PRIVwfInput2', 'PRIVwfResult3']);
  });

  it('replays the same history twice with zero non-determinism errors and identical span ids', async () => {
    const history = greetHistory({ startHeader: { traceparent: traceparent(PARENT.traceId, PARENT.spanId) } });
    await expect(replay(history)).resolves.toBeDefined();
    const first = harness.spans().map((s) => [s.name, s.spanContext().spanId, s.parentSpanContext?.spanId]);
    harness.reset();
    await expect(replay(history)).resolves.toBeDefined();
    const second = harness.spans().map((s) => [s.name, s.spanContext().spanId, s.parentSpanContext?.spanId]);
    expect(first).toHaveLength(2);
    expect(second).toEqual(first);
  });

  it('exports nothing from replayed history by default (callDuringReplay false), so no span is ever duplicated', async () => {
    await replay(greetHistory(), { exportDuringReplay: false });
    expect(harness.spans()).toEqual([]);
  });

  it('never consumes the workflow Math.random stream', async () => {
    const history = buildHistory({ workflowType: 'randomGreet', input: 'Ada', activityResult: 'hello Ada', outcome: { result: 'hello Ada' } });
    const withTracing = await replay(history);
    const without = await replay(history, { bundle: untraced });
    expect(harness.spansNamed('RunWorkflow:randomGreet')).toHaveLength(1);
    expect(withTracing.randoms).toHaveLength(1);
    expect(withTracing.randoms).toEqual(without.randoms);
  });

  it('traces an update with the trace of the update header', async () => {
    const updateParent = { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16) };
    await replay(buildUpdateHistory({ updateName: 'approve', arg: 'Grace', result: 'approved by Grace', header: { traceparent: traceparent(updateParent.traceId, updateParent.spanId) } }));
    const handle = harness.span('HandleUpdate:approve');
    expect(handle.kind).toBe(SpanKind.SERVER);
    expect(handle.spanContext().traceId).toBe(updateParent.traceId);
    expect(handle.parentSpanContext?.spanId).toBe(updateParent.spanId);
    expect(handle.attributes['threadline.temporal.update.name']).toBe('approve');
    expect(harness.spansNamed('RunWorkflow:approvable')).toHaveLength(1);
  });

  it('StartChildWorkflow: a CLIENT child of RunWorkflow whose span the child header carries', async () => {
    const probe = await replay(
      buildHistory({ workflowType: 'parent', input: 'Ada', steps: [{ child: { type: 'greet', workflowId: 'child-1', result: 'hello Ada' } }], outcome: { result: 'hello Ada' } }),
    );
    const start = harness.span('StartChildWorkflow:greet');
    expect(start.kind).toBe(SpanKind.CLIENT);
    assertChildOf(start, harness.span('RunWorkflow:parent'));
    const header = probe.headers.find((h) => h.activityType === 'child:greet');
    expect(header?.carrier?.traceparent).toBe(traceparent(start.spanContext().traceId, start.spanContext().spanId));
  });

  it('ContinueAsNew: a span whose header goes to the next run, and the run is not counted as an error', async () => {
    const probe = await replay(
      buildHistory({ workflowType: 'rolling', input: 1, steps: [{ activity: { type: 'hello', result: 'hi' } }], outcome: { continueAsNew: { input: 2 } } }),
    );
    const run = harness.span('RunWorkflow:rolling');
    const continued = harness.span('ContinueAsNew:rolling');
    assertChildOf(continued, run);
    expect(run.status.code).toBe(SpanStatusCode.UNSET);
    expect(run.attributes['threadline.temporal.continued_as_new']).toBe(true);
    const header = probe.headers.find((h) => h.activityType === 'continueAsNew:rolling');
    expect(header?.carrier?.traceparent).toBe(traceparent(continued.spanContext().traceId, continued.spanContext().spanId));
    expect((await harness.metricPoint<number>('threadline.temporal.workflow.runs', { 'threadline.temporal.workflow.type': 'rolling', 'threadline.result': 'ok' })).value).toBe(1);
  });

  it('without temporalIdGenerator the recreated ids differ and the mismatch is counted, not hidden', async () => {
    await replay(greetHistory(), { idGenerator: false });
    expect(harness.spansNamed('RunWorkflow:greet')).toHaveLength(1);
    const dropped = await harness.metricPoint<number>('threadline.telemetry.dropped', { 'threadline.telemetry.drop_reason': 'workflow_span_id_mismatch' });
    expect(dropped.value).toBe(2);
  });
});
