import type { Attributes } from '@opentelemetry/api';
import { REDACTED } from '@threadline/core';
import { requestHeaderValues, responseHeaderValues, type UndiciRequest, type UndiciResponse } from './hook.js';
import type { LastSeries } from './metrics.js';
import { FETCH_ATTR, KNOWN_METHODS, METHOD_OTHER } from './semconv.js';

/** What one origin (`scheme://host:port`) contributes to every request's attributes. */
export interface OriginInfo {
  /** The origin string exactly as undici reported it (the series-cache key). */
  readonly key: string;
  readonly scheme: string;
  readonly address: string;
  readonly port: number | undefined;
  /** The redacted `scheme://[REDACTED:REDACTED@]host[:port]` that starts `url.full`. */
  readonly urlPrefix: string;
  /** Owned by metrics.ts: the series this origin recorded into last. */
  lastSeries: LastSeries | undefined;
}

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };
const MAX_CACHED_ORIGINS = 256;
const origins = new Map<string, OriginInfo>();

/** Parses an origin once; apps talk to few origins, so later requests cost one Map lookup. */
export function originInfo(origin: UndiciRequest['origin']): OriginInfo {
  const key = typeof origin === 'string' ? origin : String(origin);
  const cached = origins.get(key);
  if (cached) return cached;
  const info = parseOrigin(key);
  if (origins.size >= MAX_CACHED_ORIGINS) origins.clear();
  origins.set(key, info);
  return info;
}

function parseOrigin(key: string): OriginInfo {
  let url: URL;
  try {
    url = new URL(key);
  } catch {
    return { key, scheme: '', address: '', port: undefined, urlPrefix: '', lastSeries: undefined };
  }
  const scheme = url.protocol.slice(0, -1);
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[scheme];
  const credentials = url.username || url.password ? `${REDACTED}:${REDACTED}@` : '';
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { key, scheme, address: hostname, port, urlPrefix: `${url.protocol}//${credentials}${url.host}`, lastSeries: undefined };
}

export interface MethodNames {
  /** `http.request.method`: a known method or `_OTHER`. */
  readonly method: string;
  /** Set only when it differs from `method` (semconv `http.request.method_original`). */
  readonly original: string | undefined;
}

// Known methods map to one shared result: no allocation per request on the common path.
const KNOWN_METHOD_NAMES = new Map<string, MethodNames>([...KNOWN_METHODS].map((m) => [m, Object.freeze({ method: m, original: undefined })]));

export function normalizeMethod(raw: string): MethodNames {
  const known = KNOWN_METHOD_NAMES.get(raw);
  if (known) return known;
  const upper = typeof raw === 'string' ? raw.toUpperCase() : '';
  return KNOWN_METHODS.has(upper) ? { method: upper, original: raw } : { method: METHOD_OTHER, original: String(raw) };
}

export function captureRequestHeaders(request: UndiciRequest, names: readonly string[]): Attributes {
  const captured: Attributes = {};
  for (const name of names) {
    const values = requestHeaderValues(request, name);
    if (values.length > 0) captured[FETCH_ATTR.REQUEST_HEADER_PREFIX + name] = values;
  }
  return captured;
}

export function captureResponseHeaders(response: UndiciResponse, names: readonly string[]): Attributes {
  const captured: Attributes = {};
  for (const name of names) {
    const values = responseHeaderValues(response, name);
    if (values.length > 0) captured[FETCH_ATTR.RESPONSE_HEADER_PREFIX + name] = values;
  }
  return captured;
}
