import { trace, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { subscribeUndiciChannels } from './hook.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './semconv.js';
import { FetchTelemetry } from './telemetry.js';
import type { FetchInstrumentationOptions } from './types.js';

export interface FetchSubscription {
  /** Stops tracing new requests and closes spans still waiting for a body. Idempotent. */
  unsubscribe(): void;
}

/** Shared by the Instrumentation class and the explicit `subscribeFetch`. */
export function subscribeResolved(options: ResolvedOptions, tracer: () => Tracer): FetchSubscription {
  const telemetry = new FetchTelemetry(options, tracer);
  let unsubscribeChannels: (() => void) | undefined = subscribeUndiciChannels(telemetry, (error) => telemetry.boundary.fail(error));
  return {
    unsubscribe() {
      unsubscribeChannels?.();
      unsubscribeChannels = undefined;
      telemetry.close();
    },
  };
}

export interface SubscribeFetchOptions extends FetchInstrumentationOptions {
  /** Defaults to the global tracer provider. */
  tracerProvider?: TracerProvider;
}

/**
 * Traces every fetch / undici request in this process without the OTel Instrumentation machinery
 * (no registerInstrumentations, no module hooks): call once at startup, keep the handle.
 */
export function subscribeFetch(options: SubscribeFetchOptions = {}): FetchSubscription {
  const resolved = resolveOptions(options);
  const provider = options.tracerProvider;
  const tracer = provider
    ? provider.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION)
    : trace.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
  return subscribeResolved(resolved, () => tracer);
}
