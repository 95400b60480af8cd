import { SpanStatusCode, trace } from '@opentelemetry/api';
import { ATTR, METRICS } from '@threadline/core';
import { freePort, setupTelemetry } from '@threadline/testing';
import { createServer } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FETCH_ATTR, FetchInstrumentation } from '../src/index.js';
import { startServer, type TestServer } from './support/server.js';

const BODY_TIMEOUT_MS = 1_000;
const harness = setupTelemetry();
let server: TestServer;
let instrumentation: FetchInstrumentation;

beforeAll(async () => {
  server = await startServer();
  instrumentation = new FetchInstrumentation({ bodyTimeoutMs: BODY_TIMEOUT_MS });
});
afterAll(async () => {
  instrumentation.disable();
  await server.close();
});
beforeEach(() => harness.reset());

const durationMs = (span: { duration: [number, number] }) => span.duration[0] * 1e3 + span.duration[1] / 1e6;

async function durationPoint(attributes: Record<string, string>) {
  return harness.metricPoint<{ count: number; sum: number }>(METRICS.HTTP_CLIENT_REQUEST_DURATION.name, attributes);
}

describe('bodies', () => {
  it('ends the span and records the metric for a body that is never read, at the headers time', async () => {
    const started = Date.now();
    const response = await fetch(`${server.origin}/big`);
    expect(response.status).toBe(200);
    const [span] = await harness.waitForSpans('GET', 1, BODY_TIMEOUT_MS * 5);
    expect(Date.now() - started).toBeLessThan(BODY_TIMEOUT_MS * 5);
    expect(span?.attributes[FETCH_ATTR.BODY_INCOMPLETE]).toBe(true);
    expect(span?.attributes[ATTR.HTTP_RESPONSE_STATUS_CODE]).toBe(200);
    // closed at the headers, not at the deadline: the wait for an abandoned body is not request time
    expect(durationMs(span as never)).toBeLessThan(BODY_TIMEOUT_MS);
    expect(durationMs(span as never)).toBeGreaterThan(0);
    const point = await durationPoint({ [ATTR.HTTP_RESPONSE_STATUS_CODE]: '200' });
    expect(point.value.count).toBe(1);
    expect(point.value.sum).toBeLessThan(BODY_TIMEOUT_MS / 1000);
    await response.body?.cancel();
  });

  it('disable() closes spans still waiting for a body', async () => {
    const response = await fetch(`${server.origin}/big`);
    expect(harness.spansNamed('GET')).toHaveLength(0);
    instrumentation.disable();
    instrumentation.enable();
    expect(harness.span('GET').attributes[FETCH_ATTR.BODY_INCOMPLETE]).toBe(true);
    await response.body?.cancel();
  });

  it('keeps the span open while a streamed body is read, and ends it when the body ends', async () => {
    const response = await fetch(`${server.origin}/stream`);
    const text = await response.text();
    expect(text.split('\n').filter(Boolean)).toHaveLength(5);
    const span = harness.span('GET');
    expect(durationMs(span)).toBeGreaterThanOrEqual(200);
    expect(span.attributes[FETCH_ATTR.BODY_INCOMPLETE]).toBeUndefined();
  });

  it('with bodyTimeoutMs 0 ends every span at response headers', async () => {
    instrumentation.setConfig({ bodyTimeoutMs: 0 });
    try {
      const response = await fetch(`${server.origin}/stream`);
      expect(harness.spansNamed('GET')).toHaveLength(1);
      expect(durationMs(harness.span('GET'))).toBeLessThan(200);
      await response.text();
    } finally {
      instrumentation.setConfig({ bodyTimeoutMs: BODY_TIMEOUT_MS });
    }
  });
});

describe('failures', () => {
  it('marks an aborted request AbortError and hands the app the same error', async () => {
    const controller = new AbortController();
    const pending = fetch(`${server.origin}/hang`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const error = await pending.catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    const [span] = await harness.waitForSpans('GET');
    expect(span?.attributes[ATTR.ERROR_TYPE]).toBe('AbortError');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes[ATTR.HTTP_RESPONSE_STATUS_CODE]).toBeUndefined();
    expect((await durationPoint({ [ATTR.ERROR_TYPE]: 'AbortError' })).value.count).toBe(1);
  });

  it('tells a timeout (AbortSignal.timeout) from a caller abort', async () => {
    const error = await fetch(`${server.origin}/hang`, { signal: AbortSignal.timeout(30) }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    const [span] = await harness.waitForSpans('GET');
    expect(span?.attributes[ATTR.ERROR_TYPE]).toBe('TimeoutError');
  });

  it('records an abort in the middle of the body after the status', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.origin}/stream`, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    const [span] = await harness.waitForSpans('GET');
    expect(span?.attributes[ATTR.HTTP_RESPONSE_STATUS_CODE]).toBe(200);
    expect(span?.attributes[ATTR.ERROR_TYPE]).toBe('AbortError');
  });

  it('marks a refused connection ECONNREFUSED; the app still gets fetch failed', async () => {
    const port = await freePort(); // bound, then released: nothing listens there
    const error = await trace
      .getTracer('test')
      .startActiveSpan('caller', (caller) => fetch(`http://127.0.0.1:${port}/`).finally(() => caller.end()))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as Error).cause as { code?: string }).code).toBe('ECONNREFUSED');
    const span = harness.span('GET');
    expect(span.attributes[ATTR.ERROR_TYPE]).toBe('ECONNREFUSED');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.events.some((e) => e.name === 'exception')).toBe(true);
    expect(span.attributes[ATTR.SERVER_PORT]).toBe(port);
    const point = await durationPoint({ [ATTR.ERROR_TYPE]: 'ECONNREFUSED', [ATTR.SERVER_PORT]: String(port) });
    expect(point.value.count).toBe(1);
    expect(point.attributes[ATTR.HTTP_RESPONSE_STATUS_CODE]).toBeUndefined();
  });

  it('marks a connection the server resets with undici’s socket error code', async () => {
    const rude = createServer((req) => req.socket.destroy());
    await new Promise<void>((resolve) => rude.listen(0, '127.0.0.1', resolve));
    const port = (rude.address() as { port: number }).port;
    const failure = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    rude.close();
    expect(((failure as Error).cause as { code?: string }).code).toBe('UND_ERR_SOCKET');
    expect(harness.span('GET').attributes[ATTR.ERROR_TYPE]).toBe('UND_ERR_SOCKET');
  });
});
