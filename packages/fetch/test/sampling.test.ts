import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { ATTR, declareParentBasedSampling, METRICS } from '@threadline/core';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTraceparent } from './support/server.js';
import { useFetchSuite } from './support/suite.js';

// The harness's tracer provider samples with the SDK default, ParentBased(AlwaysOn): a child of an
// unsampled parent is never recorded.
const suite = useFetchSuite();
const { harness } = suite;
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_SPAN_ID = 'b7ad6b7169203331';
const unsampledIncoming = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId: TRACE_ID, spanId: PARENT_SPAN_ID, traceFlags: TraceFlags.NONE, isRemote: true }));

afterEach(() => declareParentBasedSampling(false));

async function fetchUnderUnsampledParent(path: string): Promise<void> {
  await context.with(unsampledIncoming, async () => (await fetch(suite.server.origin + path)).text());
}

async function durationCount(): Promise<number> {
  const point = await harness.metricPoint<{ count: number }>(METRICS.HTTP_CLIENT_REQUEST_DURATION.name, {
    [ATTR.HTTP_REQUEST_METHOD]: 'GET',
    [ATTR.HTTP_RESPONSE_STATUS_CODE]: '200',
  });
  return point.value.count;
}

describe('under an unsampled parent', () => {
  it('with ParentBased sampling declared: no span is started, the parent context goes on the wire, the metric is recorded', async () => {
    declareParentBasedSampling();
    await fetchUnderUnsampledParent('/unsampled');
    // The PARENT's span id: no span of ours (not even a non-recording one with its own id) in between.
    expect(suite.server.seen[0]?.traceparent).toBe(`00-${TRACE_ID}-${PARENT_SPAN_ID}-00`);
    expect(suite.server.seen[0]?.traceparentCount).toBe(1);
    expect(harness.spans()).toHaveLength(0);
    expect(await durationCount()).toBe(1);
  });

  it('without the declaration the SDK is asked: a non-recording span of its own id is propagated, nothing recorded', async () => {
    await fetchUnderUnsampledParent('/undeclared');
    const sent = parseTraceparent(suite.server.seen[0]?.traceparent);
    expect(sent?.traceId).toBe(TRACE_ID);
    expect(sent?.spanId).not.toBe(PARENT_SPAN_ID);
    expect(suite.server.seen[0]?.traceparent?.endsWith('-00')).toBe(true);
    expect(harness.spans()).toHaveLength(0);
    expect(await durationCount()).toBe(1);
  });

  it('a sampled parent is still followed when ParentBased sampling is declared', async () => {
    declareParentBasedSampling();
    const sampled = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId: TRACE_ID, spanId: PARENT_SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: true }));
    await context.with(sampled, async () => (await fetch(`${suite.server.origin}/sampled`)).text());
    const span = harness.span('GET');
    expect(span.parentSpanContext?.spanId).toBe(PARENT_SPAN_ID);
    expect(parseTraceparent(suite.server.seen[0]?.traceparent)).toEqual({ traceId: TRACE_ID, spanId: span.spanContext().spanId });
  });
});
