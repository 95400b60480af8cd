import type { Attributes } from '@opentelemetry/api';
import { requestHeaderValues, responseHeaderValues, type UndiciRequest, type UndiciResponse } from './hook.js';
import { FETCH_ATTR, KNOWN_METHODS, METHOD_OTHER, REDACTED } from './semconv.js';

/** What one origin (`scheme://host:port`) contributes to every request's attributes. */
export interface OriginInfo {
  /** The origin string exactly as undici reported it (the series-cache key). */
  readonly key: string;
  readonly scheme: string;
  readonly address: string;
  readonly port: number | undefined;
  /** The redacted `scheme://[REDACTED:REDACTED@]host[:port]` that starts `url.full`. */
  readonly urlPrefix: string;
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
    return { key, scheme: '', address: '', port: undefined, urlPrefix: '' };
  }
  const scheme = url.protocol.slice(0, -1);
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[scheme];
  const credentials = url.username || url.password ? `${REDACTED}:${REDACTED}@` : '';
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { key, scheme, address: hostname, port, urlPrefix: `${url.protocol}//${credentials}${url.host}` };
}

/** The path with the values of sensitive query parameters replaced by `REDACTED`. */
export function redactQuery(path: string, sensitive: ReadonlySet<string>): string {
  const question = path.indexOf('?');
  if (question === -1 || sensitive.size === 0) return path;
  const pairs = path.slice(question + 1).split('&');
  let changed = false;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i] as string;
    const equals = pair.indexOf('=');
    if (equals === -1) continue;
    let name = pair.slice(0, equals);
    try {
      name = decodeURIComponent(name);
    } catch {
      // a malformed escape is compared as written
    }
    if (sensitive.has(name.toLowerCase())) {
      pairs[i] = `${pair.slice(0, equals)}=${REDACTED}`;
      changed = true;
    }
  }
  return changed ? `${path.slice(0, question + 1)}${pairs.join('&')}` : path;
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

export function captureRequestHeaders(target: Attributes, request: UndiciRequest, names: readonly string[]): void {
  for (const name of names) {
    const values = requestHeaderValues(request, name);
    if (values.length > 0) target[FETCH_ATTR.REQUEST_HEADER_PREFIX + name] = values;
  }
}

export function captureResponseHeaders(target: Attributes, response: UndiciResponse, names: readonly string[]): void {
  for (const name of names) {
    const values = responseHeaderValues(response, name);
    if (values.length > 0) target[FETCH_ATTR.RESPONSE_HEADER_PREFIX + name] = values;
  }
}
