import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ATTR } from '@threadline/core';
import { assertChildOf, assertLinkedTo, assertRoot, assertSameTrace, describeWithServices, SERVICES, setupTelemetry } from '@threadline/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BULLMQ_ATTR, bullmqTelemetry } from '../src/index.js';
import { connection, LINES, Resources, settled } from './helpers.js';
import { METRIC } from './metric-names.js';

const harness = setupTelemetry();
const describeWithRedis = await describeWithServices(describe, SERVICES.redis);
const tracer = trace.getTracer('test');

describeWithRedis.each(LINES)('$line: one trace through the queue', ({ lib }) => {
  const res = new Resources();
  beforeEach(() => harness.reset());
  afterEach(() => res.cleanup());

  const setup = (options: Parameters<typeof bullmqTelemetry>[0] = {}) => res.adapterQueue(lib, options);

  it('root span → send → process → the user span inside the processor share one trace', async () => {
    const { telemetry, name, queue } = setup();
    const worker = res.track(
      new lib.Worker(name, telemetry.processor(async (job) => tracer.startActiveSpan('user work', (s) => {
        s.setAttribute('job.name', job.name);
        s.end();
        return 'done';
      })), { connection, telemetry }),
    );
    const done = settled(worker, 1);
    const job = await tracer.startActiveSpan('request', async (root) => {
      try {
        return await queue.add('email', { to: 'someone' });
      } finally {
        root.end();
      }
    });
    await done;
    const [processSpan] = await harness.waitForSpans(`process ${name}`);
    const root = harness.span('request');
    const send = harness.span(`send ${name}`);
    const user = harness.span('user work');
    assertSameTrace(root, send, processSpan!, user);
    assertChildOf(send, root);
    assertChildOf(processSpan!, send);
    assertChildOf(user, processSpan!);
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(processSpan!.kind).toBe(SpanKind.CONSUMER);
    expect(send.attributes).toMatchObject({
      [ATTR.MESSAGING_SYSTEM]: 'bullmq',
      [ATTR.MESSAGING_OPERATION_NAME]: 'send',
      [ATTR.MESSAGING_OPERATION_TYPE]: 'send',
      [ATTR.MESSAGING_DESTINATION_NAME]: name,
      [ATTR.MESSAGING_MESSAGE_ID]: job.id,
      [BULLMQ_ATTR.JOB_NAME]: 'email',
    });
    expect(processSpan!.attributes).toMatchObject({
      [ATTR.MESSAGING_SYSTEM]: 'bullmq',
      [ATTR.MESSAGING_OPERATION_NAME]: 'process',
      [ATTR.MESSAGING_DESTINATION_NAME]: name,
      [ATTR.MESSAGING_MESSAGE_ID]: job.id,
      [BULLMQ_ATTR.JOB_NAME]: 'email',
      [BULLMQ_ATTR.JOB_ATTEMPT]: 1,
      [BULLMQ_ATTR.JOB_OUTCOME]: 'completed',
    });
    expect(processSpan!.status.code).not.toBe(SpanStatusCode.ERROR);
    // BullMQ's `job completed` event carries the return value: dropped.
    expect(processSpan!.events).toEqual([]);
    // BullMQ's own internal spans (getNextJob, complete, ...) are off by default.
    expect(harness.spans().map((s) => s.name).sort()).toEqual(['request', `process ${name}`, `send ${name}`, 'user work'].sort());
    // No payload, result or job options leak into attributes.
    for (const span of harness.spans()) expect(Object.keys(span.attributes).filter((k) => k.startsWith('bullmq.'))).toEqual([]);

    const labels = { [ATTR.MESSAGING_DESTINATION_NAME]: name };
    expect((await harness.metricPoint(METRIC.sent, labels)).value).toBe(1);
    expect((await harness.metricPoint(METRIC.settled, { ...labels, [ATTR.RESULT]: 'ack' })).value).toBe(1);
    expect((await harness.metricPoint<{ count: number }>(METRIC.sendDuration, labels)).value.count).toBe(1);
    expect((await harness.metricPoint<{ count: number }>(METRIC.processDuration, labels)).value.count).toBe(1);
    expect((await harness.metricPoint(METRIC.inFlight, labels)).value).toBe(0);
    expect((await harness.metricPoint<{ count: number }>(METRIC.wait, labels)).value.count).toBe(1);
  });

  it("consumerContext 'link': the process span starts its own trace and links to the send span", async () => {
    const { telemetry, name, queue } = setup({ consumerContext: 'link' });
    const worker = res.track(new lib.Worker(name, async () => 'ok', { connection, telemetry }));
    const done = settled(worker, 1);
    await queue.add('linked', {});
    await done;
    const [processSpan] = await harness.waitForSpans(`process ${name}`);
    const send = harness.span(`send ${name}`);
    assertRoot(processSpan!);
    assertLinkedTo(processSpan!, send);
    expect(processSpan!.spanContext().traceId).not.toBe(send.spanContext().traceId);
  });

  it('send and process spans last exactly what their duration metrics record (one clock for both)', async () => {
    const { telemetry, name, queue } = setup();
    const worker = res.track(new lib.Worker(name, telemetry.processor(async () => 'ok'), { connection, telemetry }));
    const done = settled(worker, 1);
    await queue.add('timed', {});
    await done;
    const [processSpan] = await harness.waitForSpans(`process ${name}`);
    const labels = { [ATTR.MESSAGING_DESTINATION_NAME]: name };
    const seconds = (span: { duration: [number, number] }) => span.duration[0] + span.duration[1] / 1e9;
    const sent = await harness.metricPoint<{ sum: number; count: number }>(METRIC.sendDuration, labels);
    const processed = await harness.metricPoint<{ sum: number; count: number }>(METRIC.processDuration, labels);
    expect(sent.value.count).toBe(1);
    expect(processed.value.count).toBe(1);
    expect(seconds(harness.span(`send ${name}`))).toBeCloseTo(sent.value.sum, 6);
    expect(seconds(processSpan!)).toBeCloseTo(processed.value.sum, 6);
  });

  it('the processor wrapper keeps the arity, so BullMQ still hands a 3-parameter processor its abort signal', async () => {
    const { telemetry, name, queue } = setup();
    let signal: unknown;
    const worker = res.track(new lib.Worker(name, telemetry.processor(async (_job: unknown, _token?: string, s?: AbortSignal) => {
      signal = s;
    }), { connection, telemetry }));
    const done = settled(worker, 1);
    await queue.add('cancellable', {});
    await done;
    expect(signal).toBeInstanceOf(AbortSignal);
  });

  it('addBulk: one send span with the batch size and no create spans (no job carries their context), every job processed in the trace', async () => {
    const { telemetry, name, queue } = setup();
    const worker = res.track(new lib.Worker(name, async () => 'ok', { connection, telemetry }));
    const done = settled(worker, 3);
    await queue.addBulk([
      { name: 'a', data: 'a string payload' },
      { name: 'b', data: [1, 2, 3] },
      { name: 'c', data: null },
    ]);
    await done;
    const processSpans = await harness.waitForSpans(`process ${name}`, 3);
    const send = harness.span(`send ${name}`);
    expect(send.attributes[ATTR.MESSAGING_BATCH_MESSAGE_COUNT]).toBe(3);
    expect(harness.spansNamed(`create ${name}`)).toHaveLength(0);
    for (const span of processSpans) assertChildOf(span, send);
    expect((await harness.metricPoint(METRIC.sent, { [ATTR.MESSAGING_DESTINATION_NAME]: name })).value).toBe(3);
    expect((await harness.metricPoint(METRIC.consumed, { [ATTR.MESSAGING_DESTINATION_NAME]: name })).value).toBe(3);
    expect((await harness.metricPoint(METRIC.settled, { [ATTR.MESSAGING_DESTINATION_NAME]: name, [ATTR.RESULT]: 'ack' })).value).toBe(3);
  });

  it('a 3-level flow: every node carries its own creation context', async () => {
    const { telemetry, name } = setup();
    const flow = res.track(new lib.FlowProducer({ connection, telemetry }));
    const worker = res.track(new lib.Worker(name, async (job) => job.name, { connection, telemetry }));
    const done = settled(worker, 3);
    const tree = await flow.add(
      telemetry.flow({
        name: 'root', queueName: name, data: {},
        children: [{ name: 'child', queueName: name, data: {}, children: [{ name: 'grandchild', queueName: name, data: {} }] }],
      }),
    );
    await done;
    const processSpans = await harness.waitForSpans(`process ${name}`, 3);
    const sends = harness.spansNamed(`send ${name}`);
    expect(sends).toHaveLength(3);
    const sendOf = (id: string | undefined) => sends.find((s) => s.attributes[ATTR.MESSAGING_MESSAGE_ID] === id)!;
    const processOf = (id: string | undefined) => processSpans.find((s) => s.attributes[ATTR.MESSAGING_MESSAGE_ID] === id)!;
    const ids = [tree.job.id, tree.children![0]!.job.id, tree.children![0]!.children![0]!.job.id];
    for (const id of ids) assertChildOf(processOf(id), sendOf(id));
    assertChildOf(sendOf(ids[1]), sendOf(ids[0]));
    assertChildOf(sendOf(ids[2]), sendOf(ids[1]));
    assertSameTrace(...sends, ...processSpans);
    // The grandchild finished first, the root last.
    expect(processOf(ids[2]).endTime[0] * 1e9 + processOf(ids[2]).endTime[1]).toBeLessThanOrEqual(processOf(ids[0]).startTime[0] * 1e9 + processOf(ids[0]).startTime[1]);
  });
});
