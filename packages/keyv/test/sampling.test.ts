import { ROOT_CONTEXT, context, trace, TraceFlags } from '@opentelemetry/api';
import { declareParentBasedSampling } from '@threadline/core';
import Keyv from 'keyv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentKeyv } from '../src/index.js';
import { harness, kvCount, throwingStore } from './helpers.js';

// A request whose incoming traceparent was not sampled (flags 00), as a ParentBased sampler sees it.
const UNSAMPLED = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.NONE, isRemote: true };
const inUnsampledRequest = <T>(fn: () => Promise<T>) => context.with(trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(UNSAMPLED)), fn);

beforeEach(() => {
  harness.reset();
  declareParentBasedSampling();
});
afterEach(() => declareParentBasedSampling(false));

describe('under an unsampled parent with a declared parent-based sampler', () => {
  it('asks the SDK for no span: the store runs under the request parent itself, and metrics are recorded', async () => {
    const store = throwingStore();
    const keyv = instrumentKeyv(new Keyv({ store, namespace: 'unsampled' }));
    await inUnsampledRequest(async () => {
      await keyv.set('k', 1);
      expect(await keyv.get('k')).toBe(1);
    });
    // Had threadline asked the SDK, the store would see the SDK's non-recording child (a new span id).
    expect(store.seenSpans).toHaveLength(2);
    for (const seen of store.seenSpans) expect(seen?.spanContext()).toEqual(UNSAMPLED);
    expect(harness.spans()).toHaveLength(0);
    expect(await kvCount('get', 'hit', { 'db.collection.name': 'unsampled' })).toBe(1);
    expect(await kvCount('set', 'ok', { 'db.collection.name': 'unsampled' })).toBe(1);
    const duration = await harness.metricPoint<{ count: number }>('db.client.operation.duration', { 'db.operation.name': 'get', 'db.collection.name': 'unsampled' });
    expect(duration.value.count).toBe(1);
  });

  it('memory store: no span with spans: "always" either, and the hit is counted', async () => {
    const keyv = instrumentKeyv(new Keyv({ namespace: 'unsampled-memory' }), { spans: 'always' });
    await inUnsampledRequest(async () => {
      await keyv.set('k', 1);
      expect(await keyv.get('k')).toBe(1);
      expect(await keyv.get('missing')).toBeUndefined();
    });
    expect(harness.spans()).toHaveLength(0);
    expect(await kvCount('get', 'hit', { 'db.collection.name': 'unsampled-memory', 'db.system.name': 'keyv.memory' })).toBe(1);
    expect(await kvCount('get', 'miss', { 'db.collection.name': 'unsampled-memory' })).toBe(1);
  });

  it('still records the span of a sampled parent (the skip is for unsampled parents only)', async () => {
    const store = throwingStore();
    const keyv = instrumentKeyv(new Keyv({ store, namespace: 'sampled' }));
    const sampled = { ...UNSAMPLED, traceFlags: TraceFlags.SAMPLED };
    await context.with(trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(sampled)), () => keyv.get('k'));
    const spans = harness.spans();
    expect(spans.map((s) => s.name)).toEqual(['get sampled']);
    expect(spans[0]!.spanContext().traceId).toBe(UNSAMPLED.traceId);
    expect(spans[0]!.parentSpanContext?.spanId).toBe(UNSAMPLED.spanId);
    expect(store.seenSpans[0]?.spanContext().spanId).toBe(spans[0]!.spanContext().spanId);
  });
});
