/** Fetch names beyond core's `ATTR`; @threadline/core's registry (`FETCH_NAMES`) lists every name fetch emits. */
export const FETCH_ATTR = {
  /** Semconv prefix: `http.request.header.<lowercase name>` (string[]). */
  REQUEST_HEADER_PREFIX: 'http.request.header.',
  /** Semconv prefix: `http.response.header.<lowercase name>` (string[]). */
  RESPONSE_HEADER_PREFIX: 'http.response.header.',
  /** threadline: true when the span was closed at response headers because the body was not read in time. */
  BODY_INCOMPLETE: 'threadline.http.response.body_incomplete',
} as const;


/** Methods semconv calls "known"; anything else is `_OTHER` with the span named `HTTP`. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE']);

export const METHOD_OTHER = '_OTHER';

export const INSTRUMENTATION_NAME = '@threadline/fetch';
// Stamped from package.json by the build (tsup `define`); `dev` when running from sources (tests).
declare const __THREADLINE_PACKAGE_VERSION__: string | undefined;
export const INSTRUMENTATION_VERSION = typeof __THREADLINE_PACKAGE_VERSION__ === 'string' ? __THREADLINE_PACKAGE_VERSION__ : 'dev';

/** The OTel SDK's suppress-tracing context key (created with Symbol.for, so readable without @opentelemetry/core). */
export const SUPPRESS_TRACING_KEY = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
