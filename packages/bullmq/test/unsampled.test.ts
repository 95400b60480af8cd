import { context, ROOT_CONTEXT, trace, TraceFlags, type Span, type SpanContext, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { ATTR, declareParentBasedSampling } from '@threadline/core';
import { describeWithServices, SERVICES, setupTelemetry } from '@threadline/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connection, LINES, Resources, settled } from './helpers.js';
import { METRIC } from './metric-names.js';

const harness = setupTelemetry();
const describeWithRedis = await describeWithServices(describe, SERVICES.redis);

/**
 * A tracer whose every span is unsampled (what a ratio sampler returns for most jobs): non-recording
 * spans that count the attribute calls made on them.
 */
function unsampledProvider(attributeCalls: string[]): TracerProvider {
  const span = (): Span => {
    const inner = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE });
    return new Proxy(inner, {
      get(target, key, receiver) {
        if (key === 'setAttribute' || key === 'setAttributes') {
          return () => {
            attributeCalls.push(key);
            return receiver;
          };
        }
        return Reflect.get(target, key, target) as unknown;
      },
    });
  };
  const tracer = { startSpan: span, startActiveSpan: () => undefined } as unknown as Tracer;
  return { getTracer: () => tracer };
}

describeWithRedis.each(LINES)('$line: unsampled jobs', ({ lib }) => {
  const res = new Resources();
  beforeEach(() => harness.reset());
  afterEach(() => res.cleanup());

  it('builds no span attributes for spans nobody records, and still records the job metrics', async () => {
    const attributeCalls: string[] = [];
    const { telemetry, name, queue } = res.adapterQueue(lib, { tracerProvider: unsampledProvider(attributeCalls) });
    const worker = res.track(new lib.Worker(name, telemetry.processor(async () => 'done'), { connection, telemetry }));
    const done = settled(worker, 1);
    await queue.add('email', { to: 'someone' });
    await done;
    const labels = { [ATTR.MESSAGING_DESTINATION_NAME]: name };
    // BullMQ emits `completed` before its process span ends: the ack is counted at that end.
    await vi.waitFor(async () => expect((await harness.metricPoint(METRIC.settled, { ...labels, [ATTR.RESULT]: 'ack' })).value).toBe(1));
    expect(attributeCalls).toEqual([]);
    expect((await harness.metricPoint(METRIC.sent, labels)).value).toBe(1);
  });
});

const PARENT = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.NONE, isRemote: true };

/** The harness's SDK tracer (its default sampler is ParentBased(AlwaysOn)), counting the spans asked of it. */
function countingProvider(started: string[]): TracerProvider {
  return {
    getTracer: (name, version) => {
      const sdk = harness.tracerProvider.getTracer(name, version);
      return {
        startSpan: (spanName: string, ...rest: unknown[]) => {
          started.push(spanName);
          return (sdk.startSpan as (...args: unknown[]) => Span)(spanName, ...rest);
        },
        startActiveSpan: sdk.startActiveSpan.bind(sdk),
      } as Tracer;
    },
  };
}

describeWithRedis.each(LINES)('$line: a job added under an unsampled parent, ParentBased sampling declared', ({ lib }) => {
  const res = new Resources();
  beforeEach(() => {
    harness.reset();
    declareParentBasedSampling();
  });
  afterEach(async () => {
    declareParentBasedSampling(false);
    await res.cleanup();
  });

  it('asks the SDK for no span, carries the parent (flags 00) through Redis, and still records the metrics', async () => {
    const started: string[] = [];
    const { telemetry, name, queue } = res.adapterQueue(lib, { tracerProvider: countingProvider(started) });
    let active: SpanContext | undefined;
    const worker = res.track(
      new lib.Worker(
        name,
        telemetry.processor(async () => {
          active = trace.getActiveSpan()?.spanContext();
          return 'done';
        }),
        { connection, telemetry },
      ),
    );
    const done = settled(worker, 1);
    const parent = trace.setSpanContext(ROOT_CONTEXT, PARENT);
    const job = await context.with(parent, () => queue.add('email', { to: 'someone' }));
    await done;
    const labels = { [ATTR.MESSAGING_DESTINATION_NAME]: name };
    await vi.waitFor(async () => expect((await harness.metricPoint(METRIC.settled, { ...labels, [ATTR.RESULT]: 'ack' })).value).toBe(1));

    // The stored carrier names the request's own span: no child span id was made for a span nobody records.
    const stored = await lib.Job.fromId(queue, job.id!);
    const carrier = JSON.parse(stored!.opts.telemetry!.metadata!) as Record<string, string>;
    expect(carrier.traceparent).toBe(`00-${PARENT.traceId}-${PARENT.spanId}-00`);
    // The processor runs in the producer's trace, unsampled.
    expect(active).toMatchObject({ traceId: PARENT.traceId, spanId: PARENT.spanId, traceFlags: TraceFlags.NONE });
    // Not one span asked of the SDK (send, process), none recorded.
    expect(started).toEqual([]);
    expect(harness.spans()).toEqual([]);
    expect((await harness.metricPoint(METRIC.sent, labels)).value).toBe(1);
    expect((await harness.metricPoint(METRIC.consumed, labels)).value).toBe(1);
  });
});
