import { fileURLToPath } from 'node:url';
import { describeWithServices, runApp, SERVICES, startOtlpReceiver, uniqueName, type OtlpReceiver } from '@threadline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const describeWithRedis = await describeWithServices(describe, SERVICES.redis);
const app = fileURLToPath(new URL('./fixtures/sandbox/app.mjs', import.meta.url));

// The README's sandbox recipe as a user runs it: @threadline/node/register in the app (and, for
// worker threads, in the processor file), every process and thread exporting OTLP to one receiver.
describeWithRedis('sandboxed processor with @threadline/node/register (README recipe, real Redis, OTLP)', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(() => receiver.close());

  it.each([
    { mode: 'child process (inherits the flag; the file\'s import is a no-op)', threads: false, processor: 'processor-register.mjs' },
    { mode: 'worker thread (the file\'s import starts its telemetry)', threads: true, processor: 'processor-register.mjs' },
  ])('$mode: the file\'s span is a child of the process span, in the request\'s trace', async ({ threads, processor }) => {
    const queue = uniqueName('tl_bullmq_recipe');
    const run = await runApp(app, {
      env: {
        NODE_OPTIONS: '--import @threadline/node/register',
        QUEUE: queue,
        THREADS: threads ? '1' : '0',
        PROCESSOR: processor,
        REDIS_HOST: SERVICES.redis.host,
        REDIS_PORT: String(SERVICES.redis.port),
        OTEL_SERVICE_NAME: 'recipe-app',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        // Batches would wait a minute: what arrives in time was flushed (per job in the child, at exit in the app).
        OTEL_BSP_SCHEDULE_DELAY: '60000',
      },
      timeoutMs: 30_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toEqual({ result: { to: 'someone@example.com' } });
    expect(run.stderr).not.toContain('ThreadlineWarning');
    // The receiver is shared by both cases: keep this run's trace (the one its send span is in).
    const send = await receiver.waitFor(() => receiver.spans().find((s) => s.name === `send ${queue}`), 10_000, `send ${queue}`);
    const trace = await receiver.waitFor(() => {
      const found = receiver.spans().filter((s) => s.traceId === send.traceId);
      return found.length >= 4 ? found : undefined;
    }, 10_000, `the 4 spans of ${queue}'s trace`);
    expect(trace.map((s) => s.name).sort()).toEqual([`process ${queue}`, 'recipe work', 'request', `send ${queue}`]);
    const one = (name: string) => trace.find((s) => s.name === name)!;
    expect(send.parentSpanId).toBe(one('request').spanId);
    expect(one(`process ${queue}`).parentSpanId).toBe(send.spanId);
    expect(one('recipe work').parentSpanId).toBe(one(`process ${queue}`).spanId);
    expect(receiver.rejected).toBe(0);
  });
});
