import { context, trace, type Attributes, type Context, type SpanOptions, type TextMapPropagator, type Tracer, type TracerProvider } from '@opentelemetry/api';
import diagnosticsChannel from 'node:diagnostics_channel';
import { ATTR, METRICS } from '@threadline/core';
import { conformance, expectNoMarkers, setupTelemetry } from '@threadline/testing';
import { afterEach, beforeAll, afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_REDACTED_QUERY_PARAMS, FetchInstrumentation, subscribeFetch, type FetchInstrumentationOptions, type FetchSubscription } from '../src/index.js';
import { startServer, type TestServer } from './support/server.js';

const harness = setupTelemetry();
let server: TestServer;
let active: { disable(): void } | undefined;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
beforeEach(() => {
  harness.reset();
  server.seen.length = 0;
});
afterEach(() => {
  active?.disable();
  active = undefined;
});

function instrument(options: FetchInstrumentationOptions): void {
  active = new FetchInstrumentation(options);
}

const get = async (path: string, init?: RequestInit) => (await fetch(server.origin + path, init)).text();

async function droppedHookErrors(): Promise<number> {
  const point = await harness.findMetricPoint<number>(METRICS.TELEMETRY_DROPPED.name, { 'threadline.telemetry.drop_reason': 'hook_error' });
  return point?.value ?? 0;
}

describe('ignore', () => {
  it('skips URLs matching a prefix or RegExp: no span, no metric, no header', async () => {
    instrument({ ignore: [`${server.origin}/health`, /\/metrics$/] });
    await get('/health/live');
    await get('/internal/metrics');
    await get('/orders');
    expect(harness.spans().map((s) => s.attributes[ATTR.URL_FULL])).toEqual([`${server.origin}/orders`]);
    expect(server.seen.map((s) => s.traceparent !== undefined)).toEqual([false, false, true]);
    const point = await harness.metricPoint<{ count: number }>(METRICS.HTTP_CLIENT_REQUEST_DURATION.name);
    expect(point.value.count).toBe(1);
  });

  it('accepts a predicate, and a throwing predicate traces the request and is counted', async () => {
    instrument({ ignore: ({ path, method }) => (path === '/boom' ? (() => { throw new Error('bad predicate'); })() : method === 'DELETE') });
    await get('/x', { method: 'DELETE' });
    expect(harness.spans()).toHaveLength(0);
    expect(await get('/boom')).toBe('ok');
    expect(harness.spansNamed('GET')).toHaveLength(1);
    expect(await droppedHookErrors()).toBe(1);
  });
});

describe('requireParentSpan', () => {
  it('traces only under an active span; untraced requests keep the metric and send no traceparent', async () => {
    instrument({ requireParentSpan: true });
    await get('/orphan');
    expect(harness.spans()).toHaveLength(0);
    expect(server.seen[0]?.traceparent).toBeUndefined();
    expect((await harness.metricPoint<{ count: number }>(METRICS.HTTP_CLIENT_REQUEST_DURATION.name)).value.count).toBe(1);
    await trace.getTracer('test').startActiveSpan('parent', async (span) => {
      await get('/child');
      span.end();
    });
    expect(harness.spansNamed('GET')).toHaveLength(1);
  });
});

describe('hooks', () => {
  it('runs requestHook and responseHook with the span and request', async () => {
    instrument({
      requestHook: (span, request) => span.setAttribute('test.request', `${request.method} ${request.path}`),
      responseHook: (span, response) => span.setAttribute('test.status', response.statusCode),
    });
    await get('/hooked');
    expect(harness.span('GET').attributes).toMatchObject({ 'test.request': 'GET /hooked', 'test.status': 200 });
  });

  it('swallows hook errors: the app gets the same response, the span still ends, the drop is counted', async () => {
    instrument({
      requestHook: () => {
        throw new Error('request hook bug');
      },
      responseHook: () => Promise.reject(new Error('async response hook bug')),
    });
    expect(await get('/fragile')).toBe('ok');
    expect(harness.span('GET').attributes[ATTR.HTTP_RESPONSE_STATUS_CODE]).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await droppedHookErrors()).toBe(2);
  });
});

describe('privacy', () => {
  it('url.scheme (Opt-In) only with captureUrlScheme: true, and never on the metric', async () => {
    conformance.optIn(ATTR.URL_SCHEME);
    instrument({ captureUrlScheme: true });
    await get('/scheme');
    expect(harness.span('GET').attributes[ATTR.URL_SCHEME]).toBe('http');
    const point = await harness.metricPoint(METRICS.HTTP_CLIENT_REQUEST_DURATION.name);
    expect(point.attributes[ATTR.URL_SCHEME]).toBeUndefined();
  });

  it('captures only allowlisted headers', async () => {
    conformance.optIn('http.request.header.<key>', 'http.response.header.<key>');
    instrument({ captureRequestHeaders: ['X-Req'], captureResponseHeaders: ['x-res'] });
    await get('/headers', { headers: { 'x-req': 'request-value', authorization: 'Bearer secret' } });
    const attributes = harness.span('GET').attributes;
    expect(attributes['http.request.header.x-req']).toEqual(['request-value']);
    expect(attributes['http.response.header.x-res']).toEqual(['response-value']);
    const keys = Object.keys(attributes);
    expect(keys.filter((k) => k.includes('authorization') || k.includes('cookie'))).toEqual([]);
  });

  it('redacts sensitive query values in url.full (defaults and configured) but sends the real URL', async () => {
    instrument({});
    await get('/signed?X-Goog-Signature=abc&sig=def&page=2');
    expect(harness.span('GET').attributes[ATTR.URL_FULL]).toBe(`${server.origin}/signed?X-Goog-Signature=REDACTED&sig=REDACTED&page=2`);
    expect(server.seen[0]?.url).toBe('/signed?X-Goog-Signature=abc&sig=def&page=2');
    active?.disable();
    harness.reset();
    instrument({ redactedQueryParams: ['token'] });
    await get('/api?Token=t0p&sig=visible');
    expect(harness.span('GET').attributes[ATTR.URL_FULL]).toBe(`${server.origin}/api?Token=REDACTED&sig=visible`);
  });

  it('redacts credential-like parameters by default (tokens, API keys, passwords, OAuth codes), in any case', async () => {
    instrument({});
    await get('/cb?token=PRIVtok1&Access_Token=PRIVtok2&apiKey=PRIVtok3&password=PRIVtok4&code=PRIVtok5&X-Amz-Credential=PRIVtok6&page=2');
    expect(harness.span('GET').attributes[ATTR.URL_FULL]).toBe(
      `${server.origin}/cb?token=REDACTED&Access_Token=REDACTED&apiKey=REDACTED&password=REDACTED&code=REDACTED&X-Amz-Credential=REDACTED&page=2`,
    );
    await expectNoMarkers(harness, ['PRIVtok1', 'PRIVtok2', 'PRIVtok3', 'PRIVtok4', 'PRIVtok5', 'PRIVtok6']);
  });

  it('a marker in the query, headers, body and a URL with credentials reaches no span or metric', async () => {
    instrument({});
    const MARK = 'PRIVfetch77';
    await get(`/orders?access_token=${MARK}&Api-Key=${MARK}&page=2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MARK}`, cookie: `session=${MARK}`, 'x-api-key': MARK },
      body: JSON.stringify({ card: MARK }),
    });
    // fetch itself refuses a URL with userinfo: nothing is sent, nothing recorded with it.
    await fetch(`http://user:${MARK}@127.0.0.1:${server.port}/x`).catch(() => undefined);
    expect(harness.spans().length).toBeGreaterThanOrEqual(1);
    await expectNoMarkers(harness, [MARK]);
  });

  it('extends the default list by spreading it', async () => {
    instrument({ redactedQueryParams: [...DEFAULT_REDACTED_QUERY_PARAMS, 'ticket'] });
    await get('/cas?ticket=ST-1&token=t&page=2');
    expect(harness.span('GET').attributes[ATTR.URL_FULL]).toBe(`${server.origin}/cas?ticket=REDACTED&token=REDACTED&page=2`);
  });
});

describe('suppression and the explicit subscription', () => {
  it('leaves requests made under suppressed tracing alone (exporters, internal calls)', async () => {
    instrument({});
    const suppressed = context.active().setValue(Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING'), true);
    await context.with(suppressed, () => get('/export'));
    expect(harness.spans()).toHaveLength(0);
    expect(server.seen[0]?.traceparent).toBeUndefined();
  });

  it('subscribeFetch traces without the Instrumentation machinery and stops on unsubscribe', async () => {
    const subscription: FetchSubscription = subscribeFetch({ tracerProvider: harness.tracerProvider });
    try {
      await get('/explicit');
      expect(harness.span('GET').instrumentationScope.name).toBe('@threadline/fetch');
    } finally {
      subscription.unsubscribe();
      subscription.unsubscribe();
    }
    await get('/after');
    expect(harness.spansNamed('GET')).toHaveLength(1);
  });
});

describe('sampling', () => {
  it('hands a sampler the attributes semconv calls sampling-relevant at span start', async () => {
    const startAttributes: Attributes[] = [];
    const tracerProvider: TracerProvider = {
      getTracer(name, version) {
        const tracer = harness.tracerProvider.getTracer(name, version);
        return Object.assign(Object.create(tracer) as Tracer, {
          startSpan(spanName: string, options: SpanOptions = {}, ctx?: Context) {
            startAttributes.push({ ...options.attributes });
            return tracer.startSpan(spanName, options, ctx);
          },
        });
      },
    };
    const subscription = subscribeFetch({ tracerProvider });
    try {
      await get('/sampled?sig=secret');
    } finally {
      subscription.unsubscribe();
    }
    expect(startAttributes).toEqual([
      {
        [ATTR.HTTP_REQUEST_METHOD]: 'GET',
        [ATTR.URL_FULL]: `${server.origin}/sampled?sig=REDACTED`,
        [ATTR.SERVER_ADDRESS]: '127.0.0.1',
        [ATTR.SERVER_PORT]: server.port,
      },
    ]);
    expect(harness.span('GET').attributes[ATTR.URL_SCHEME]).toBeUndefined();
  });
});

describe('telemetry never breaks the app', () => {
  async function dropped(reason: string): Promise<number> {
    return (await harness.findMetricPoint<number>(METRICS.TELEMETRY_DROPPED.name, { 'threadline.telemetry.drop_reason': reason }))?.value ?? 0;
  }

  it('a throwing global propagator costs the header, not the request', async () => {
    instrument({});
    const throwing: TextMapPropagator = {
      inject: () => {
        throw new Error('propagator bug');
      },
      extract: (ctx) => ctx,
      fields: () => ['traceparent'],
    };
    expect(await harness.withPropagator(throwing, () => get('/no-header'))).toBe('ok');
    expect(server.seen[0]?.traceparent).toBeUndefined();
    expect(harness.span('GET').attributes[ATTR.HTTP_RESPONSE_STATUS_CODE]).toBe(200);
    expect(await dropped('inject_error')).toBe(1);
  });

  it('a fault of ours inside a channel handler is caught, counted, and turns the plugin off', async () => {
    instrument({});
    const hostile = Object.defineProperty({ method: 'GET', path: '/', headers: [] }, 'origin', {
      get() {
        throw new Error('hostile request object');
      },
    });
    expect(() => diagnosticsChannel.channel('undici:request:create').publish({ request: hostile })).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await dropped('internal_error')).toBe(1);
    expect(await get('/after-fault')).toBe('ok');
    expect(harness.spans()).toHaveLength(0);
  });
});

describe('configuration mistakes throw at construction', () => {
  it.each([
    [{ ignore: 'health' }, /ignore must be a function/],
    [{ ignore: [42] }, /ignore patterns must be/],
    [{ requestHook: 'no' }, /requestHook must be a function/],
    [{ bodyTimeoutMs: -1 }, /bodyTimeoutMs must be/],
    [{ captureRequestHeaders: 'x-req' }, /captureRequestHeaders must be an array/],
    [{ redactedQueryParams: [1] }, /redactedQueryParams must be/],
  ])('%j', (options, message) => {
    expect(() => new FetchInstrumentation(options as never)).toThrow(message);
    expect(() => subscribeFetch(options as never)).toThrow(message);
  });
});

describe('skipPropagation', () => {
  it('keeps the span and metric but sends no trace headers to matching origins', async () => {
    instrument({ skipPropagation: [`${server.origin}/partner`] });
    await get('/partner/api');
    await get('/own');
    expect(harness.spans().map((s) => s.attributes[ATTR.URL_FULL])).toEqual([`${server.origin}/partner/api`, `${server.origin}/own`]);
    expect(server.seen.map((s) => s.traceparent !== undefined)).toEqual([false, true]);
    const point = await harness.metricPoint<{ count: number }>(METRICS.HTTP_CLIENT_REQUEST_DURATION.name);
    expect(point.value.count).toBe(2);
  });

  it('accepts a predicate; a throwing one propagates and is counted', async () => {
    instrument({ skipPropagation: ({ path }) => (path === '/boom' ? (() => { throw new Error('bad predicate'); })() : path.startsWith('/third')) });
    await get('/third-party');
    await get('/boom');
    expect(server.seen.map((s) => s.traceparent !== undefined)).toEqual([false, true]);
    expect(harness.spans()).toHaveLength(2);
    expect(await droppedHookErrors()).toBe(1);
  });

  it('rejects a wrong shape at construction', () => {
    expect(() => new FetchInstrumentation({ skipPropagation: 'x' as never })).toThrow(/skipPropagation must be/);
  });
});

describe('isErrorStatus', () => {
  it('defaults to semconv (4xx and 5xx are errors)', async () => {
    instrument({});
    await get('/status/404');
    expect(harness.span('GET').attributes[ATTR.ERROR_TYPE]).toBe('404');
  });

  it('decides which codes are errors on the span and the metric; a throwing rule falls back to the default', async () => {
    instrument({ isErrorStatus: (code) => (code === 418 ? (() => { throw new Error('bad rule'); })() : code >= 500) });
    await get('/status/404');
    await get('/status/503');
    await get('/status/418');
    const [notFound, unavailable, teapot] = harness.spansNamed('GET');
    expect(notFound?.attributes[ATTR.ERROR_TYPE]).toBeUndefined();
    expect(notFound?.status.code).toBe(0);
    expect(unavailable?.attributes[ATTR.ERROR_TYPE]).toBe('503');
    expect(teapot?.attributes[ATTR.ERROR_TYPE]).toBe('418');
    const notFoundPoint = await harness.metricPoint(METRICS.HTTP_CLIENT_REQUEST_DURATION.name, { [ATTR.HTTP_RESPONSE_STATUS_CODE]: '404' });
    expect(notFoundPoint.attributes[ATTR.ERROR_TYPE]).toBeUndefined();
    expect(await harness.findMetricPoint(METRICS.HTTP_CLIENT_REQUEST_DURATION.name, { [ATTR.ERROR_TYPE]: '503' })).toBeDefined();
    expect(await droppedHookErrors()).toBe(1);
  });

  it('rejects a non-function at construction', () => {
    expect(() => new FetchInstrumentation({ isErrorStatus: 404 as never })).toThrow(/isErrorStatus must be/);
  });
});
