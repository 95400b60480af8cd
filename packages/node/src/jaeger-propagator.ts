import {
  isSpanContextValid,
  propagation,
  trace,
  TraceFlags,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';

const TRACE_HEADER = 'uber-trace-id';
const BAGGAGE_PREFIX = 'uberctx-';
const ID = /^[0-9a-f]{1,32}$/;

/** A malformed header is ignored, never thrown into the request. */
function decode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/**
 * Jaeger's `uber-trace-id: {trace}:{span}:{parent}:{flags}` and `uberctx-{key}` baggage headers.
 * OTel JS publishes no Jaeger propagator on its 3.x line (the 2.x one peers on api < 1.10).
 */
export class JaegerPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext && isSpanContextValid(spanContext)) {
      const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '1' : '0';
      setter.set(carrier, TRACE_HEADER, `${spanContext.traceId}:${spanContext.spanId}:0:${sampled}`);
    }
    for (const [key, entry] of propagation.getBaggage(context)?.getAllEntries() ?? []) {
      setter.set(carrier, `${BAGGAGE_PREFIX}${key}`, encodeURIComponent(entry.value));
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let result = context;
    const raw = getter.get(carrier, TRACE_HEADER);
    const header = decode(String(Array.isArray(raw) ? raw[0] : (raw ?? '')));
    const [traceId, spanId, , flags] = (header ?? '').split(':');
    if (traceId && spanId && flags !== undefined && ID.test(traceId) && ID.test(spanId) && spanId.length <= 16) {
      const spanContext = {
        traceId: traceId.padStart(32, '0'),
        spanId: spanId.padStart(16, '0'),
        traceFlags: (parseInt(flags, 16) & 1) === 1 ? TraceFlags.SAMPLED : TraceFlags.NONE,
        isRemote: true,
      };
      if (isSpanContextValid(spanContext)) result = trace.setSpanContext(result, spanContext);
    }
    const entries: Record<string, { value: string }> = {};
    for (const key of getter.keys(carrier)) {
      if (!key.toLowerCase().startsWith(BAGGAGE_PREFIX)) continue;
      const value = decode(String(getter.get(carrier, key) ?? ''));
      if (value !== undefined) entries[key.slice(BAGGAGE_PREFIX.length)] = { value };
    }
    if (Object.keys(entries).length > 0) {
      const base = propagation.getBaggage(result) ?? propagation.createBaggage();
      let baggage = base;
      for (const [key, entry] of Object.entries(entries)) baggage = baggage.setEntry(key, entry);
      result = propagation.setBaggage(result, baggage);
    }
    return result;
  }

  fields(): string[] {
    return [TRACE_HEADER];
  }
}
