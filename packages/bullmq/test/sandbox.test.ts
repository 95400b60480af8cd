import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { describeWithServices, SERVICES, setupTelemetry } from '@threadline/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BULLMQ_ATTR, BullMQInstrumentation, bullmqTelemetry } from '../src/index.js';
import { sandboxed } from '../src/sandbox.js';
import { connection, LINES, Resources, settled, type BullMQ } from './helpers.js';

const harness = setupTelemetry();
const describeWithRedis = await describeWithServices(describe, SERVICES.redis);
const tracer = trace.getTracer('test');
const processorFile = (ext: string) => fileURLToPath(new URL(`./fixtures/sandbox/processor.${ext}`, import.meta.url));

/** A span the child wrote (fixtures/sandbox/otel-file.cjs). */
interface ChildSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

function childSpans(file: string): ChildSpan[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as ChildSpan);
}

const PAYLOAD = { to: 'someone@example.com', items: [1, 2, 3], nested: { flag: true, none: null } };

/** Adds one job under a root span and waits for the sandboxed worker to complete it. */
async function runOne(lib: BullMQ, res: Resources, ext: string, useWorkerThreads: boolean, spansFile: string, telemetry?: ReturnType<typeof bullmqTelemetry>) {
  const name = res.name('tl_bullmq_sandbox');
  const queue = res.queue(new lib.Queue(name, { connection, telemetry }));
  const env = { ...process.env, TL_SANDBOX_SPANS: spansFile };
  const worker = res.track(
    new lib.Worker(name, processorFile(ext), {
      connection,
      telemetry,
      useWorkerThreads,
      ...(useWorkerThreads ? { workerThreadsOptions: { env } } : { workerForkOptions: { env } }),
    }),
  );
  const completed = new Promise<{ result: unknown }>((resolve, reject) => {
    worker.on('completed', (_job: unknown, result: unknown) => resolve({ result }));
    worker.on('failed', (_job: unknown, error: Error) => reject(error));
  });
  await tracer.startActiveSpan('request', async (root) => {
    try {
      await queue.add('email', PAYLOAD);
    } finally {
      root.end();
    }
  });
  const { result } = await completed;
  await worker.close();
  return { name, result: result as { data: unknown; optsKeys: string[]; pid: number; isMainThread: boolean } };
}

describeWithRedis.each(LINES)('$line: sandboxed processors run in the process span context (real Redis)', ({ lib }) => {
  const res = new Resources();
  const instrumentation = new BullMQInstrumentation({ enabled: false });
  const files: string[] = [];
  beforeAll(() => {
    instrumentation.enable();
    instrumentation.patch(lib as never);
    return () => {
      instrumentation.unpatch(lib as never);
      instrumentation.disable();
    };
  });
  afterEach(async () => {
    await res.cleanup();
    for (const file of files.splice(0)) rmSync(file, { force: true });
  });

  const cases = [
    { ext: 'cjs', useWorkerThreads: false },
    { ext: 'mjs', useWorkerThreads: false },
    { ext: 'cjs', useWorkerThreads: true },
    { ext: 'mjs', useWorkerThreads: true },
  ];

  it.each(cases)('.$ext processor, useWorkerThreads: $useWorkerThreads', async ({ ext, useWorkerThreads }) => {
    harness.reset();
    const spansFile = join(tmpdir(), `tl-sandbox-${process.pid}-${Date.now()}-${ext}-${useWorkerThreads}.jsonl`);
    files.push(spansFile);
    const { name, result } = await runOne(lib, res, ext, useWorkerThreads, spansFile);

    // The processor ran where BullMQ says it does, and saw exactly the app's payload.
    expect(result.isMainThread).toBe(!useWorkerThreads);
    expect(result.pid === process.pid).toBe(useWorkerThreads);
    expect(result.data).toStrictEqual(PAYLOAD);
    // The carrier rides in BullMQ's own field of the form this line sends (bullmq 5 `tm`, 6
    // `telemetry`): no option key BullMQ would not have sent.
    const [own, other] = lib === LINES[1].lib ? ['tm', 'telemetry'] : ['telemetry', 'tm'];
    expect(result.optsKeys).toContain(own);
    expect(result.optsKeys).not.toContain(other);

    const [processSpan] = await harness.waitForSpans(`process ${name}`);
    const send = harness.span(`send ${name}`);
    const root = harness.span('request');
    // In the file before `completed`: sandboxed() flushed the child's batching provider.
    const child = childSpans(spansFile);
    expect(child.map((s) => s.name)).toEqual(['sandboxed work']);
    expect(child[0]!.traceId).toBe(root.spanContext().traceId);
    expect(child[0]!.traceId).toBe(processSpan!.spanContext().traceId);
    expect(child[0]!.parentSpanId).toBe(processSpan!.spanContext().spanId);
    expect(processSpan!.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
  });

  it('a failed sandboxed job: error.type is the error\'s own code, else Error (its class does not cross to the parent)', async () => {
    harness.reset();
    const spansFile = join(tmpdir(), `tl-sandbox-${process.pid}-${Date.now()}-fail.jsonl`);
    files.push(spansFile);
    const name = res.name('tl_bullmq_sandbox');
    const queue = res.queue(new lib.Queue(name, { connection }));
    const worker = res.track(new lib.Worker(name, processorFile('cjs'), { connection, workerForkOptions: { env: { ...process.env, TL_SANDBOX_SPANS: spansFile } } }));
    const failed = settled(worker, 2);
    await queue.add('type-error', {});
    await queue.add('coded', {});
    await failed;
    const spans = await harness.waitForSpans(`process ${name}`, 2);
    const types = spans.map((s) => [s.attributes[BULLMQ_ATTR.JOB_NAME], s.attributes['error.type'], s.status.code]).sort();
    expect(types).toEqual([
      ['coded', 'E_FIXTURE', SpanStatusCode.ERROR],
      ['type-error', 'Error', SpanStatusCode.ERROR],
    ]);
  });

  it('the app\'s job keeps the producer carrier: only the copy sent to the child carries the process span', async () => {
    harness.reset();
    const spansFile = join(tmpdir(), `tl-sandbox-${process.pid}-${Date.now()}-opts.jsonl`);
    files.push(spansFile);
    const name = res.name('tl_bullmq_sandbox');
    const queue = res.queue(new lib.Queue(name, { connection }));
    const worker = res.track(new lib.Worker(name, processorFile('cjs'), { connection, workerForkOptions: { env: { ...process.env, TL_SANDBOX_SPANS: spansFile } } }));
    const seen = new Promise<{ metadata: unknown; data: unknown }>((resolve) =>
      worker.on('completed', (job: { opts: { telemetry?: { metadata?: unknown } }; data: unknown }) => resolve({ metadata: job.opts.telemetry?.metadata, data: job.data })),
    );
    const job = await tracer.startActiveSpan('request', async (root) => {
      try {
        return await queue.add('email', PAYLOAD);
      } finally {
        root.end();
      }
    });
    const after = await seen;
    await worker.close();
    const send = harness.span(`send ${name}`);
    expect(JSON.parse(String(after.metadata))).toMatchObject({ traceparent: expect.stringContaining(send.spanContext().spanId) });
    expect(after.data).toStrictEqual(PAYLOAD);
    expect(job.data).toStrictEqual(PAYLOAD);
  });
});

describeWithRedis.each(LINES)('$line: sandboxed processor with the explicit adapter only (no patching)', ({ lib }) => {
  const res = new Resources();
  afterEach(() => res.cleanup());

  it('joins the job\'s trace under the send span: the carrier BullMQ stored is all the child gets', async () => {
    harness.reset();
    const spansFile = join(tmpdir(), `tl-sandbox-${process.pid}-${Date.now()}-explicit.jsonl`);
    try {
      const { name, result } = await runOne(lib, res, 'cjs', false, spansFile, bullmqTelemetry());
      expect(result.data).toStrictEqual(PAYLOAD);
      const [processSpan] = await harness.waitForSpans(`process ${name}`);
      const send = harness.span(`send ${name}`);
      const [child] = childSpans(spansFile);
      expect(child!.traceId).toBe(processSpan!.spanContext().traceId);
      expect(child!.parentSpanId).toBe(send.spanContext().spanId);
    } finally {
      rmSync(spansFile, { force: true });
    }
  });
});

describe('sandboxed() in the child', () => {
  it('runs the processor in the context the job carries, and as it is without one', async () => {
    harness.reset();
    const parent = tracer.startSpan('parent');
    const traceparent = `00-${parent.spanContext().traceId}-${parent.spanContext().spanId}-01`;
    parent.end();
    const processor = sandboxed(async (job: { data: unknown }) => {
      const span = tracer.startSpan('inside');
      span.end();
      return job.data;
    });
    expect(await processor({ data: 1, opts: { telemetry: { metadata: JSON.stringify({ traceparent }) } } } as never)).toBe(1);
    expect(harness.span('inside').parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    harness.reset();
    await processor({ data: 2, opts: {} } as never);
    expect(harness.span('inside').parentSpanContext).toBeUndefined();
    await processor({ data: 3, opts: { telemetry: { metadata: '{not json' } } } as never);
    expect(harness.spansNamed('inside')).toHaveLength(2);
  });

  it('flushes the provider once per job; a hanging or failing flush costs at most flushTimeoutMs, never the job', async () => {
    const provider = (trace.getTracerProvider() as unknown as { getDelegate(): { forceFlush(): Promise<void> } }).getDelegate();
    const original = provider.forceFlush;
    let flushes = 0;
    try {
      provider.forceFlush = () => {
        flushes++;
        return new Promise<void>(() => undefined); // an exporter that never answers
      };
      const started = performance.now();
      expect(await sandboxed(async () => 'done', { flushTimeoutMs: 100 })({} as never)).toBe('done');
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThanOrEqual(90);
      expect(waited).toBeLessThan(1000);
      provider.forceFlush = () => {
        flushes++;
        return Promise.reject(new Error('exporter down'));
      };
      expect(await sandboxed(async () => 'still done')({} as never)).toBe('still done');
      expect(await sandboxed(async () => 'no flush', { flushTimeoutMs: 0 })({} as never)).toBe('no flush');
      expect(flushes).toBe(2);
    } finally {
      provider.forceFlush = original;
    }
  });

  it('rethrows the processor\'s error unchanged, and refuses bad options', async () => {
    const boom = new Error('boom');
    await expect(sandboxed(() => Promise.reject(boom))({} as never)).rejects.toBe(boom);
    expect(() => sandboxed('x' as never)).toThrow(/processor function/);
    expect(() => sandboxed(() => 1, { flushTimeoutMs: -1 })).toThrow(/flushTimeoutMs/);
  });
});
