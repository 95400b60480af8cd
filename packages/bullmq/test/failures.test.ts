import { INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ATTR } from '@threadline/core';
import { assertChildOf, assertRoot, conformance, describeWithServices, SERVICES, setupTelemetry } from '@threadline/testing';
import type { Job } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BULLMQ_ATTR, bullmqTelemetry } from '../src/index.js';
import { connection, LINES, Resources, settled, sleep } from './helpers.js';
import { METRIC } from './metric-names.js';

const harness = setupTelemetry();
const describeWithRedis = await describeWithServices(describe, SERVICES.redis);

class PaymentDeclined extends Error {
  override name = 'PaymentDeclined';
}

describeWithRedis.each(LINES)('$line: retries, failures, delays, load', ({ lib }) => {
  const res = new Resources();
  beforeEach(() => harness.reset());
  afterEach(() => res.cleanup());

  const setup = (options: Parameters<typeof bullmqTelemetry>[0] = {}) => res.adapterQueue(lib, options);

  it('retry with backoff: two failures then success are 3 process spans under one send; nack=2, ack=1', async () => {
    const { telemetry, name, queue } = setup();
    let calls = 0;
    const worker = res.track(
      new lib.Worker(name, telemetry.processor(async () => {
        calls++;
        if (calls < 3) throw new PaymentDeclined(`declined #${calls}`);
        return 'paid';
      }), { connection, telemetry }),
    );
    const done = settled(worker, 1);
    await queue.add('charge', { amount: 1 }, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    await done;
    const spans = await harness.waitForSpans(`process ${name}`, 3);
    const send = harness.span(`send ${name}`);
    // Every attempt hangs off the producer, none off the previous attempt.
    for (const span of spans) assertChildOf(span, send);
    const byAttempt = [...spans].sort((a, b) => Number(a.attributes[BULLMQ_ATTR.JOB_ATTEMPT]) - Number(b.attributes[BULLMQ_ATTR.JOB_ATTEMPT]));
    expect(byAttempt.map((s) => s.attributes[BULLMQ_ATTR.JOB_ATTEMPT])).toEqual([1, 2, 3]);
    expect(byAttempt.map((s) => s.attributes[BULLMQ_ATTR.JOB_OUTCOME])).toEqual(['retry', 'retry', 'completed']);
    expect(byAttempt.map((s) => s.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    expect(byAttempt[0]!.attributes[ATTR.ERROR_TYPE]).toBe('PaymentDeclined');
    expect(byAttempt[0]!.events.map((e) => e.name)).toContain('exception');
    const labels = { [ATTR.MESSAGING_DESTINATION_NAME]: name };
    expect((await harness.metricPoint(METRIC.settled, { ...labels, [ATTR.RESULT]: 'nack', [ATTR.ERROR_TYPE]: 'PaymentDeclined' })).value).toBe(2);
    expect((await harness.metricPoint(METRIC.settled, { ...labels, [ATTR.RESULT]: 'ack' })).value).toBe(1);
    // Semconv counts consumed messages per delivery: every attempt, with no result label.
    const consumed = await harness.metricPoint(METRIC.consumed, labels);
    expect(consumed.value).toBe(3);
    expect(consumed.attributes[ATTR.RESULT]).toBeUndefined();
    expect((await harness.metricPoint(METRIC.inFlight, labels)).value).toBe(0);
    // The queue wait is the first delivery's; retries are not counted as waiting.
    expect((await harness.metricPoint<{ count: number }>(METRIC.wait, labels)).value.count).toBe(1);
  });

  it('internalSpans: BullMQ\'s own spans come back as INTERNAL, and retries still hang off the producer', async () => {
    const { telemetry, name, queue } = setup({ internalSpans: true });
    let calls = 0;
    const worker = res.track(new lib.Worker(name, async () => {
      if (++calls < 2) throw new Error('once');
    }, { connection, telemetry }));
    const done = settled(worker, 1);
    await queue.add('flaky', {}, { attempts: 2 });
    await done;
    const spans = await harness.waitForSpans(`process ${name}`, 2);
    const send = harness.span(`send ${name}`);
    for (const span of spans) assertChildOf(span, send);
    const retry = harness.span(`retry ${name}`);
    expect(retry.kind).toBe(SpanKind.INTERNAL);
    expect(spans.some((s) => retry.parentSpanContext?.spanId === s.spanContext().spanId)).toBe(true);
    expect(harness.spansNamed(`complete ${name}`)).toHaveLength(1);
  });

  it('final failure: the last attempt says failed, not retry; error.type, status and exception event', async () => {
    const { telemetry, name, queue } = setup();
    const worker = res.track(
      new lib.Worker(name, telemetry.processor(async () => {
        throw new PaymentDeclined('card expired');
      }), { connection, telemetry }),
    );
    const done = settled(worker, 1);
    await queue.add('charge', {}, { attempts: 2 });
    await done;
    const spans = await harness.waitForSpans(`process ${name}`, 2);
    const outcomes = spans.map((s) => s.attributes[BULLMQ_ATTR.JOB_OUTCOME]).sort();
    expect(outcomes).toEqual(['failed', 'retry']);
    const last = spans.find((s) => s.attributes[BULLMQ_ATTR.JOB_OUTCOME] === 'failed')!;
    expect(last.status).toEqual({ code: SpanStatusCode.ERROR, message: 'card expired' });
    expect(last.attributes[ATTR.ERROR_TYPE]).toBe('PaymentDeclined');
    const exception = last.events.find((e) => e.name === 'exception')!;
    expect(exception.attributes?.['exception.message']).toBe('card expired');
    expect((await harness.metricPoint(METRIC.settled, { [ATTR.MESSAGING_DESTINATION_NAME]: name, [ATTR.RESULT]: 'nack' })).value).toBe(2);
    const ack = await harness.findMetricPoint(METRIC.settled, { [ATTR.MESSAGING_DESTINATION_NAME]: name, [ATTR.RESULT]: 'ack' });
    expect(ack?.value ?? 0).toBe(0);
  });

  it('without the processor wrapper a failure still marks the span (type from the message only)', async () => {
    const { telemetry, name, queue } = setup();
    const worker = res.track(new lib.Worker(name, async () => { throw new PaymentDeclined('nope'); }, { connection, telemetry }));
    const done = settled(worker, 1);
    await queue.add('charge', {});
    await done;
    const [span] = await harness.waitForSpans(`process ${name}`);
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'nope' });
    expect(span!.attributes[BULLMQ_ATTR.JOB_OUTCOME]).toBe('failed');
    expect(span!.attributes[ATTR.ERROR_TYPE]).toBe('Error');
  });

  it('delayed job: the wait metric excludes the requested delay; no span is made for waiting', async () => {
    const { telemetry, name, queue } = setup();
    const worker = res.track(new lib.Worker(name, telemetry.processor(async () => 'ok'), { connection, telemetry }));
    const done = settled(worker, 1);
    const started = Date.now();
    await queue.add('later', {}, { delay: 400 });
    await done;
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    const wait = await harness.metricPoint<{ count: number; sum: number }>(METRIC.wait, { [ATTR.MESSAGING_DESTINATION_NAME]: name });
    expect(wait.value.count).toBe(1);
    expect(wait.value.sum).toBeGreaterThanOrEqual(0);
    expect(wait.value.sum).toBeLessThan(0.3);
    expect(harness.spans().map((s) => s.name).sort()).toEqual([`process ${name}`, `send ${name}`]);
  });

  it('concurrency 10: in-flight climbs while jobs run and reads 0 when the worker is idle', async () => {
    const { telemetry, name, queue } = setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let running = 0;
    const worker = res.track(new lib.Worker(name, telemetry.processor(async () => {
      running++;
      await gate;
    }), { connection, telemetry, concurrency: 10 }));
    const done = settled(worker, 15);
    await queue.addBulk(Array.from({ length: 15 }, (_, i) => ({ name: 'load', data: { i } })));
    const labels = { [ATTR.MESSAGING_DESTINATION_NAME]: name };
    const deadline = Date.now() + 5000;
    while (running < 10 && Date.now() < deadline) await sleep(10);
    expect(running).toBe(10);
    expect((await harness.metricPoint(METRIC.inFlight, labels)).value).toBe(10);
    release();
    await done;
    await sleep(20);
    expect((await harness.metricPoint(METRIC.inFlight, labels)).value).toBe(0);
    expect((await harness.metricPoint(METRIC.settled, { ...labels, [ATTR.RESULT]: 'ack' })).value).toBe(15);
  });

  it('malformed and oversized carriers start a new root span; the job runs and its data is untouched', async () => {
    const { telemetry, name } = setup();
    // A producer without telemetry stores whatever metadata the job options say.
    const plain = res.queue(new lib.Queue(name, { connection }));
    const seen: unknown[] = [];
    const worker = res.track(new lib.Worker(name, telemetry.processor(async (job: Job) => {
      seen.push(job.data);
      return 'ok';
    }), { connection, telemetry }));
    const done = settled(worker, 4);
    const payloads = ['a string', [1, 'two'], null, { nested: { ok: true } }];
    const carriers = ['{not json', 'x'.repeat(20_000), JSON.stringify({ traceparent: 'garbage', __proto__: 'x' }), JSON.stringify([1, 2])];
    for (let i = 0; i < 4; i++) await plain.add('odd', payloads[i], { telemetry: { metadata: carriers[i] } });
    await done;
    const spans = await harness.waitForSpans(`process ${name}`, 4);
    for (const span of spans) assertRoot(span);
    expect(spans.map((s) => s.attributes[BULLMQ_ATTR.JOB_OUTCOME])).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(seen).toEqual(payloads);
    expect((await harness.metricPoint(METRIC.dropped, { 'threadline.telemetry.drop_reason': 'bad_carrier' })).value).toBeGreaterThanOrEqual(2);
  });

  it('job data is never changed or extended, and the carrier lives in the job options', async () => {
    const { name, queue } = setup();
    const data = { user: 42, tags: ['a'] };
    const frozen = JSON.parse(JSON.stringify(data));
    const job = await trace.getTracer('test').startActiveSpan('request', async (root) => {
      try {
        return await queue.add('email', data);
      } finally {
        root.end();
      }
    });
    expect(data).toEqual(frozen);
    const stored = await queue.getJob(job.id!);
    expect(stored!.data).toEqual(frozen);
    const carrier = JSON.parse(stored!.opts.telemetry!.metadata!);
    expect(carrier.traceparent).toContain(harness.span(`send ${name}`).spanContext().spanId);
  });

  it('with nothing to propagate (a tracer making no valid spans) no carrier is stored, and the job runs', async () => {
    const nonRecording = { startSpan: () => trace.wrapSpanContext(INVALID_SPAN_CONTEXT) } as never;
    const { telemetry, name, queue } = setup({ tracerProvider: { getTracer: () => nonRecording } });
    const worker = res.track(new lib.Worker(name, telemetry.processor(async (job: Job) => `done ${job.name}`), { connection, telemetry }));
    const done = settled(worker, 1);
    const job = await queue.add('email', { n: 1 });
    await done;
    const stored = await queue.getJob(job.id!);
    expect(stored!.opts.telemetry).toBeUndefined();
    expect(stored!.returnvalue).toBe('done email');
    expect((await harness.metricPoint(METRIC.settled, { [ATTR.MESSAGING_DESTINATION_NAME]: name, [ATTR.RESULT]: 'ack' })).value).toBe(1);
  });

  it('a throwing user hook never fails a job and is counted', async () => {
    const { telemetry, name, queue } = setup({
      sendHook: () => { throw new Error('hook bug'); },
      processHook: () => { throw new Error('hook bug'); },
    });
    const worker = res.track(new lib.Worker(name, telemetry.processor(async () => 'fine'), { connection, telemetry }));
    const done = settled(worker, 1);
    const job = await queue.add('email', {});
    await done;
    await harness.waitForSpans(`process ${name}`);
    expect(await job.getState()).toBe('completed');
    expect((await harness.metricPoint(METRIC.dropped, { 'threadline.telemetry.drop_reason': 'hook_error' })).value).toBe(2);
  });

  it('a fault inside telemetry (here: a throwing tracer) costs telemetry, never the job', async () => {
    const broken = { startSpan: () => { throw new Error('tracer bug'); } } as never;
    const { telemetry, name, queue } = setup({ tracerProvider: { getTracer: () => broken } });
    const worker = res.track(new lib.Worker(name, telemetry.processor(async (job: Job) => `done ${job.name}`), { connection, telemetry }));
    const done = settled(worker, 2);
    const first = await queue.add('a', { n: 1 });
    const second = await queue.add('b', { n: 2 });
    await done;
    expect(await first.getState()).toBe('completed');
    expect((await queue.getJob(second.id!))!.returnvalue).toBe('done b');
    expect((await harness.metricPoint(METRIC.dropped, { 'threadline.telemetry.drop_reason': 'internal_error' })).value).toBeGreaterThanOrEqual(1);
  });

  it('jobNameLabel adds the job name to metric labels; without it the label is absent', async () => {
    conformance.optIn(BULLMQ_ATTR.JOB_NAME);
    const { name, queue } = setup({ jobNameLabel: true });
    await queue.add('email', {});
    expect((await harness.metricPoint(METRIC.sent, { [ATTR.MESSAGING_DESTINATION_NAME]: name, [BULLMQ_ATTR.JOB_NAME]: 'email' })).value).toBe(1);
    const other = setup();
    await other.queue.add('email', {});
    const point = await harness.metricPoint(METRIC.sent, { [ATTR.MESSAGING_DESTINATION_NAME]: other.name });
    expect(point.attributes[BULLMQ_ATTR.JOB_NAME]).toBeUndefined();
  });
});

describe('options', () => {
  it('config mistakes throw at construction, saying what to change', () => {
    expect(() => bullmqTelemetry({ consumerContext: 'child' as never })).toThrow(/consumerContext must be 'parent' or 'link'/);
    expect(() => bullmqTelemetry({ sendHook: 'x' as never })).toThrow(/sendHook must be a function/);
    expect(() => bullmqTelemetry({ createSpan: true } as never)).toThrow(/unknown option "createSpan"/);
  });
});
