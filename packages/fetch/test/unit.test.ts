import { createContextKey, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { normalizeMethod, originInfo } from '../src/attributes.js';
import { BodyDeadline } from '../src/body-deadline.js';
import { withSpan } from '../src/inject.js';

describe('url.full building', () => {
  it('redacts credentials in an origin and keeps host and port', () => {
    const info = originInfo('https://user:pa55@example.com:8443');
    expect(info).toMatchObject({ scheme: 'https', address: 'example.com', port: 8443, urlPrefix: 'https://REDACTED:REDACTED@example.com:8443' });
  });

  it('fills the default port and unwraps IPv6 addresses', () => {
    expect(originInfo('https://example.com')).toMatchObject({ port: 443, urlPrefix: 'https://example.com' });
    expect(originInfo('http://[::1]:8080')).toMatchObject({ address: '::1', port: 8080, urlPrefix: 'http://[::1]:8080' });
  });

  it('survives an origin that is not a URL', () => {
    expect(originInfo('not a url')).toMatchObject({ scheme: '', address: '', urlPrefix: '' });
  });
});

describe('methods and errors', () => {
  it('normalizes methods the semconv way', () => {
    expect(normalizeMethod('GET')).toEqual({ method: 'GET', original: undefined });
    expect(normalizeMethod('get')).toEqual({ method: 'GET', original: 'get' });
    expect(normalizeMethod('PURGE')).toEqual({ method: '_OTHER', original: 'PURGE' });
  });

});

describe('BodyDeadline', () => {
  const entry = (headersAt: number) => ({ headersAt, deadlinePrev: undefined, deadlineNext: undefined, deadlineWatched: false });

  it('expires only what is still waiting after the timeout, oldest first, and unlinks released entries', async () => {
    const expired: number[] = [];
    const deadline = new BodyDeadline<ReturnType<typeof entry>>(40, (e) => expired.push(e.headersAt));
    const now = performance.now();
    const [a, b, c, d] = [entry(now - 1), entry(now), entry(now + 1), entry(now + 2)];
    for (const e of [a, b, c, d]) deadline.watch(e!);
    deadline.release(b!);
    deadline.release(d!);
    deadline.release(d!);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(expired).toEqual([a!.headersAt, c!.headersAt]);
    expect(b!.deadlineNext).toBeUndefined();
  });

  it('expireAll ends everything at once (disable)', () => {
    const expired: unknown[] = [];
    const deadline = new BodyDeadline<ReturnType<typeof entry>>(60_000, (e) => expired.push(e));
    const waiting = [entry(1), entry(2), entry(3)];
    for (const e of waiting) deadline.watch(e);
    deadline.expireAll();
    expect(expired).toEqual(waiting);
    expect(waiting.every((e) => !e.deadlineWatched)).toBe(true);
  });
});

describe('the context a propagator sees (withSpan)', () => {
  const KEY = createContextKey('test key');
  const parentSpan = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
  const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });
  const parent = trace.setSpan(ROOT_CONTEXT.setValue(KEY, 'kept'), parentSpan);

  it('reads the request span through the API and every other value from the parent', () => {
    const ctx = withSpan(parent, span);
    expect(trace.getSpan(ctx)).toBe(span);
    expect(ctx.getValue(KEY)).toBe('kept');
    expect(trace.getSpan(parent)).toBe(parentSpan);
  });

  it('derives real contexts that keep the span and the parent values', () => {
    const other = createContextKey('other');
    const derived = withSpan(parent, span).setValue(other, 1);
    expect(trace.getSpan(derived)).toBe(span);
    expect([derived.getValue(KEY), derived.getValue(other)]).toEqual(['kept', 1]);
    const without = withSpan(parent, span).deleteValue(KEY);
    expect(trace.getSpan(without)).toBe(span);
    expect(without.getValue(KEY)).toBeUndefined();
  });
});
