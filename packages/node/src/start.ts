import { context, diag, logs, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import { MetricsCollector, declareParentBasedSampling, getCollector, setCollector } from '@threadline/core';
import { TelemetryConfigError, resolveConfig } from './config.js';
import { createMetricReaders } from './metrics.js';
import { syncPatchedBuiltins } from './builtins.js';
import { createInstrumentations } from './instrumentations.js';
import { buildResource } from './resource.js';
import { createPropagator } from './propagators.js';
import { installSignalFlush } from './signals.js';
import { shutdownWithin } from './shutdown.js';
import { scheduleUnpatchedCheck } from './unpatched.js';
import { createSampler, createSpanProcessors, samplerFollowsParent } from './traces.js';
import { createLogRecordProcessors } from './logs.js';
import type { ResolvedConfig, ShutdownReport, TelemetryHandle, TelemetryOptions } from './types.js';

// On globalThis so the ESM and CommonJS builds in one process see the same running instance.
const RUNNING = Symbol.for('threadline.node.running');
type RunningSlot = { [RUNNING]?: boolean };

function disabledHandle(config: ResolvedConfig, collector: MetricsCollector): TelemetryHandle {
  return { collector, config, forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve({ timedOut: false, unsentSpans: 0 }) };
}

/**
 * Starts OpenTelemetry for this process: resource, W3C propagators, AsyncLocalStorage context,
 * http + the given instrumentations, the configured exporters, and the threadline collector wired
 * into every metric reader. Call it first in the app's entry point. Throws `TelemetryConfigError`
 * on a bad option or environment variable, before anything is started.
 */
export function startTelemetry(options: TelemetryOptions = {}): TelemetryHandle {
  const config = resolveConfig(options);
  const collector = options.collector ?? new MetricsCollector();
  if (config.disabled) return disabledHandle(config, collector);
  const slot = globalThis as RunningSlot;
  if (slot[RUNNING]) {
    throw new TelemetryConfigError('threadline: startTelemetry() is already running in this process; call shutdown() on its handle before starting again');
  }

  const instrumentations = createInstrumentations(options, config);
  const spanProcessors = createSpanProcessors(config);
  const logRecordProcessors = createLogRecordProcessors(config);
  const metricReaders: IMetricReader[] = createMetricReaders(config, collector);
  const sdk = new NodeSDK({
    autoDetectResources: false,
    resource: buildResource(config),
    contextManager: new AsyncLocalStorageContextManager(),
    textMapPropagator: createPropagator(config.propagators),
    sampler: createSampler(config),
    ...(options.idGenerator ? { idGenerator: options.idGenerator } : {}),
    spanProcessors,
    metricReaders,
    logRecordProcessors,
    instrumentations,
  });
  setCollector(collector);
  declareParentBasedSampling(samplerFollowsParent(config));
  slot[RUNNING] = true;
  sdk.start();
  syncPatchedBuiltins();
  const checkUnpatched = scheduleUnpatchedCheck(instrumentations, config.scheduledDelayMillis);

  const forceFlush = async () => {
    await Promise.all([...spanProcessors.map((p) => p.forceFlush()), ...logRecordProcessors.map((p) => p.forceFlush()), ...metricReaders.map((r) => r.forceFlush())]);
  };

  let shuttingDown: Promise<ShutdownReport> | undefined;
  let removeSignals = () => {};
  const shutdown = () => {
    shuttingDown ??= (async () => {
      removeSignals();
      checkUnpatched();
      try {
        return await shutdownWithin(() => sdk.shutdown(), config.shutdownTimeoutMillis, [...spanProcessors, ...logRecordProcessors]);
      } finally {
        for (const instrumentation of instrumentations) instrumentation.disable();
        syncPatchedBuiltins();
        if (getCollector() === collector) setCollector(undefined);
        declareParentBasedSampling(false);
        // Globals back to no-ops: telemetry stops cleanly and a later startTelemetry can register again.
        trace.disable();
        metrics.disable();
        logs.disable();
        propagation.disable();
        context.disable();
        slot[RUNNING] = false;
      }
    })();
    return shuttingDown;
  };

  const signals = options.flushOnSignals === true ? (['SIGTERM', 'SIGINT'] as NodeJS.Signals[]) : options.flushOnSignals || [];
  if (signals.length > 0) removeSignals = installSignalFlush(signals, shutdown);
  diag.debug(`threadline: telemetry started (traces=${config.tracesExporters.join(',') || 'none'}, metrics=${config.metricsExporters.join(',') || 'none'}, logs=${config.logsExporters.join(',') || 'none'})`);
  return { collector, config, forceFlush, shutdown };
}
