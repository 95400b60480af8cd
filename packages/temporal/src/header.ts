import { context, type Context } from '@opentelemetry/api';
import type { Headers } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { CARRIER_LIMITS, countDropped, extractContext, injectContext, sanitizeCarrier } from '@threadline/core';
import { TRACE_HEADER } from './semconv.js';

/**
 * The `_tracer-data` header outside the sandbox: a text-map carrier written by the GLOBAL
 * propagator, JSON-encoded into a Temporal Payload by the default payload converter — the format
 * the Go SDK and @temporalio/interceptors-opentelemetry read and write.
 */
export function headersWithContext(headers: Headers, ctx: Context = context.active()): Headers {
  try {
    const carrier = injectContext(ctx);
    if (Object.keys(carrier).length === 0) return headers;
    return { ...headers, [TRACE_HEADER]: defaultPayloadConverter.toPayload({ ...carrier }) };
  } catch {
    countDropped('inject_error');
    return headers;
  }
}

/** The context carried by the header on top of `base`; a missing or hostile header gives `base`. */
export function contextFromHeaders(headers: Headers | undefined, base: Context = context.active()): Context {
  const payload = headers?.[TRACE_HEADER];
  if (!payload) return base;
  try {
    if ((payload.data?.length ?? 0) > CARRIER_LIMITS.maxJsonLength) {
      countDropped('bad_carrier');
      return base;
    }
    const carrier = sanitizeCarrier(defaultPayloadConverter.fromPayload(payload));
    return carrier ? extractContext(carrier, base) : base;
  } catch {
    countDropped('bad_carrier');
    return base;
  }
}
