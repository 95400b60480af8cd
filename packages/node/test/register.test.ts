import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeOtlpJsonSpans, type OtlpJsonSpan } from '@threadline/core';
import { describeWithServices, runApp, SERVICES, uniqueName } from '@threadline/testing';
import { describe, expect, it } from 'vitest';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const describeWithRedis = await describeWithServices(describe, SERVICES.redis);

async function spansIn(directory: string): Promise<OtlpJsonSpan[]> {
  const text = await readFile(join(directory, 'traces.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => decodeOtlpJsonSpans(JSON.parse(line)));
}

async function run(file: string, nodeOptions: string, env: Record<string, string> = {}) {
  const directory = await mkdtemp(join(tmpdir(), 'tl-register-'));
  const queue = uniqueName('register');
  const app = await runApp(fixture(file), {
    env: { NODE_OPTIONS: nodeOptions, QUEUE: queue, THREADLINE_FILE_DIRECTORY: directory, OTEL_METRICS_EXPORTER: 'none', OTEL_SERVICE_NAME: 'register-app', ...env },
  });
  return { app, queue, spans: await spansIn(directory) };
}

function expectQueueTrace(spans: OtlpJsonSpan[], queue: string): void {
  const send = spans.find((s) => s.name === `send ${queue}`);
  const processSpan = spans.find((s) => s.name === `process ${queue}`);
  expect(send?.kind, JSON.stringify(spans.map((s) => s.name))).toBe('PRODUCER');
  expect(processSpan?.kind).toBe('CONSUMER');
  expect(processSpan?.parentSpanId).toBe(send?.spanId);
  expect(send?.serviceName).toBe('register-app');
}

describeWithRedis('zero-code entry @threadline/node/register', () => {
  it('node --import @threadline/node/register: an ESM app with no telemetry code gets bullmq spans (module patching)', async () => {
    const { app, queue, spans } = await run('register-queue.mjs', '--import @threadline/node/register');
    expect(app.code, app.stderr).toBe(0);
    expectQueueTrace(spans, queue);
    expect(app.stderr).not.toContain('ThreadlineWarning');
  });

  it('node --require @threadline/node/register: the same for a CommonJS app', async () => {
    const { app, queue, spans } = await run('register-queue.cjs', '--require @threadline/node/register');
    expect(app.code, app.stderr).toBe(0);
    expectQueueTrace(spans, queue);
  });

  it('OTEL_NODE_DISABLED_INSTRUMENTATIONS=bullmq leaves bullmq alone', async () => {
    const { app, queue, spans } = await run('register-queue.mjs', '--import @threadline/node/register', { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'bullmq' });
    expect(app.code, app.stderr).toBe(0);
    expect(spans.filter((s) => s.name.endsWith(queue))).toEqual([]);
  });

  it('an unknown name in OTEL_NODE_ENABLED_INSTRUMENTATIONS warns and the app still runs', async () => {
    const { app, queue, spans } = await run('register-queue.mjs', '--import @threadline/node/register', { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'bullmq,redis' });
    expect(app.code, app.stderr).toBe(0);
    expect(app.stderr).toMatch(/unknown instrumentation name\(s\) redis .*known: http, bullmq, knex, keyv, fetch/);
    expectQueueTrace(spans, queue);
  });

  it('started the old way (--import .../hook.mjs registers no loader): one warning that says how to start the app', async () => {
    const { app, queue, spans } = await run('hook-only-queue.mjs', '--import @opentelemetry/instrumentation/hook.mjs');
    expect(app.code, app.stderr).toBe(0);
    expect(spans.filter((s) => s.name.endsWith(queue))).toEqual([]);
    const warnings = app.stderr.match(/THREADLINE_NOT_PATCHED/g) ?? [];
    expect(warnings).toHaveLength(1);
    expect(app.stderr).toMatch(/bullmq is loaded but @threadline\/bullmq never patched it.*node --import @threadline\/node\/register app\.mjs/);
  });
});

describeWithRedis('the register entry given twice', () => {
  it('--import and --require together start telemetry once, with no warning', async () => {
    const { app, queue, spans } = await run('register-queue.mjs', '--import @threadline/node/register --require @threadline/node/register');
    expect(app.code, app.stderr).toBe(0);
    expect(app.stderr).not.toContain('ThreadlineWarning');
    expectQueueTrace(spans, queue);
    expect(spans.filter((s) => s.name === `send ${queue}`)).toHaveLength(1);
  });
});
