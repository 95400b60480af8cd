import { createContextKey, propagation, ROOT_CONTEXT, trace, type Context, type Span, type TextMapSetter } from '@opentelemetry/api';
import { countDropped, overlayContext } from '@threadline/core';
import { addRequestHeader, hasRequestHeader, type UndiciRequest } from './hook.js';

// The API's own span key: createContextKey is Symbol.for(description), so this is the key
// trace.getSpan / trace.setSpan use (checked once below, with a fallback if that ever changes).
const SPAN_KEY = createContextKey('OpenTelemetry Context Key SPAN');

const PROBE = trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 });
const VIEW_IS_SEEN = trace.getSpan(overlayContext(ROOT_CONTEXT, SPAN_KEY, PROBE)) === PROBE;

/**
 * The context a propagator should see for `span` started under `parent`: `trace.setSpan` would
 * copy the parent's whole map on every request; propagators only read it.
 */
export function withSpan(parent: Context, span: Span): Context {
  return VIEW_IS_SEEN ? overlayContext(parent, SPAN_KEY, span) : trace.setSpan(parent, span);
}

/**
 * Writes the context through the GLOBAL propagator straight into undici's request (no carrier
 * object in between). A header the caller already set (their own traceparent, e.g. when
 * proxying) is kept: adding ours would send two conflicting values.
 */
const REQUEST_SETTER: TextMapSetter<UndiciRequest> = {
  set(request, key, value) {
    if (!hasRequestHeader(request, key)) addRequestHeader(request, key, value);
  },
};

export function injectHeaders(request: UndiciRequest, ctx: Context): void {
  try {
    propagation.inject(ctx, request, REQUEST_SETTER);
  } catch {
    countDropped('inject_error');
  }
}
