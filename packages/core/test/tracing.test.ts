import { context, diag, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
// @threadline/testing depends on core, so core's own tests import it without a package.json cycle.
import { assertChildOf, expectNoMarkers, setupTelemetry } from '@threadline/testing';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CARRIER_LIMITS,
  METRICS,
  errorRecording,
  errorType,
  extractContext,
  injectContext,
  parseJsonCarrier,
  recordSpanError,
  runOperation,
  safeHook,
  startOperation,
  traced,
} from '../src/index.js';

const harness = setupTelemetry();
beforeEach(() => harness.reset());

describe('traced()', () => {
  it('runs a sync function in an active INTERNAL span and records calls, duration, in-flight', async () => {
    const result = traced('compute', () => {
      expect(trace.getActiveSpan()).toBeDefined();
      return 42;
    });
    expect(result).toBe(42);
    const span = harness.span('compute');
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect((await harness.metricPoint('threadline.function.calls', { 'code.function.name': 'compute', 'threadline.result': 'ok' })).value).toBe(1);
    expect((await harness.metricPoint('threadline.function.in_flight', { 'code.function.name': 'compute' })).value).toBe(0);
    const duration = await harness.metricPoint<{ count: number }>('threadline.function.duration', { 'code.function.name': 'compute' });
    expect(duration.value.count).toBe(1);
    expect(duration.attributes['error.type']).toBeUndefined();
  });

  it('nests async work and keeps in-flight while running', async () => {
    const outer = traced('outer', async () => {
      await new Promise((r) => setTimeout(r, 5));
      expect((await harness.metricPoint(METRICS.FUNCTION_IN_FLIGHT.name, { 'code.function.name': 'outer' })).value).toBe(1);
      return traced('inner', async () => 'done');
    });
    await expect(outer).resolves.toBe('done');
    assertChildOf(harness.span('inner'), harness.span('outer'));
  });

  it('rethrows the original error, sync and async, and records it', async () => {
    const boom = Object.assign(new Error('boom'), { code: 'E_BOOM' });
    expect(() => traced('sync-fail', () => { throw boom; })).toThrow(boom);
    await expect(traced('async-fail', async () => { throw boom; })).rejects.toBe(boom);
    for (const name of ['sync-fail', 'async-fail']) {
      const span = harness.span(name);
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes['error.type']).toBe('E_BOOM');
      expect(span.events.map((e) => e.name)).toContain('exception');
    }
    expect((await harness.metricPoint('threadline.function.calls', { 'code.function.name': 'sync-fail', 'threadline.result': 'error' })).value).toBe(1);
    expect((await harness.metricPoint('threadline.function.duration', { 'code.function.name': 'async-fail', 'error.type': 'E_BOOM' })).attributes).toBeDefined();
  });

  it('records the message by default; recordErrorMessages: false keeps only the type', async () => {
    const leak = () => Object.assign(new Error('no account for PRIVuser42@example.com'), { code: 'E_NOACCOUNT' });
    await traced('with-message', async () => { throw leak(); }).catch(() => undefined);
    expect(harness.span('with-message').status.message).toContain('PRIVuser42');
    harness.reset();
    await traced('without-message', async () => { throw leak(); }, { recordErrorMessages: false }).catch(() => undefined);
    const span = harness.span('without-message');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(span.attributes['error.type']).toBe('E_NOACCOUNT');
    expect(span.events.map((event) => [event.name, event.attributes])).toEqual([['exception', { 'exception.type': 'E_NOACCOUNT' }]]);
    await expectNoMarkers(harness, ['PRIVuser42']);
  });

  it('errorRecording checks the shared option once, at a plugin\'s construction', () => {
    expect(errorRecording(undefined, 'p')).toEqual({});
    expect(errorRecording({ recordErrorMessages: false }, 'p')).toEqual({ message: false });
    expect(() => errorRecording({ recordErrorMessages: 'no' as never }, '@threadline/x')).toThrow('@threadline/x: recordErrorMessages must be true or false');
  });
});

describe('carriers', () => {
  it('round-trips the active context through the global propagator', () => {
    const span = trace.getTracer('t').startSpan('parent');
    const carrier = context.with(trace.setSpan(context.active(), span), () => injectContext());
    expect(carrier.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const extracted = trace.getSpanContext(extractContext(carrier));
    expect(extracted?.traceId).toBe(span.spanContext().traceId);
    span.end();
  });

  it('uses the globally configured propagator, not a fixed one', async () => {
    const custom = { inject: vi.fn((_c, carrier: Record<string, string>) => { carrier['x-custom'] = '1'; }), extract: vi.fn((c) => c), fields: () => ['x-custom'] };
    await harness.withPropagator(custom, () => {
      expect(injectContext()).toEqual({ 'x-custom': '1' });
      extractContext({ 'x-custom': '1' });
    });
    expect(custom.extract).toHaveBeenCalled();
    expect(injectContext()).toEqual({});
  });

  it('turns malformed or hostile carriers into an empty context without throwing', () => {
    const hostile: unknown[] = [
      null, undefined, 42, 'traceparent', [], ['00-abc'],
      { traceparent: 12345 },
      { traceparent: 'x'.repeat(CARRIER_LIMITS.maxValueLength + 1) },
      JSON.parse('{"__proto__": {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}'),
      { get traceparent() { throw new Error('getter'); } },
      Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 'v'])),
      { traceparent: 'not-a-traceparent' },
      new Proxy({}, { ownKeys: () => { throw new Error('proxy'); } }),
    ];
    for (const carrier of hostile) {
      expect(() => extractContext(carrier)).not.toThrow();
      expect(trace.getSpanContext(extractContext(carrier))).toBeUndefined();
    }
    expect(extractContext({ traceparent: 'garbage' })).toBe(ROOT_CONTEXT);
  });

  it('parses JSON carriers with size and type guards', () => {
    expect(parseJsonCarrier('{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}')).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(parseJsonCarrier('{not json')).toBeUndefined();
    expect(parseJsonCarrier('x'.repeat(CARRIER_LIMITS.maxJsonLength + 1))).toBeUndefined();
    expect(parseJsonCarrier(123)).toBeUndefined();
  });
});

describe('safeHook', () => {
  it('swallows a throwing or rejecting hook, reports to diag once and counts it', async () => {
    const warn = vi.fn();
    diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() });
    const hook = safeHook(() => { throw new Error('user bug'); }, 'requestHook');
    expect(() => { hook(); hook(); hook(); }).not.toThrow();
    const rejecting = safeHook(async () => { throw new Error('async bug'); }, 'responseHook');
    rejecting();
    await new Promise((r) => setTimeout(r, 0));
    expect(warn).toHaveBeenCalledTimes(2);
    expect((await harness.metricPoint('threadline.telemetry.dropped', { 'threadline.telemetry.drop_reason': 'hook_error' })).value).toBe(4);
    diag.disable();
  });

  it('passes arguments through and tolerates a missing hook', () => {
    const seen: unknown[] = [];
    safeHook((a: number, b: string) => seen.push(a, b))(1, 'x');
    expect(seen).toEqual([1, 'x']);
    expect(() => safeHook(undefined)()).not.toThrow();
  });
});

describe('runOperation', () => {
  it('keeps the app result and error when the plugin end hook throws', async () => {
    const tracer = trace.getTracer('t');
    const failingHook = () => {
      throw new Error('plugin bug');
    };
    expect(runOperation(tracer, { name: 'ok-op', kind: SpanKind.CLIENT }, () => 7, failingHook)).toBe(7);
    const appError = new Error('app error');
    await expect(runOperation(tracer, { name: 'bad-op', kind: SpanKind.CLIENT }, async () => { throw appError; }, failingHook)).rejects.toBe(appError);
    expect(harness.span('ok-op').ended).toBe(true);
    expect(harness.span('bad-op').status.code).toBe(SpanStatusCode.ERROR);
    expect((await harness.metricPoint('threadline.telemetry.dropped', { 'threadline.telemetry.drop_reason': 'internal_error' })).value).toBe(2);
  });

  it('lets a plugin override error.type on end', () => {
    const op = startOperation(trace.getTracer('t'), { name: 'typed', kind: SpanKind.CLIENT });
    expect(op.end(new Error('x'), true, 'DEADLINE_EXCEEDED')).toBe('DEADLINE_EXCEEDED');
    expect(harness.span('typed').attributes['error.type']).toBe('DEADLINE_EXCEEDED');
  });
});

describe('errorType', () => {
  it('prefers string codes, then specific names over numeric codes', () => {
    expect(errorType(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(errorType(new DOMException('aborted', 'AbortError'))).toBe('AbortError');
    expect(errorType(new DOMException('timed out', 'TimeoutError'))).toBe('TimeoutError');
    expect(errorType(Object.assign(new Error('aborted'), { name: 'AbortError', code: 'ABORT_ERR' }))).toBe('AbortError');
    expect(errorType(Object.assign(new Error('unavailable'), { code: 14 }))).toBe('14');
    expect(errorType(new TypeError('bad'))).toBe('TypeError');
    expect(errorType('just a string')).toBe('_OTHER');
    expect(errorType({ get code() { throw new Error('hostile'); } })).toBe('_OTHER');
  });
});

describe('recordSpanError', () => {
  it('can leave the message out of status and exception event (DB plugins)', () => {
    const span = trace.getTracer('t').startSpan('db-op');
    recordSpanError(span, Object.assign(new Error("duplicate key value (email)=(secret@example.com)"), { code: '23505' }), '23505', { message: false });
    span.end();
    const finished = harness.span('db-op');
    expect(finished.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(finished.attributes['error.type']).toBe('23505');
    expect(JSON.stringify(finished.events)).not.toContain('secret@example.com');
  });
});
