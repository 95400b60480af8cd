import { context, propagation, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { afterEach, expect, it } from 'vitest';
import { resolveConfig, startTelemetry, type TelemetryHandle } from '../src/index.js';

let handle: TelemetryHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

function injected(propagators: string): Record<string, string> {
  handle = startTelemetry({ tracesExporter: 'none', metricsExporter: 'none', http: false, env: { OTEL_PROPAGATORS: propagators } });
  const active: Context = trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
  const withBaggage = propagation.setBaggage(active, propagation.createBaggage({ tenant: { value: 'a b' } }));
  const carrier: Record<string, string> = {};
  propagation.inject(withBaggage, carrier);
  return carrier;
}

it('OTEL_PROPAGATORS defaults to tracecontext,baggage and rejects unknown names up front', () => {
  expect(resolveConfig({}, {}).propagators).toEqual(['tracecontext', 'baggage']);
  expect(resolveConfig({}, { OTEL_PROPAGATORS: 'none' }).propagators).toEqual([]);
  expect(() => resolveConfig({}, { OTEL_PROPAGATORS: 'tracecontext,xray' })).toThrow(/invalid propagators "xray" \(from OTEL_PROPAGATORS\); accepted values: tracecontext, baggage, b3, b3multi, jaeger, none/);
});

it('tracecontext and baggage by default', () => {
  expect(injected('')).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, baggage: 'tenant=a%20b' });
});

it('b3 (single header)', () => {
  expect(injected('b3')).toEqual({ b3: `${TRACE_ID}-${SPAN_ID}-1` });
});

it('b3multi', () => {
  expect(injected('b3multi')).toMatchObject({ 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': SPAN_ID, 'x-b3-sampled': '1' });
});

it('jaeger: uber-trace-id and uberctx- baggage, both ways', () => {
  const carrier = injected('jaeger');
  expect(carrier).toEqual({ 'uber-trace-id': `${TRACE_ID}:${SPAN_ID}:0:1`, 'uberctx-tenant': 'a%20b' });
  const extracted = propagation.extract(context.active(), { 'uber-trace-id': `${TRACE_ID.slice(16)}:${SPAN_ID}:0:1`, 'uberctx-tenant': 'a%20b' });
  expect(trace.getSpanContext(extracted)).toMatchObject({ traceId: `0000000000000000${TRACE_ID.slice(16)}`, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  expect(propagation.getBaggage(extracted)?.getEntry('tenant')?.value).toBe('a b');
  expect(trace.getSpanContext(propagation.extract(context.active(), { 'uber-trace-id': '%zz:bad' }))).toBeUndefined();
});
