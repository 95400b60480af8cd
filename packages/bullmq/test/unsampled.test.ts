import { trace, TraceFlags, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { ATTR } from '@threadline/core';
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
