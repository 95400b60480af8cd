import { assertNoMarkers, findMarkers } from '@threadline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, waitForMetric as waitForBackendMetric, type BackendSpan, type TraceBackend } from './support/backends.js';
import { startStack, type Stack } from './support/stack.js';

let backend: TraceBackend;
let stack: Stack;

beforeAll(async () => {
  backend = await selectBackend();
  stack = await startStack(backend);
});

afterAll(async () => {
  await stack?.stop();
  await backend?.close();
});

function only(spans: BackendSpan[], service: string, name: string, kind: BackendSpan['kind']): BackendSpan {
  const found = spans.filter((s) => s.service === service && s.name === name && s.kind === kind);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} span "${name}" from ${service}, found ${found.length}; trace: ${spans.map((s) => `${s.service}:${s.kind}:${s.name}`).join(', ')}`);
  }
  return found[0] as BackendSpan;
}

function expectChild(child: BackendSpan, parent: BackendSpan): void {
  expect(child.traceId, `${child.name} in ${parent.name}'s trace`).toBe(parent.traceId);
  expect(child.parentSpanId, `${child.name} is a child of ${parent.name}`).toBe(parent.spanId);
}

describe(`one order is one trace (${process.env.THREADLINE_E2E_BACKEND ?? 'otlp-receiver'})`, () => {
  it('HTTP → function → send → process (worker process) → fetch → downstream, with CDC in the same trace', async () => {
    const response = await fetch(`${stack.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'c-42', item: 'book', quantity: 2 }),
    });
    expect(response.status).toBe(201);
    const { traceId } = (await response.json()) as { traceId: string };
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const slotSpan = `process ${stack.slot}`;
    const spans = await waitForTrace(traceId, (s) =>
      s.some((x) => x.service === 'threadline-downstream' && x.kind === 'SERVER') && s.some((x) => x.name === slotSpan),
    );
    console.log(`checked trace: ${backend.link(traceId)}`);

    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
    const server = only(spans, 'threadline-api', 'POST /orders', 'SERVER');
    expect(server.parentSpanId).toBeUndefined();
    const fn = only(spans, 'threadline-api', 'createOrder', 'INTERNAL');
    const send = only(spans, 'threadline-api', `send ${stack.queue}`, 'PRODUCER');
    const process = only(spans, 'threadline-worker', `process ${stack.queue}`, 'CONSUMER');
    const fetchSpan = only(spans, 'threadline-worker', 'POST', 'CLIENT');
    const downstream = spans.find((s) => s.service === 'threadline-downstream' && s.kind === 'SERVER') as BackendSpan;
    const cdc = only(spans, 'threadline-cdc', slotSpan, 'CONSUMER');

    expectChild(send, fn);
    expectChild(process, send);
    expectChild(fetchSpan, process);
    expectChild(downstream, fetchSpan);
    expect(spans.filter((s) => s.service === 'threadline-api' && s.kind === 'CLIENT' && s.attributes['db.system.name'] === 'postgresql').length).toBeGreaterThan(0);
    expect(spans.some((s) => s.service === 'threadline-api' && s.attributes['db.system.name'] === 'redis')).toBe(true);
    // fn hangs under the server span, possibly through the express middleware/handler spans.
    expect(ancestors(spans, fn)).toContain(server.spanId);
    expect(ancestors(spans, cdc)).toContain(fn.spanId);
    expect(spans.filter((s) => s.error)).toEqual([]);
    expect(send.attributes['messaging.system.name']).toBe('bullmq');
    expect(fetchSpan.attributes['http.response.status_code']).toBe(200);

    const sent = await waitForMetric('threadline-api', 'messaging.client.sent.messages', { 'messaging.destination.name': stack.queue });
    expect(sent).toBe(1);
    const consumed = await waitForMetric('threadline-worker', 'messaging.client.consumed.messages', { 'messaging.destination.name': stack.queue });
    expect(consumed).toBe(1);
    const acked = await waitForMetric('threadline-worker', 'threadline.messaging.settled.messages', { 'messaging.destination.name': stack.queue, 'threadline.result': 'ack' });
    expect(acked).toBe(1);
    // knex and keyv share db.client.operation.duration in one collector: both systems are there.
    expect(await waitForMetric('threadline-api', 'db.client.operation.duration', { 'db.system.name': 'postgresql' })).toBeGreaterThan(0);
    expect(await waitForMetric('threadline-api', 'db.client.operation.duration', { 'db.system.name': 'redis' })).toBeGreaterThan(0);
  });
});

describe('private by default, end to end', () => {
  // The receiver's scan reads every request byte; Jaeger's reads the stored trace and every Prometheus series.
  it('a marker in the query, headers, body, cache key, SQL binds, job data and CDC row reaches no exported byte', async () => {
    const marker = 'PRIVe2eMark5';
    const response = await fetch(`${stack.apiUrl}/orders?token=${marker}&Api_Key=${marker}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${marker}`, cookie: `session=${marker}` },
      body: JSON.stringify({ customerId: `c-${marker}`, item: `${marker}-book`, quantity: 1 }),
    });
    expect(response.status).toBe(201);
    const { traceId } = (await response.json()) as { traceId: string };
    const spans = await waitForTrace(traceId, (s) => s.some((x) => x.name === `process ${stack.slot}`) && s.some((x) => x.service === 'threadline-downstream'));
    expect(spans.find((s) => s.kind === 'SERVER' && s.service === 'threadline-api')?.attributes['url.query']).toBe('token=REDACTED&Api_Key=REDACTED');
    await new Promise((r) => setTimeout(r, 1_500)); // one more metric export / scrape from every process
    const received = await backend.storedBytes(traceId);
    // The scan reads the real store: names the stack did export are found in the same bytes.
    expect(findMarkers(received, [stack.queue, stack.slot]).length).toBeGreaterThan(0);
    assertNoMarkers(received, [marker], `what ${backend.name} holds from every process`);
  });
});

function ancestors(spans: BackendSpan[], span: BackendSpan): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain: string[] = [];
  for (let parent = span.parentSpanId; parent; parent = byId.get(parent)?.parentSpanId) chain.push(parent);
  return chain;
}

async function waitForTrace(traceId: string, complete: (spans: BackendSpan[]) => boolean, timeoutMs = 30_000): Promise<BackendSpan[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = await backend.trace(traceId);
    if (complete(spans)) {
      await new Promise((r) => setTimeout(r, 500));
      return backend.trace(traceId);
    }
    if (Date.now() > deadline) {
      const logs = stack.processes.map((p) => `--- ${p.name}\n${p.logs()}`).join('\n');
      throw new Error(`trace ${traceId} incomplete after ${timeoutMs} ms: ${spans.map((s) => `${s.service}:${s.kind}:${s.name}`).join(', ')}\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function waitForMetric(service: string, name: string, attributes: Record<string, string>): Promise<number | undefined> {
  // Series are bound before their first record (e.g. the ack counter when the job starts): wait for a count.
  return waitForBackendMetric(backend, service, name, attributes, (value) => value > 0);
}
