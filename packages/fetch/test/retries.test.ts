import { SpanStatusCode } from '@opentelemetry/api';
import { ATTR, METRICS } from '@threadline/core';
import { assertChildOf, type ReadableSpan } from '@threadline/testing';
import { Agent, interceptors, request as undiciRequest, RetryAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { parseTraceparent } from './support/server.js';
import { useFetchSuite } from './support/suite.js';

// undici's retry handler (RetryAgent, interceptors.retry) makes each attempt a new undici request
// with its own channel events; these tests hold each attempt to its own span, a sibling of the
// first under the caller's span, numbered by http.request.resend_count.
const suite = useFetchSuite();
const { harness, underParent } = suite;
const RETRY = { minTimeout: 5, maxTimeout: 50 };
let unique = 0;

const key = () => `k${++unique}`;
const statuses = (spans: ReadableSpan[]) => spans.map((s) => s.attributes[ATTR.HTTP_RESPONSE_STATUS_CODE]);
const resends = (spans: ReadableSpan[]) => spans.map((s) => s.attributes[ATTR.HTTP_REQUEST_RESEND_COUNT]);
// Global fetch's types come from @types/node's undici-types, the dispatchers from the npm package.
const through = (dispatcher: unknown): RequestInit => ({ dispatcher }) as RequestInit;
const sentSpanIds = () => suite.server.seen.map((s) => parseTraceparent(s.traceparent)?.spanId);

describe('undici retries (RetryAgent / interceptors.retry)', () => {
  it('global fetch through interceptors.retry: 503, 503, 200 are three sibling spans numbered 0, 1, 2', async () => {
    const dispatcher = new Agent().compose(interceptors.retry(RETRY));
    const path = `/flaky/${key()}/2`;
    const parent = await underParent('parent', async () => expect(await (await fetch(suite.server.origin + path, through(dispatcher))).text()).toBe('arrived after 2'));
    const attempts = harness.spansNamed('GET');
    expect(statuses(attempts)).toEqual([503, 503, 200]);
    expect(resends(attempts)).toEqual([undefined, 1, 2]);
    for (const attempt of attempts) assertChildOf(attempt, parent);
    expect(attempts.map((s) => s.attributes[ATTR.URL_FULL])).toEqual(Array(3).fill(suite.server.origin + path));
    expect(attempts.map((s) => s.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    // Each attempt carried its own span id to the suite.server.
    expect(sentSpanIds()).toEqual(attempts.map((s) => s.spanContext().spanId));
    const failed = await harness.metricPoint<{ count: number }>(METRICS.HTTP_CLIENT_REQUEST_DURATION.name, { [ATTR.HTTP_RESPONSE_STATUS_CODE]: '503' });
    expect(failed.value.count).toBe(2);
    const ok = await harness.metricPoint<{ count: number }>(METRICS.HTTP_CLIENT_REQUEST_DURATION.name, { [ATTR.HTTP_RESPONSE_STATUS_CODE]: '200' });
    expect(ok.value.count).toBe(1);
  });

  it("retries on a pooled socket another trace opened stay in the caller's trace", async () => {
    // The retry is dispatched from a timer set while undici read the failed response, i.e. in the
    // context the socket was opened in: here another trace's.
    const dispatcher = new Agent({ connections: 1 }).compose(interceptors.retry(RETRY));
    const opener = await underParent('opener', async () => (await fetch(`${suite.server.origin}/hello`, through(dispatcher))).text());
    harness.reset();
    const parent = await underParent('caller', async () => (await fetch(`${suite.server.origin}/flaky/${key()}/2`, through(dispatcher))).text());
    const attempts = harness.spansNamed('GET');
    expect(resends(attempts)).toEqual([undefined, 1, 2]);
    for (const attempt of attempts) {
      assertChildOf(attempt, parent);
      expect(attempt.spanContext().traceId).not.toBe(opener.spanContext().traceId);
    }
  });

  it('RetryAgent with undici.request, and throwOnError: false (the retry made as the failed body ends)', async () => {
    const viaAgent = await underParent('agent', async () => (await undiciRequest(`${suite.server.origin}/flaky/${key()}/1`, { dispatcher: new RetryAgent(new Agent(), RETRY) })).body.text());
    const lenient = new Agent().compose(interceptors.retry({ ...RETRY, throwOnError: false }));
    const viaLenient = await underParent('lenient', async () => (await fetch(`${suite.server.origin}/flaky/${key()}/2`, through(lenient))).text());
    const attempts = harness.spansNamed('GET');
    expect(statuses(attempts)).toEqual([503, 200, 503, 503, 200]);
    expect(resends(attempts)).toEqual([undefined, 1, undefined, 1, 2]);
    for (const attempt of attempts.slice(0, 2)) assertChildOf(attempt, viaAgent);
    for (const attempt of attempts.slice(2)) assertChildOf(attempt, viaLenient);
  });

  it('a reset connection retried: the failed attempt keeps its error.type, the retry is resend 1', async () => {
    const dispatcher = new Agent().compose(interceptors.retry(RETRY));
    const parent = await underParent('parent', async () => (await fetch(`${suite.server.origin}/flaky/${key()}/1/reset`, through(dispatcher))).text());
    const [failed, retried, ...rest] = harness.spansNamed('GET');
    expect(rest).toHaveLength(0);
    expect(failed?.attributes[ATTR.ERROR_TYPE]).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
    expect(failed?.attributes[ATTR.HTTP_RESPONSE_STATUS_CODE]).toBeUndefined();
    expect(retried?.attributes[ATTR.HTTP_RESPONSE_STATUS_CODE]).toBe(200);
    expect(resends([failed!, retried!])).toEqual([undefined, 1]);
    assertChildOf(failed!, parent);
    assertChildOf(retried!, parent);
  });

  it('redirect then retry, and retry then redirect: resend_count counts both, in order', async () => {
    const dispatcher = new Agent().compose(interceptors.retry(RETRY));
    const first = await underParent('redirect-then-retry', async () => expect(await (await fetch(`${suite.server.origin}/to-flaky/${key()}/1`, through(dispatcher))).text()).toBe('arrived after 1'));
    const hops = harness.spansNamed('GET');
    expect(statuses(hops)).toEqual([302, 503, 200]);
    expect(resends(hops)).toEqual([undefined, 1, 2]);
    for (const hop of hops) assertChildOf(hop, first);
    harness.reset();
    const second = await underParent('retry-then-redirect', async () => expect(await (await fetch(`${suite.server.origin}/flaky/${key()}/1/redirect`, through(dispatcher))).text()).toBe('ok'));
    const more = harness.spansNamed('GET');
    expect(statuses(more)).toEqual([503, 302, 200]);
    expect(resends(more)).toEqual([undefined, 1, 2]);
    expect(more[2]?.attributes[ATTR.URL_FULL]).toBe(`${suite.server.origin}/hello`);
    for (const hop of more) assertChildOf(hop, second);
  });

  it('without a retry handler, the app fetching the same URL again after a 503 is no resend', async () => {
    const path = `/flaky/${key()}/1`;
    await underParent('parent', async () => {
      expect((await fetch(suite.server.origin + path)).status).toBe(503);
      expect((await fetch(suite.server.origin + path)).status).toBe(200);
    });
    expect(statuses(harness.spansNamed('GET'))).toEqual([503, 200]);
    expect(resends(harness.spansNamed('GET'))).toEqual([undefined, undefined]);
  });
});
