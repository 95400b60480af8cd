import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ATTR, METRICS } from '@threadline/core';
import { assertChildOf, assertRoot } from '@threadline/testing';
import { fetch as undiciFetch, request as undiciRequest } from 'undici';
import { describe, expect, it } from 'vitest';
import { parseTraceparent } from './support/server.js';
import { useFetchSuite } from './support/suite.js';

const suite = useFetchSuite();
const { harness } = suite;
const underParent = (fn: () => Promise<unknown>) => suite.underParent('parent', fn);

function wireContext(index = 0) {
  return parseTraceparent(suite.server.seen[index]?.traceparent);
}

describe('global fetch', () => {
  it('emits a CLIENT span under the active span and the server continues its trace', async () => {
    const parent = await underParent(async () => (await fetch(`${suite.server.origin}/hello?q=1`)).text());
    const span = harness.span('GET');
    expect(span.kind).toBe(SpanKind.CLIENT);
    assertChildOf(span, parent);
    expect(wireContext()).toEqual({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
    expect(suite.server.seen[0]?.traceparentCount).toBe(1);
    expect(span.attributes).toMatchObject({
      [ATTR.HTTP_REQUEST_METHOD]: 'GET',
      [ATTR.URL_FULL]: `${suite.server.origin}/hello?q=1`,
      [ATTR.SERVER_ADDRESS]: '127.0.0.1',
      [ATTR.SERVER_PORT]: suite.server.port,
      [ATTR.HTTP_RESPONSE_STATUS_CODE]: 200,
      [ATTR.NETWORK_PROTOCOL_VERSION]: '1.1',
    });
    expect(span.attributes[ATTR.ERROR_TYPE]).toBeUndefined();
    expect(span.attributes[ATTR.URL_SCHEME]).toBeUndefined();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);

    const point = await harness.metricPoint<{ count: number; sum: number }>(METRICS.HTTP_CLIENT_REQUEST_DURATION.name, {
      [ATTR.HTTP_REQUEST_METHOD]: 'GET',
      [ATTR.HTTP_RESPONSE_STATUS_CODE]: '200',
      [ATTR.SERVER_ADDRESS]: '127.0.0.1',
      [ATTR.SERVER_PORT]: String(suite.server.port),
      [ATTR.NETWORK_PROTOCOL_VERSION]: '1.1',
    });
    expect(point.value.count).toBe(1);
    expect(point.value.sum).toBeGreaterThan(0);
    expect(point.attributes[ATTR.ERROR_TYPE]).toBeUndefined();
    expect(Object.keys(point.attributes)).not.toContain(ATTR.URL_FULL);
  });

  it('starts a root span without an active span, and still propagates it', async () => {
    await (await fetch(`${suite.server.origin}/root`)).text();
    const span = harness.span('GET');
    assertRoot(span);
    expect(wireContext()?.traceId).toBe(span.spanContext().traceId);
  });

  it('maps status classes: 2xx unset, 4xx and 5xx errors with error.type = the status code', async () => {
    for (const code of [204, 404, 503]) await (await fetch(`${suite.server.origin}/status/${code}`)).arrayBuffer();
    const byStatus = new Map(harness.spansNamed('GET').map((s) => [s.attributes[ATTR.HTTP_RESPONSE_STATUS_CODE], s]));
    expect(byStatus.get(204)?.status.code).toBe(SpanStatusCode.UNSET);
    expect(byStatus.get(204)?.attributes[ATTR.ERROR_TYPE]).toBeUndefined();
    for (const code of [404, 503]) {
      expect(byStatus.get(code)?.status.code).toBe(SpanStatusCode.ERROR);
      expect(byStatus.get(code)?.attributes[ATTR.ERROR_TYPE]).toBe(String(code));
      const point = await harness.metricPoint<{ count: number }>(METRICS.HTTP_CLIENT_REQUEST_DURATION.name, {
        [ATTR.HTTP_RESPONSE_STATUS_CODE]: String(code),
        [ATTR.ERROR_TYPE]: String(code),
      });
      expect(point.value.count).toBe(1);
    }
  });

  it("keeps a traceparent the caller set and does not add a second one", async () => {
    const callers = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await underParent(async () => (await fetch(`${suite.server.origin}/own`, { headers: { traceparent: callers } })).text());
    expect(suite.server.seen[0]?.traceparent).toBe(callers);
    expect(suite.server.seen[0]?.traceparentCount).toBe(1);
    expect(harness.spansNamed('GET')).toHaveLength(1);
  });

  it('records one span per redirect hop, each hop carrying its own span id and its http.request.resend_count', async () => {
    const parent = await underParent(async () => {
      const response = await fetch(`${suite.server.origin}/redirect/2`);
      expect(await response.text()).toBe('arrived');
    });
    const hops = harness.spansNamed('GET');
    expect(hops.map((s) => s.attributes[ATTR.HTTP_RESPONSE_STATUS_CODE])).toEqual([302, 302, 200]);
    expect(hops.map((s) => s.attributes[ATTR.URL_FULL])).toEqual(['/redirect/2', '/redirect/1', '/redirect/0'].map((p) => suite.server.origin + p));
    for (const hop of hops) assertChildOf(hop, parent);
    expect(suite.server.seen.map((_, i) => wireContext(i)?.spanId)).toEqual(hops.map((s) => s.spanContext().spanId));
    expect(hops.every((s) => s.status.code === SpanStatusCode.UNSET)).toBe(true);
    expect(hops.map((s) => s.attributes[ATTR.HTTP_REQUEST_RESEND_COUNT])).toEqual([undefined, 1, 2]);
  });

  it('a fetch after a finished redirect chain, in the same context, is no resend', async () => {
    await underParent(async () => {
      await (await fetch(`${suite.server.origin}/redirect/1`)).text();
      await (await fetch(`${suite.server.origin}/hello`)).text();
    });
    expect(harness.spansNamed('GET').map((s) => s.attributes[ATTR.HTTP_REQUEST_RESEND_COUNT])).toEqual([undefined, 1, undefined]);
  });

  it('traces 100 concurrent fetches, each with its own span and header', async () => {
    const parent = await underParent(() => Promise.all(Array.from({ length: 100 }, (_, i) => fetch(`${suite.server.origin}/c/${i}`).then((r) => r.text()))));
    const spans = harness.spansNamed('GET');
    expect(spans).toHaveLength(100);
    for (const span of spans) assertChildOf(span, parent);
    const sent = new Set(suite.server.seen.map((_, i) => wireContext(i)?.spanId));
    expect(sent).toEqual(new Set(spans.map((s) => s.spanContext().spanId)));
    const point = await harness.metricPoint<{ count: number }>(METRICS.HTTP_CLIENT_REQUEST_DURATION.name, { [ATTR.HTTP_RESPONSE_STATUS_CODE]: '200' });
    expect(point.value.count).toBe(100);
  });

  it('names a span HTTP for a method semconv does not know', async () => {
    await (await fetch(`${suite.server.origin}/purge`, { method: 'PURGE' })).text();
    const span = harness.span('HTTP');
    expect(span.attributes[ATTR.HTTP_REQUEST_METHOD]).toBe('_OTHER');
    expect(span.attributes[ATTR.HTTP_REQUEST_METHOD_ORIGINAL]).toBe('PURGE');
    expect(suite.server.seen[0]?.method).toBe('PURGE');
  });
});

describe('the undici package (a separate copy, same channels)', () => {
  it('traces undici.request and propagates its context', async () => {
    const parent = await underParent(async () => (await undiciRequest(`${suite.server.origin}/u`, { method: 'POST', body: 'x' })).body.text());
    const span = harness.span('POST');
    assertChildOf(span, parent);
    expect(wireContext()?.spanId).toBe(span.spanContext().spanId);
    expect(span.attributes[ATTR.HTTP_RESPONSE_STATUS_CODE]).toBe(200);
  });

  it('traces undici.fetch', async () => {
    const parent = await underParent(async () => (await undiciFetch(`${suite.server.origin}/uf`)).text());
    const span = harness.span('GET');
    assertChildOf(span, parent);
    expect(wireContext()?.spanId).toBe(span.spanContext().spanId);
  });
});

describe('disable / enable', () => {
  it('stops tracing and injecting after disable(), resumes after enable()', async () => {
    suite.instrumentation.disable();
    try {
      await (await fetch(`${suite.server.origin}/off`)).text();
      expect(harness.spans()).toHaveLength(0);
      expect(suite.server.seen[0]?.traceparent).toBeUndefined();
    } finally {
      suite.instrumentation.enable();
    }
    await (await fetch(`${suite.server.origin}/on`)).text();
    expect(harness.spansNamed('GET')).toHaveLength(1);
  });
});
