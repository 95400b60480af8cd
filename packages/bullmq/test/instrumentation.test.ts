import { SpanKind, trace } from '@opentelemetry/api';
import { ATTR } from '@threadline/core';
import { assertChildOf, assertLinkedTo, assertSameTrace, describeWithServices, runApp, SERVICES, setupTelemetry } from '@threadline/testing';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BULLMQ_ATTR, BullMQInstrumentation, bullmqTelemetry } from '../src/index.js';
import { connection, LINES, Resources, settled } from './helpers.js';

const harness = setupTelemetry();
const describeWithRedis = await describeWithServices(describe, SERVICES.redis);
const tracer = trace.getTracer('test');
const fixture = (file: string) => fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url));

interface PrintedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

describeWithRedis.each(LINES)('$line: BullMQInstrumentation on a loaded module', ({ lib }) => {
  const res = new Resources();
  const instrumentation = new BullMQInstrumentation({ enabled: false });
  beforeAll(() => {
    instrumentation.enable();
    instrumentation.patch(lib);
  });
  afterAll(() => {
    instrumentation.unpatch(lib);
    instrumentation.disable();
  });
  beforeEach(() => harness.reset());
  afterEach(() => res.cleanup());

  it('Queue, Worker and FlowProducer built without a telemetry option are traced, job details included', async () => {
    const name = res.name();
    const queue = res.queue(new lib.Queue(name, { connection }));
    const flow = res.track(new lib.FlowProducer({ connection }));
    const worker = res.track(new lib.Worker(name, async () => 'ok', { connection }));
    const done = settled(worker, 3);
    await tracer.startActiveSpan('request', async (root) => {
      await queue.add('single', {});
      // No `opts` on the nodes: the instrumentation still gives each node its own carrier.
      await flow.add({ name: 'parent', queueName: name, data: {}, children: [{ name: 'kid', queueName: name, data: {} }] });
      root.end();
    });
    await done;
    const processSpans = await harness.waitForSpans(`process ${name}`, 3);
    const sends = harness.spansNamed(`send ${name}`);
    expect(sends).toHaveLength(3);
    for (const span of processSpans) {
      const send = sends.find((s) => s.attributes[ATTR.MESSAGING_MESSAGE_ID] === span.attributes[ATTR.MESSAGING_MESSAGE_ID])!;
      assertChildOf(span, send);
      // Seen through the patched processor call: the attempt number.
      expect(span.attributes[BULLMQ_ATTR.JOB_ATTEMPT]).toBe(1);
    }
    assertSameTrace(harness.span('request'), ...sends, ...processSpans);
  });

  it('an instance with its own telemetry option keeps it', async () => {
    const name = res.name();
    const own = bullmqTelemetry({ consumerContext: 'link' });
    const queue = res.queue(new lib.Queue(name, { connection, telemetry: own }));
    const worker = res.track(new lib.Worker(name, async () => 'ok', { connection, telemetry: own }));
    const done = settled(worker, 1);
    await queue.add('mine', {});
    await done;
    const [span] = await harness.waitForSpans(`process ${name}`);
    assertLinkedTo(span!, harness.span(`send ${name}`));
  });

  it('disabled: new instances get no telemetry', async () => {
    instrumentation.disable();
    try {
      const name = res.name();
      const queue = res.queue(new lib.Queue(name, { connection }));
      await queue.add('quiet', {});
      expect(harness.spansNamed(`send ${name}`)).toHaveLength(0);
    } finally {
      instrumentation.enable();
    }
  });
});

describeWithRedis('across processes and module systems', () => {
  const res = new Resources();
  beforeEach(() => harness.reset());
  afterEach(() => res.cleanup());

  it('a worker in a second process (CommonJS, registerInstrumentations) joins the producer trace', async () => {
    const { Queue } = LINES[0].lib;
    const telemetry = bullmqTelemetry();
    const name = res.name();
    const queue = res.queue(new Queue(name, { connection, telemetry }));
    await tracer.startActiveSpan('request', async (root) => {
      await queue.add('remote', { n: 1 });
      root.end();
    });
    const run = await runApp(fixture('worker-app.cjs'), { env: { QUEUE: name, JOBS: '1' } });
    expect(run.code, run.stderr).toBe(0);
    const { pid, spans } = run.result as { pid: number; spans: PrintedSpan[] };
    expect(pid).not.toBe(process.pid);
    const send = harness.span(`send ${name}`);
    const processSpan = spans.find((s) => s.name === `process ${name}`)!;
    const work = spans.find((s) => s.name === 'child work')!;
    expect(processSpan.kind).toBe(SpanKind.CONSUMER);
    expect(processSpan.traceId).toBe(harness.span('request').spanContext().traceId);
    expect(processSpan.parentSpanId).toBe(send.spanContext().spanId);
    expect(work.parentSpanId).toBe(processSpan.spanId);
    expect(processSpan.attributes[BULLMQ_ATTR.JOB_ATTEMPT]).toBe(1);
  });

  it.each([
    ['explicit adapter', 'esm-app.mjs', {}],
    ['BullMQInstrumentation via the import-in-the-middle loader', 'esm-auto-app.mjs', { NODE_OPTIONS: '--no-warnings --experimental-loader=@opentelemetry/instrumentation/hook.mjs' }],
  ] as const)('an ESM app (%s) gets one trace: request → send → process → work', async (_label, file, env) => {
    const name = res.name();
    const run = await runApp(fixture(file), { env: { QUEUE: name, ...env } });
    expect(run.code, run.stderr).toBe(0);
    const { spans } = run.result as { spans: PrintedSpan[] };
    const byName = (n: string) => spans.find((s) => s.name === n)!;
    const request = byName('esm request');
    const send = byName(`send ${name}`);
    const processSpan = byName(`process ${name}`);
    const work = byName('esm work');
    expect(send.parentSpanId).toBe(request.spanId);
    expect(processSpan.parentSpanId).toBe(send.spanId);
    expect(work.parentSpanId).toBe(processSpan.spanId);
    expect(new Set([request, send, processSpan, work].map((s) => s.traceId)).size).toBe(1);
    expect(processSpan.attributes).toMatchObject({ [ATTR.MESSAGING_SYSTEM]: 'bullmq', [BULLMQ_ATTR.JOB_OUTCOME]: 'completed', [BULLMQ_ATTR.JOB_ATTEMPT]: 1 });
  });
});
