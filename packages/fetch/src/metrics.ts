import { ATTR, defineMetrics, METRICS, type HistogramSeries } from '@threadline/core';
import type { OriginInfo } from './attributes.js';

const LABEL_KEYS = [
  ATTR.HTTP_REQUEST_METHOD,
  ATTR.SERVER_ADDRESS,
  ATTR.SERVER_PORT,
  ATTR.URL_SCHEME,
  ATTR.HTTP_RESPONSE_STATUS_CODE,
  ATTR.ERROR_TYPE,
  ATTR.NETWORK_PROTOCOL_VERSION,
] as const;

const MAX_CACHED_SERIES = 2048;

// Declared once per collector; the bound-series cache lives beside the histogram so a new
// collector (tests, restarts) starts with an empty cache.
const fetchMetrics = defineMetrics((collector) => ({
  duration: collector.histogram({
    ...METRICS.HTTP_CLIENT_REQUEST_DURATION,
    labelKeys: LABEL_KEYS,
    optionalLabelKeys: [ATTR.HTTP_RESPONSE_STATUS_CODE, ATTR.ERROR_TYPE, ATTR.NETWORK_PROTOCOL_VERSION, ATTR.SERVER_PORT],
  }),
  series: new Map<string, HistogramSeries>(),
}));

/** Records `http.client.request.duration`; labels are host-level only, never the URL. */
export function recordDuration(
  seconds: number,
  origin: OriginInfo,
  method: string,
  statusCode: number | undefined,
  errorType: string | undefined,
  protocol: string | undefined,
): void {
  const metrics = fetchMetrics();
  const key = `${origin.key}\u0001${method}\u0001${statusCode ?? ''}\u0001${errorType ?? ''}\u0001${protocol ?? ''}`;
  let series = metrics.series.get(key);
  if (!series) {
    series = metrics.duration.bind({
      [ATTR.HTTP_REQUEST_METHOD]: method,
      [ATTR.SERVER_ADDRESS]: origin.address,
      [ATTR.SERVER_PORT]: origin.port,
      [ATTR.URL_SCHEME]: origin.scheme,
      [ATTR.HTTP_RESPONSE_STATUS_CODE]: statusCode,
      [ATTR.ERROR_TYPE]: errorType,
      [ATTR.NETWORK_PROTOCOL_VERSION]: protocol,
    });
    if (metrics.series.size < MAX_CACHED_SERIES) metrics.series.set(key, series);
  }
  series.record(seconds);
}
