import type { IncomingMessage } from 'node:http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation, type HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { withQueryRedaction } from './http-redaction.js';
import { createLoggerInstrumentations } from './loggers/index.js';
import type { ResolvedConfig, TelemetryOptions } from './types.js';

/**
 * Credential-like query values are redacted on server and client spans; our own Prometheus scrape
 * endpoint is not the app's traffic, so its requests get no spans.
 */
function httpConfig(options: TelemetryOptions, config: ResolvedConfig): HttpInstrumentationConfig {
  const user = withQueryRedaction(typeof options.http === 'object' ? options.http : {}, config.redactedQueryParams);
  if (!config.metricsExporters.includes('prometheus')) return user;
  const userIgnore = user.ignoreIncomingRequestHook;
  return {
    ...user,
    ignoreIncomingRequestHook: (request: IncomingMessage) =>
      request.socket?.localPort === config.prometheusPort || (userIgnore ? userIgnore(request) : false),
  };
}

/** The http instrumentation (unless `http: false`) first, then pino and winston (unless `loggers: false`), then the user's. */
export function createInstrumentations(options: TelemetryOptions, config: ResolvedConfig): Instrumentation[] {
  const list = (options.instrumentations ?? []).flat();
  if (config.loggers) list.unshift(...createLoggerInstrumentations());
  if (options.http !== false) list.unshift(new HttpInstrumentation(httpConfig(options, config)));
  return list;
}
