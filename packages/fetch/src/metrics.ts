import type { Span } from '@opentelemetry/api';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './semconv.js';
import { ATTR, defineMetrics, METRICS, type HistogramSeries } from '@threadline/core';
import type { OriginInfo } from './attributes.js';
import { KNOWN_METHODS } from './semconv.js';

const LABEL_KEYS = [
  ATTR.HTTP_REQUEST_METHOD,
  ATTR.SERVER_ADDRESS,
  ATTR.SERVER_PORT,
  ATTR.HTTP_RESPONSE_STATUS_CODE,
  ATTR.ERROR_TYPE,
  ATTR.NETWORK_PROTOCOL_VERSION,
] as const;

const MAX_CACHED_SERIES = 2048;
const METHOD_INDEX = new Map([...KNOWN_METHODS].map((method, i) => [method, i + 1]));
const PROTOCOL_INDEX: Record<string, number> = { '1.1': 1, '2': 2 };

// Declared once per collector; the bound-series caches live beside the histogram so a new
// collector (tests, restarts) starts with empty caches.
const fetchMetrics = defineMetrics((collector) => ({
  duration: collector.histogram({
    ...METRICS.HTTP_CLIENT_REQUEST_DURATION,
    labelKeys: LABEL_KEYS,
    optionalLabelKeys: [ATTR.HTTP_RESPONSE_STATUS_CODE, ATTR.ERROR_TYPE, ATTR.NETWORK_PROTOCOL_VERSION, ATTR.SERVER_PORT],
  }),
  byOrigin: new Map<string, Map<number | string, HistogramSeries>>(),
}), { name: INSTRUMENTATION_NAME, version: INSTRUMENTATION_VERSION });

/**
 * The common case (a known method, a status, no error) gets a numeric cache key: a string key
 * concatenated per request would be flattened and hashed every time.
 */
function cacheKey(method: string, statusCode: number | undefined, errorType: string | undefined, protocol: string | undefined): number | string {
  const methodIndex = METHOD_INDEX.get(method);
  const protocolIndex = protocol === undefined ? 0 : PROTOCOL_INDEX[protocol];
  if (errorType === undefined && methodIndex !== undefined && protocolIndex !== undefined && (statusCode ?? 0) < 1000) {
    return ((statusCode ?? 0) * 16 + methodIndex) * 4 + protocolIndex;
  }
  return `${method} ${statusCode ?? ''} ${errorType ?? ''} ${protocol ?? ''}`;
}

/** The labels and series of one origin's last record, updated in place. */
export interface LastSeries {
  metrics: FetchMetrics;
  method: string;
  statusCode: number | undefined;
  errorType: string | undefined;
  protocol: string | undefined;
  series: HistogramSeries;
}

type FetchMetrics = ReturnType<typeof fetchMetrics>;

/**
 * Records `http.client.request.duration` (its exemplar from the request's span, which has ended by
 * now); labels are host-level only, never the URL. Requests to
 * one origin mostly repeat their labels, so the origin's last series is tried first: inside a
 * real request every extra hash lookup is a cache miss or two.
 */
export function recordDuration(
  seconds: number,
  origin: OriginInfo,
  method: string,
  statusCode: number | undefined,
  errorType: string | undefined,
  protocol: string | undefined,
  span?: Span,
): void {
  const metrics = fetchMetrics();
  const last = origin.lastSeries;
  if (last && last.metrics === metrics && last.method === method && last.statusCode === statusCode && last.errorType === errorType && last.protocol === protocol) {
    last.series.record(seconds, span);
    return;
  }
  const series = lookupSeries(metrics, origin, method, statusCode, errorType, protocol);
  if (last) {
    last.metrics = metrics;
    last.method = method;
    last.statusCode = statusCode;
    last.errorType = errorType;
    last.protocol = protocol;
    last.series = series;
  } else {
    origin.lastSeries = { metrics, method, statusCode, errorType, protocol, series };
  }
  series.record(seconds, span);
}

function lookupSeries(
  metrics: FetchMetrics,
  origin: OriginInfo,
  method: string,
  statusCode: number | undefined,
  errorType: string | undefined,
  protocol: string | undefined,
): HistogramSeries {
  let cache = metrics.byOrigin.get(origin.key);
  if (!cache) {
    cache = new Map();
    if (metrics.byOrigin.size < MAX_CACHED_SERIES) metrics.byOrigin.set(origin.key, cache);
  }
  const key = cacheKey(method, statusCode, errorType, protocol);
  let series = cache.get(key);
  if (!series) {
    series = metrics.duration.bind({
      [ATTR.HTTP_REQUEST_METHOD]: method,
      [ATTR.SERVER_ADDRESS]: origin.address,
      [ATTR.SERVER_PORT]: origin.port,
      [ATTR.HTTP_RESPONSE_STATUS_CODE]: statusCode,
      [ATTR.ERROR_TYPE]: errorType,
      [ATTR.NETWORK_PROTOCOL_VERSION]: protocol,
    });
    if (cache.size < MAX_CACHED_SERIES) cache.set(key, series);
  }
  return series;
}
