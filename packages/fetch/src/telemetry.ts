import { context, isSpanContextValid, SpanKind, SpanStatusCode, trace, type AttributeValue, type Context, type Span, type Tracer } from '@opentelemetry/api';
// The module's export, not the global: the global `performance` is a lazy accessor on globalThis
// (a getter call and a global IC miss on every read, ~150 instructions per request on Node 24).
import { performance } from 'node:perf_hooks';
import { ATTR, errorType as coreErrorType, isUnsampledParent, recordSpanError, safeHook, SPAN_NAMES, TelemetryBoundary } from '@threadline/core';
import {
  captureRequestHeaders,
  captureResponseHeaders,
  normalizeMethod,
  originInfo,
  type OriginInfo,
} from './attributes.js';
import { BodyDeadline, type AwaitingBody } from './body-deadline.js';
import { responseHeaderValues, type UndiciRequest, type UndiciRequestHandlers, type UndiciResponse, type UndiciSocket } from './hook.js';
import { injectHeaders, withSpan } from './inject.js';
import { recordDuration } from './metrics.js';
import { Resends } from './resends.js';
import type { ResolvedOptions } from './options.js';
import { guardedPredicate, guardedStatusRule, semconvErrorStatus } from './guards.js';
import { FETCH_ATTR, METHOD_OTHER, SUPPRESS_TRACING_KEY } from './semconv.js';
import type { FetchRequestInfo } from './types.js';

/** One request between `create` and its end (trailers, error or body deadline). */
class InFlight implements AwaitingBody {
  statusCode: number | undefined = undefined;
  protocol: string | undefined = undefined;
  headersAt = 0;
  /** `http.request.resend_count`: redirect hops and retries before this request, 0 for the first. */
  hop = 0;
  parent: Context | undefined = undefined;
  deadlinePrev: AwaitingBody | undefined = undefined;
  deadlineNext: AwaitingBody | undefined = undefined;
  deadlineWatched = false;

  constructor(
    readonly request: UndiciRequest,
    readonly span: Span | undefined,
    readonly origin: OriginInfo,
    readonly method: string,
    readonly info: FetchRequestInfo | undefined,
    readonly startedAt: number,
  ) {}
}

/** Turns undici's request lifecycle into a CLIENT span, injected headers and the duration metric. */
export class FetchTelemetry implements UndiciRequestHandlers {
  readonly boundary = new TelemetryBoundary('@threadline/fetch');
  // A WeakMap, not a property on undici's request: its objects stay untouched (no shape change in
  // undici's hot paths, nothing to break if they become frozen or private-field classes).
  private readonly inFlight = new WeakMap<UndiciRequest, InFlight>();
  private readonly resends = new Resends();
  private readonly deadline: BodyDeadline<InFlight> | undefined;
  private readonly requestHook: (span: Span, info: FetchRequestInfo) => void;
  private readonly responseHook: (span: Span, response: { statusCode: number; response: UndiciResponse }, info: FetchRequestInfo) => void;
  private readonly ignore: ((info: FetchRequestInfo) => boolean) | undefined;
  private readonly skipPropagation: ((info: FetchRequestInfo) => boolean) | undefined;
  private readonly isErrorStatus: (statusCode: number) => boolean;
  private readonly needsInfo: boolean;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly tracer: () => Tracer,
  ) {
    this.deadline = options.bodyTimeoutMs > 0 ? new BodyDeadline(options.bodyTimeoutMs, (entry) => this.expireBody(entry)) : undefined;
    this.requestHook = safeHook(options.requestHook, 'fetch requestHook');
    this.responseHook = safeHook(options.responseHook, 'fetch responseHook');
    this.ignore = options.ignore && guardedPredicate(options.ignore, 'ignore predicate', 'traced');
    this.skipPropagation = options.skipPropagation && guardedPredicate(options.skipPropagation, 'skipPropagation predicate', 'propagated');
    this.isErrorStatus = options.isErrorStatus ? guardedStatusRule(options.isErrorStatus) : semconvErrorStatus;
    this.needsInfo = Boolean(options.ignore || options.skipPropagation || options.requestHook || options.responseHook);
  }

  onCreate(request: UndiciRequest): void {
    if (this.boundary.disabled || !request || request.method === 'CONNECT') return;
    const active = context.active();
    const origin = originInfo(request.origin);
    // A redirect hop or retry attempt (resends.ts); a retry takes the first attempt's parent.
    const resend = this.resends.of(active, request, origin.urlPrefix);
    const parent = resend === undefined ? active : resend.parent;
    if (parent.getValue(SUPPRESS_TRACING_KEY) === true) return;
    const path = this.options.redactPath(String(request.path));
    const url = origin.urlPrefix + path;
    const info: FetchRequestInfo | undefined = this.needsInfo ? { method: request.method, url, origin: origin.key, path, request } : undefined;
    if (this.ignore && this.ignore(info as FetchRequestInfo)) return;
    const { method, original } = normalizeMethod(request.method);
    const hop = resend === undefined ? 0 : resend.count;

    let span: Span | undefined;
    let requestContext: Context = parent;
    if ((!this.options.requireParentSpan || hasValidParent(parent)) && !isUnsampledParent(parent)) {
      // Only what semconv calls sampling-relevant goes in at start: the SDK validates start
      // attributes twice (sampler copy + span copy), setAttribute once.
      span = this.tracer().startSpan(
        SPAN_NAMES.http(method === METHOD_OTHER ? undefined : method),
        { kind: SpanKind.CLIENT, attributes: startAttributes(method, url, origin) },
        parent,
      );
      if (this.options.captureUrlScheme) span.setAttribute(ATTR.URL_SCHEME, origin.scheme);
      if (original !== undefined) span.setAttribute(ATTR.HTTP_REQUEST_METHOD_ORIGINAL, original);
      if (hop > 0) span.setAttribute(ATTR.HTTP_REQUEST_RESEND_COUNT, hop);
      if (this.options.requestHeaders.length > 0) span.setAttributes(captureRequestHeaders(request, this.options.requestHeaders));
      requestContext = withSpan(parent, span);
    }
    if (!this.skipPropagation?.(info as FetchRequestInfo)) injectHeaders(request, requestContext);
    if (span && info) this.requestHook(span, info);
    const entry = new InFlight(request, span, origin, method, info, performance.now());
    entry.hop = hop;
    entry.parent = parent;
    this.inFlight.set(request, entry);
  }

  onSendHeaders(request: UndiciRequest, socket: UndiciSocket): void {
    const entry = this.entry(request);
    if (entry) entry.protocol = socket.alpnProtocol === 'h2' ? '2' : '1.1';
  }

  onResponseHeaders(request: UndiciRequest, response: UndiciResponse): void {
    const entry = this.entry(request);
    if (!entry || !response) return;
    entry.statusCode = response.statusCode;
    entry.headersAt = performance.now();
    if (entry.parent && response.statusCode >= 300 && response.statusCode < 400) {
      const location = responseHeaderValues(response, 'location')[0];
      this.resends.answered(entry.parent, entry.origin.urlPrefix + String(entry.request.path), entry.hop, response.statusCode, location);
    }
    if (entry.span) {
      if (this.options.responseHeaders.length > 0) {
        entry.span.setAttributes(captureResponseHeaders(response, this.options.responseHeaders));
      }
      if (entry.info) this.responseHook(entry.span, { statusCode: response.statusCode, response }, entry.info);
    }
    if (this.deadline) this.deadline.watch(entry);
    else this.finish(entry, undefined, true);
  }

  onDone(request: UndiciRequest): void {
    const entry = this.entry(request);
    if (entry) this.finish(entry, undefined, false);
  }

  onError(request: UndiciRequest, error: unknown): void {
    const entry = this.entry(request);
    if (entry) this.finish(entry, error === undefined ? new Error('request failed') : error, false);
  }

  private entry(request: UndiciRequest | undefined): InFlight | undefined {
    return request ? this.inFlight.get(request) : undefined;
  }

  /** Ends what still waits for a body (on disable, so no span stays open for good). */
  close(): void {
    this.deadline?.expireAll();
  }

  private expireBody(entry: InFlight): void {
    try {
      entry.span?.setAttribute(FETCH_ATTR.BODY_INCOMPLETE, true);
      this.finish(entry, undefined, true);
    } catch (error) {
      this.boundary.fail(error);
    }
  }

  /**
   * Ends the span and records the metric once. `atHeaders` closes both at the response headers'
   * time: the body was never finished, so the time spent waiting for it says nothing.
   */
  private finish(entry: InFlight, error: unknown, atHeaders: boolean): void {
    this.inFlight.delete(entry.request);
    this.deadline?.release(entry);
    const endedAt = atHeaders ? entry.headersAt : performance.now();
    const status = entry.statusCode;
    let errorType: string | undefined;
    if (error !== undefined) errorType = coreErrorType(error);
    else if (status !== undefined && this.isErrorStatus(status)) errorType = String(status);
    const span = entry.span;
    if (span) {
      if (status !== undefined) span.setAttribute(ATTR.HTTP_RESPONSE_STATUS_CODE, status);
      if (entry.protocol !== undefined) span.setAttribute(ATTR.NETWORK_PROTOCOL_VERSION, entry.protocol);
      if (error !== undefined) recordSpanError(span, error, errorType);
      else if (errorType !== undefined) {
        span.setAttribute(ATTR.ERROR_TYPE, errorType);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      // A performance.now() value: the SDK reads it on the span's own anchored clock.
      span.end(atHeaders ? endedAt : undefined);
    }
    recordDuration((endedAt - entry.startedAt) / 1000, entry.origin, entry.method, status, errorType, entry.protocol, span);
    // What undici's retry handler may retry: a failure, or a status (it retries 429 and 5xx by default).
    if (error !== undefined || (status !== undefined && status >= 400)) this.failed(entry);
  }

  /** Apart from finish(): the rare path stays out of the hot function's body. */
  private failed(entry: InFlight): void {
    if (entry.parent) this.resends.failed(context.active(), entry.request, entry.origin.urlPrefix, { parent: entry.parent, count: entry.hop });
  }
}

type StartAttributeKey = typeof ATTR.HTTP_REQUEST_METHOD | typeof ATTR.URL_FULL | typeof ATTR.SERVER_ADDRESS | typeof ATTR.SERVER_PORT;

/**
 * The span's start attributes as a literal with constant keys: V8 clones a boilerplate object for
 * it. Computed keys (`[ATTR.X]: v`) went through a runtime call per key, and keyed stores
 * (`a[ATTR.X] = v`) through the KeyedStoreIC builtin (about 350 instructions per request on Node
 * 24, by callgrind). The type pins each key to the registry's name: a renamed or misspelt key
 * does not compile.
 */
function startAttributes(method: string, url: string, origin: OriginInfo): { [K in StartAttributeKey]: AttributeValue | undefined } {
  return { 'http.request.method': method, 'url.full': url, 'server.address': origin.address, 'server.port': origin.port };
}

function hasValidParent(ctx: Context): boolean {
  const parent = trace.getSpan(ctx);
  return parent !== undefined && isSpanContextValid(parent.spanContext());
}
