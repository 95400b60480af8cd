import { queryRedactor, resolveRedactedQueryParams } from '@threadline/core';
import type { FetchInstrumentationOptions, FetchRequestInfo } from './types.js';

export const DEFAULT_BODY_TIMEOUT_MS = 30_000;

/** Options checked and turned into what the hot path wants (sets, one predicate). */
export interface ResolvedOptions {
  readonly ignore: ((request: FetchRequestInfo) => boolean) | undefined;
  readonly skipPropagation: ((request: FetchRequestInfo) => boolean) | undefined;
  readonly isErrorStatus: ((statusCode: number) => boolean) | undefined;
  readonly requireParentSpan: boolean;
  readonly requestHook: FetchInstrumentationOptions['requestHook'];
  readonly responseHook: FetchInstrumentationOptions['responseHook'];
  readonly requestHeaders: readonly string[];
  readonly responseHeaders: readonly string[];
  /** Adds the Opt-In `url.scheme` to spans. */
  readonly captureUrlScheme: boolean;
  /** The request path with sensitive query values redacted (for `url.full`). */
  readonly redactPath: (path: string) => string;
  readonly bodyTimeoutMs: number;
}

function fail(message: string): never {
  throw new TypeError(`@threadline/fetch: ${message}`);
}

function headerList(value: unknown, option: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    fail(`${option} must be an array of header names, e.g. ['content-type']`);
  }
  return [...new Set(value.map((v: string) => v.toLowerCase()))];
}

function patternsToPredicate(patterns: ReadonlyArray<unknown>): (request: FetchRequestInfo) => boolean {
  const prefixes: string[] = [];
  const regexps: RegExp[] = [];
  for (const pattern of patterns) {
    if (typeof pattern === 'string' && pattern.length > 0) prefixes.push(pattern);
    else if (pattern instanceof RegExp) regexps.push(new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')));
    else fail('ignore patterns must be non-empty strings (url.full prefixes) or RegExps');
  }
  return ({ url }) => prefixes.some((p) => url.startsWith(p)) || regexps.some((r) => r.test(url));
}

function requestPredicate(value: unknown, option: string): ((request: FetchRequestInfo) => boolean) | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'function') return value as (request: FetchRequestInfo) => boolean;
  if (Array.isArray(value)) return value.length > 0 ? patternsToPredicate(value) : undefined;
  return fail(`${option} must be a function (request) => boolean or an array of URL prefixes / RegExps`);
}

/** Validates user options; a mistake throws here, at construction, saying what to change. */
export function resolveOptions(options: FetchInstrumentationOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== 'object') fail('options must be an object');
  const { ignore, skipPropagation, isErrorStatus, requestHook, responseHook, bodyTimeoutMs = DEFAULT_BODY_TIMEOUT_MS } = options;
  const ignorePredicate = requestPredicate(ignore, 'ignore');
  const skipPropagationPredicate = requestPredicate(skipPropagation, 'skipPropagation');
  if (isErrorStatus !== undefined && typeof isErrorStatus !== 'function') fail('isErrorStatus must be a function (statusCode) => boolean');
  if (requestHook !== undefined && typeof requestHook !== 'function') fail('requestHook must be a function (span, request) => void');
  if (responseHook !== undefined && typeof responseHook !== 'function') fail('responseHook must be a function (span, response, request) => void');
  if (typeof bodyTimeoutMs !== 'number' || !Number.isFinite(bodyTimeoutMs) || bodyTimeoutMs < 0) {
    fail('bodyTimeoutMs must be a finite number of milliseconds ≥ 0 (0 ends spans at response headers)');
  }
  const redacted = resolveRedactedQueryParams(options.redactedQueryParams, '@threadline/fetch');
  return {
    ignore: ignorePredicate,
    skipPropagation: skipPropagationPredicate,
    isErrorStatus,
    requireParentSpan: options.requireParentSpan === true,
    requestHook,
    responseHook,
    requestHeaders: headerList(options.captureRequestHeaders, 'captureRequestHeaders'),
    responseHeaders: headerList(options.captureResponseHeaders, 'captureResponseHeaders'),
    captureUrlScheme: options.captureUrlScheme === true,
    redactPath: queryRedactor(redacted),
    bodyTimeoutMs,
  };
}
