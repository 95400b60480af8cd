import type { Span } from '@opentelemetry/api';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { UndiciRequest, UndiciResponse } from './hook.js';

export type { UndiciRequest, UndiciResponse } from './hook.js';

/** What `ignore` and the hooks see of an outgoing request. `url` is already redacted. */
export interface FetchRequestInfo {
  readonly method: string;
  readonly url: string;
  readonly origin: string;
  readonly path: string;
  /** undici's own request object (global fetch or the npm package), for advanced hooks. */
  readonly request: UndiciRequest;
}

export interface FetchResponseInfo {
  readonly statusCode: number;
  readonly response: UndiciResponse;
}

/** A predicate, or URL patterns: a string matches `url.full` by prefix, a RegExp by `test`. */
export type FetchIgnore = ((request: FetchRequestInfo) => boolean) | ReadonlyArray<string | RegExp>;

export interface FetchInstrumentationOptions {
  /** Requests to leave alone: no span, no metric, no header injection. A throwing predicate counts as "don't ignore". */
  ignore?: FetchIgnore;
  /**
   * Requests that keep their span and metric but get no trace-context headers (third-party APIs
   * that reject unknown headers, or that should not learn your trace ids). Same shape as `ignore`.
   * A throwing predicate counts as "propagate".
   */
  skipPropagation?: FetchIgnore;
  /**
   * Which response status codes make the span an error (status ERROR, `error.type` = the code) and
   * put `error.type` on the metric. Default: semconv's client rule, every 4xx and 5xx
   * (`status >= 400`). A throwing function falls back to the default for that response.
   */
  isErrorStatus?: (statusCode: number) => boolean;
  /** Only trace requests made while a span is active. Untraced requests still record the metric. Default false. */
  requireParentSpan?: boolean;
  /** Called after the span starts, before headers are sent. Errors are counted and swallowed. */
  requestHook?: (span: Span, request: FetchRequestInfo) => void;
  /** Called when response headers arrive. Errors are counted and swallowed. */
  responseHook?: (span: Span, response: FetchResponseInfo, request: FetchRequestInfo) => void;
  /** Request header names copied to `http.request.header.<name>` (allowlist; nothing by default). */
  captureRequestHeaders?: readonly string[];
  /** Response header names copied to `http.response.header.<name>` (allowlist; nothing by default). */
  captureResponseHeaders?: readonly string[];
  /** Adds `url.scheme` (Opt-In in semconv; `url.full` already holds it) to spans. Default false. */
  captureUrlScheme?: boolean;
  /**
   * Query parameter names whose values become `REDACTED` in `url.full` (case-insensitive, `-` and
   * `_` ignored). Replaces the default `DEFAULT_REDACTED_QUERY_PARAMS` (token, access_token,
   * api_key, password, X-Amz-Signature, ...); extend it with `[...DEFAULT_REDACTED_QUERY_PARAMS, 'ticket']`.
   */
  redactedQueryParams?: readonly string[];
  /**
   * How long after the response headers the body may take to finish before the span and metric
   * are closed at the headers' time and marked `threadline.http.response.body_incomplete`.
   * 0 ends every span at response headers. Default 30 000 ms.
   */
  bodyTimeoutMs?: number;
}

export type FetchInstrumentationConfig = InstrumentationConfig & FetchInstrumentationOptions;
