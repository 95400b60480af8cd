import type { RuntimeOptions } from '@temporalio/worker';
import type { WorkerTelemetryOptions } from './types.js';

export interface MetricsBridgeOptions {
  /** How often the SDK's buffered metric updates are drained into the collector, ms. Default 1000. */
  intervalMs?: number;
  /** Updates the Rust core buffers between drains before it drops (and logs). Default 10000. */
  maxBufferSize?: number;
  /**
   * Other Runtime.install options (logger, shutdownSignals, telemetryOptions.logging,
   * metricPrefix, globalTags). Metrics go to the buffer; an otel / prometheus exporter here throws.
   */
  runtimeOptions?: RuntimeOptions;
}

export interface TemporalPluginOptions extends WorkerTelemetryOptions {
  /**
   * Install the SDK metrics bridge when the plugin configures a NativeConnection (before the
   * Runtime exists): `true` for defaults or the bridge's options. Default: no bridge.
   */
  metrics?: boolean | MetricsBridgeOptions;
}
