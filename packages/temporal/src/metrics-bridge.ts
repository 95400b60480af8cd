import { createRequire } from 'node:module';
import type { Runtime } from '@temporalio/worker';
import { TelemetryBoundary } from '@threadline/core';
import { BridgeRecorder } from './bridge-recorder.js';
import type { MetricsBridgeOptions } from './worker-types.js';

// Shared by the ESM and CommonJS copies; set only once Runtime.install succeeded, so a failed call can be retried.
const INSTALLED = Symbol.for('threadline.temporal.metricsBridge');

export interface TemporalMetricsBridge {
  /**
   * The Runtime installed now. Temporal shuts an idle Runtime down and re-creates it from the same
   * options (same buffer) on next use, so the bridge keeps draining across that.
   */
  readonly runtime: Runtime;
  /** Drains the buffer into the collector now (the interval does this on its own). */
  flush(): void;
  /** Stops the interval after a last drain. */
  stop(): void;
}

/**
 * Installs Temporal's Runtime with a MetricsBuffer and drains it into the threadline collector on
 * an interval. Temporal allows one Runtime per process: call this once, before any Client
 * connection or Worker is created.
 */
export function installTemporalMetricsBridge(options: MetricsBridgeOptions = {}): TemporalMetricsBridge {
  const { intervalMs = 1000, maxBufferSize = 10_000, runtimeOptions = {} } = validate(options);
  const metricsConfig = runtimeOptions.telemetryOptions?.metrics ?? {};
  if ('otel' in metricsConfig || 'prometheus' in metricsConfig || 'buffer' in metricsConfig) {
    throw new Error('@threadline/temporal: runtimeOptions.telemetryOptions.metrics must not name an exporter (otel / prometheus / buffer): the bridge owns the metrics exporter');
  }
  const slot = globalThis as { [INSTALLED]?: true };
  if (slot[INSTALLED]) {
    throw new Error('@threadline/temporal: installTemporalMetricsBridge was already called in this process; install it once per process, before any Client connection or Worker is created');
  }
  // Loaded here, not at import: @temporalio/worker brings the native core, which client-only apps never need.
  const { MetricsBuffer, Runtime } = createRequire(import.meta.url)('@temporalio/worker') as typeof import('@temporalio/worker');
  const buffer = new MetricsBuffer({ maxBufferSize, useSecondsForDurations: true });
  let runtime: Runtime;
  try {
    runtime = Runtime.install({ ...runtimeOptions, telemetryOptions: { ...runtimeOptions.telemetryOptions, metrics: { ...metricsConfig, buffer } } });
  } catch (error) {
    throw new Error(
      `@threadline/temporal: Runtime.install failed (${error instanceof Error ? error.message : String(error)}). ` +
        'Install the metrics bridge once per process, before any Client connection or Worker is created.',
      { cause: error },
    );
  }
  slot[INSTALLED] = true;
  const recorder = new BridgeRecorder(Object.keys((metricsConfig as { globalTags?: Record<string, string> }).globalTags ?? {}));
  const boundary = new TelemetryBoundary('temporal metrics bridge');
  const flush = () =>
    boundary.run(() => {
      for (const update of buffer.retrieveUpdates()) recorder.record(update);
    }, undefined);
  const timer = setInterval(flush, intervalMs);
  timer.unref();
  return {
    runtime,
    flush,
    stop() {
      clearInterval(timer);
      flush();
    },
  };
}

function validate(options: MetricsBridgeOptions): MetricsBridgeOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('@threadline/temporal: installTemporalMetricsBridge(options) takes an object');
  const { intervalMs, maxBufferSize } = options;
  if (intervalMs !== undefined && !(typeof intervalMs === 'number' && Number.isFinite(intervalMs) && intervalMs >= 10)) {
    throw new TypeError(`@threadline/temporal: intervalMs must be a number of milliseconds >= 10, got ${String(intervalMs)}`);
  }
  if (maxBufferSize !== undefined && !(Number.isInteger(maxBufferSize) && maxBufferSize > 0)) {
    throw new TypeError(`@threadline/temporal: maxBufferSize must be a positive integer, got ${String(maxBufferSize)}`);
  }
  return options;
}
