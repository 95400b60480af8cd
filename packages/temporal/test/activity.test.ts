import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { log as activityLog } from '@temporalio/activity';
import { DefaultLogger, type ActivityInterceptorsFactory, type LogEntry } from '@temporalio/worker';
import { assertChildOf, assertRoot, expectNoMarkers, setupTelemetry } from '@threadline/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { createWorkerTelemetry, TemporalInstrumentation } from '../src/worker-entry.js';
import { PARENT, traceparent } from './helpers.js';

const harness = setupTelemetry();
// Failing activities are expected here; keep the SDK's failure log quiet.
const logger = new DefaultLogger('ERROR');
beforeEach(() => harness.reset());

/** Stands in for the worker delivering an activity task whose header carries the StartActivity span. */
const deliverHeader =
  (carrier: unknown): ActivityInterceptorsFactory =>
  () => ({ inbound: { execute: (input, next) => next({ ...input, headers: { ...input.headers, '_tracer-data': defaultPayloadConverter.toPayload(carrier) } }) } });

function environment(carrier?: unknown, options: Parameters<typeof createWorkerTelemetry>[0] = {}) {
  const telemetry = createWorkerTelemetry(options);
  const interceptors = [...(carrier === undefined ? [] : [deliverHeader(carrier)]), ...telemetry.interceptors.activity];
  return new MockActivityEnvironment({ activityType: 'chargeCard', activityId: '7', attempt: 2 }, { interceptors, logger });
}

describe('activity log correlation', () => {
  it('activity log records carry trace_id / span_id of RunActivity, or of a span the activity code started', async () => {
    const entries: LogEntry[] = [];
    const capture = new DefaultLogger('INFO', (entry) => entries.push(entry));
    const telemetry = createWorkerTelemetry();
    const env = new MockActivityEnvironment({ activityType: 'chargeCard' }, { interceptors: [deliverHeader({ traceparent: traceparent(PARENT.traceId, PARENT.spanId) }), ...telemetry.interceptors.activity], logger: capture });
    await env.run(async () => {
      activityLog.info('charging');
      await trace.getTracer('app').startActiveSpan('call bank', async (span) => {
        activityLog.info('calling the bank');
        span.end();
      });
    });
    const run = harness.span('RunActivity:chargeCard').spanContext();
    const bank = harness.span('call bank').spanContext();
    expect(entries.find((e) => e.message === 'charging')?.meta).toMatchObject({ trace_id: PARENT.traceId, span_id: run.spanId, trace_flags: '01' });
    expect(entries.find((e) => e.message === 'calling the bank')?.meta).toMatchObject({ trace_id: PARENT.traceId, span_id: bank.spanId });
  });
});

describe('activity interceptor with MockActivityEnvironment', () => {
  it('RunActivity is a SERVER child of the header parent, active while the body runs', async () => {
    const env = environment({ traceparent: traceparent(PARENT.traceId, PARENT.spanId) });
    const result = await env.run(async (amount: number) => {
      trace.getTracer('app').startSpan('fetch inside').end();
      return { charged: amount, activeTrace: trace.getSpan(context.active())?.spanContext().traceId };
    }, 42);
    expect(result).toEqual({ charged: 42, activeTrace: PARENT.traceId });
    const run = harness.span('RunActivity:chargeCard');
    expect(run.kind).toBe(SpanKind.SERVER);
    expect(run.spanContext().traceId).toBe(PARENT.traceId);
    expect(run.parentSpanContext?.spanId).toBe(PARENT.spanId);
    assertChildOf(harness.span('fetch inside'), run);
    expect(run.attributes).toMatchObject({ 'threadline.temporal.activity.type': 'chargeCard', 'threadline.temporal.activity.id': '7', 'threadline.temporal.attempt': 2 });
    expect((await harness.metricPoint<number>('threadline.temporal.activity.runs', { 'threadline.temporal.activity.type': 'chargeCard', 'threadline.result': 'ok' })).value).toBe(1);
  });

  it('a failure keeps the original error, sets ERROR with the ApplicationFailure type', async () => {
    const thrown = ApplicationFailure.create({ message: 'card declined', type: 'CardDeclined' });
    const env = environment({ traceparent: traceparent(PARENT.traceId, PARENT.spanId) });
    await expect(env.run(async () => Promise.reject(thrown))).rejects.toBe(thrown);
    const run = harness.span('RunActivity:chargeCard');
    expect(run.status).toEqual({ code: SpanStatusCode.ERROR, message: 'card declined' });
    expect(run.attributes['error.type']).toBe('CardDeclined');
    expect(run.events.map((e) => e.name)).toContain('exception');
    const runs = await harness.metricPoint<number>('threadline.temporal.activity.runs', { 'threadline.result': 'error', 'error.type': 'CardDeclined' });
    expect(runs.value).toBe(1);
  });

  it('activity arguments and results never reach telemetry', async () => {
    const env = environment({ traceparent: traceparent(PARENT.traceId, PARENT.spanId) });
    await env.run(async (input: { card: string }) => ({ receipt: `PRIVreceipt ${input.card}` }), { card: 'PRIVcardArg1' });
    expect(harness.span('RunActivity:chargeCard').status.code).toBe(SpanStatusCode.UNSET);
    await expectNoMarkers(harness, ['PRIVcardArg1', 'PRIVreceipt']);
  });

  it('recordErrorMessages: false keeps the failure type and drops its message (activity code quoting user data)', async () => {
    const thrown = ApplicationFailure.create({ message: 'card PRIVcard99 declined', type: 'CardDeclined' });
    const env = environment(undefined, { recordErrorMessages: false });
    await expect(env.run(async () => Promise.reject(thrown))).rejects.toBe(thrown);
    const run = harness.span('RunActivity:chargeCard');
    expect(run.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(run.attributes['error.type']).toBe('CardDeclined');
    expect(run.events.map((event) => event.attributes)).toEqual([{ 'exception.type': 'CardDeclined' }]);
    await expectNoMarkers(harness, ['PRIVcard99']);
    expect(() => createWorkerTelemetry({ recordErrorMessages: 1 as never })).toThrow('@threadline/temporal: recordErrorMessages must be true or false');
  });

  it('a BENIGN ApplicationFailure leaves the status unset and sets no error.type', async () => {
    const thrown = ApplicationFailure.create({ message: 'not ready yet', type: 'NotReady', category: 'BENIGN' });
    await expect(environment().run(async () => Promise.reject(thrown))).rejects.toBe(thrown);
    const run = harness.span('RunActivity:chargeCard');
    expect(run.status.code).toBe(SpanStatusCode.UNSET);
    expect(run.events).toEqual([]);
    expect(run.attributes['error.type']).toBeUndefined();
    expect(run.attributes['threadline.temporal.benign_failure']).toBe('NotReady');
  });

  it.each([
    ['no header', undefined],
    ['a non-object carrier', 'traceparent'],
    ['a malformed traceparent', { traceparent: '00-zz-yy-01' }],
    ['a proto-pollution key', JSON.parse('{"__proto__": {"polluted": true}, "traceparent": 7}')],
  ])('%s: a root span, and the activity result is unchanged', async (_label, carrier) => {
    const result = await environment(carrier).run(async () => 'done');
    expect(result).toBe('done');
    assertRoot(harness.span('RunActivity:chargeCard'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a header that is not valid JSON is dropped and counted, never thrown', async () => {
    const garbage: ActivityInterceptorsFactory = () => ({
      inbound: { execute: (input, next) => next({ ...input, headers: { '_tracer-data': { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{nope') } } }) },
    });
    const env = new MockActivityEnvironment({ activityType: 'chargeCard' }, { interceptors: [garbage, ...createWorkerTelemetry().interceptors.activity], logger });
    expect(await env.run(async () => 'done')).toBe('done');
    assertRoot(harness.span('RunActivity:chargeCard'));
    expect((await harness.metricPoint<number>('threadline.telemetry.dropped', { 'threadline.telemetry.drop_reason': 'bad_carrier' })).value).toBe(1);
  });

  it('TemporalInstrumentation: disable() passes activities through untraced, enable() turns tracing back on', async () => {
    const instrumentation = new TemporalInstrumentation();
    const env = new MockActivityEnvironment({ activityType: 'chargeCard' }, { interceptors: createWorkerTelemetry(instrumentation).interceptors.activity, logger });
    instrumentation.disable();
    expect(await env.run(async () => 'untraced')).toBe('untraced');
    expect(harness.spans()).toEqual([]);
    instrumentation.enable();
    await env.run(async () => 'traced');
    expect(harness.spansNamed('RunActivity:chargeCard')).toHaveLength(1);
    expect(instrumentation.instrumentationName).toBe('@threadline/temporal');
  });

  it('worker setup mistakes throw at startup', () => {
    expect(() => createWorkerTelemetry({ exportDuringReplay: 'yes' as never })).toThrow(/exportDuringReplay/);
    expect(() => createWorkerTelemetry({ workflowModule: '/nowhere/interceptors.js' })).toThrow(/does not exist/);
  });
});
