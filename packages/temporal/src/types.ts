import type { TracerProvider } from '@opentelemetry/api';
import type { ErrorMessageOptions } from '@threadline/core';

/**
 * `recordErrorMessages` (default true): failed workflow, activity and client spans carry the
 * failure's message (and stack); `false` keeps only `error.type` and the exception's type.
 */
export interface TemporalInstrumentationConfig extends ErrorMessageOptions {
  /** false: interceptors pass every call straight through. Default true. */
  enabled?: boolean;
  /** Tracer provider for the spans; default: the global one (set by startTelemetry / NodeSDK / registerInstrumentations). */
  tracerProvider?: TracerProvider;
}

export interface WorkerTelemetryOptions extends TemporalInstrumentationConfig {
  /**
   * Also export workflow spans while history is replayed. Default false: a replay (cache eviction,
   * worker restart, Worker.runReplayHistory) re-runs code whose spans were already exported once.
   * Turn on only to inspect replays.
   */
  exportDuringReplay?: boolean;
  /** Path of the workflow-interceptor module to bundle; default: the one shipped in this package. */
  workflowModule?: string;
}
