import { context, INVALID_SPAN_CONTEXT, ROOT_CONTEXT, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { setupTelemetry } from '@threadline/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { declareParentBasedSampling, isUnsampledParent, traced, unrecordedSpan } from '../src/index.js';

const harness = setupTelemetry();
beforeEach(() => harness.reset());
// The harness samples ParentBased and declares it, as @threadline/node does by default.
afterEach(() => declareParentBasedSampling(true));

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_SPAN_ID = 'b7ad6b7169203331';
const remoteParent = (traceFlags: TraceFlags): Context =>
  trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId: TRACE_ID, spanId: PARENT_SPAN_ID, traceFlags, isRemote: true }));

describe('isUnsampledParent', () => {
  it('is true only for a valid unsampled parent under a declared parent-based sampler', () => {
    expect(isUnsampledParent(remoteParent(TraceFlags.NONE))).toBe(true);
    expect(isUnsampledParent(remoteParent(TraceFlags.SAMPLED))).toBe(false);
    expect(isUnsampledParent(ROOT_CONTEXT)).toBe(false);
    // The SDK starts a new trace under an invalid parent: its root sampler decides.
    expect(isUnsampledParent(trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(INVALID_SPAN_CONTEXT)))).toBe(false);
    declareParentBasedSampling(false);
    expect(isUnsampledParent(remoteParent(TraceFlags.NONE))).toBe(false);
  });

  it('unrecordedSpan carries the parent context and records nothing', () => {
    const span = unrecordedSpan(remoteParent(TraceFlags.NONE));
    expect(span?.isRecording()).toBe(false);
    expect(span?.spanContext()).toMatchObject({ traceId: TRACE_ID, spanId: PARENT_SPAN_ID, traceFlags: TraceFlags.NONE });
    expect(unrecordedSpan(remoteParent(TraceFlags.SAMPLED))).toBeUndefined();
  });
});

describe('an operation under an unsampled parent', () => {
  const activeSpanIdIn = (parent: Context) => context.with(parent, () => traced('lookup', () => trace.getActiveSpan()?.spanContext().spanId));

  it('asks the SDK for no span: the parent stays active, metrics are recorded', async () => {
    expect(activeSpanIdIn(remoteParent(TraceFlags.NONE))).toBe(PARENT_SPAN_ID);
    expect(harness.spans()).toHaveLength(0);
    expect((await harness.metricPoint('threadline.function.calls', { 'code.function.name': 'lookup', 'threadline.result': 'ok' })).value).toBe(1);
  });

  it('without the declaration the SDK decides (a non-recording child with its own id)', () => {
    declareParentBasedSampling(false);
    const spanId = activeSpanIdIn(remoteParent(TraceFlags.NONE));
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(spanId).not.toBe(PARENT_SPAN_ID);
    expect(harness.spans()).toHaveLength(0);
  });

  it('a sampled parent still gets its recorded child', () => {
    const spanId = activeSpanIdIn(remoteParent(TraceFlags.SAMPLED));
    expect(harness.span('lookup').spanContext().spanId).toBe(spanId);
  });
});
