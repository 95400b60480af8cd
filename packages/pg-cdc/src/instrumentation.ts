import { trace, type MeterProvider, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { errorRecording } from '@threadline/core';
import { CdcConsumer } from './consumer.js';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './semconv.js';
import { CdcTelemetry } from './telemetry.js';
import type { CdcConsumerOptions } from './types.js';

export interface PgCdcInstrumentationConfig {
  /** Whether consumers emit spans and metrics. Default true. */
  enabled?: boolean;
}

/**
 * OTel `Instrumentation` for registration in startTelemetry / NodeSDK / registerInstrumentations.
 * CDC has no library call to patch: the consumer is created explicitly, through
 * `instrumentation.createConsumer(...)` (this provider) or `createCdcConsumer(...)` (the global one);
 * disable() makes its consumers run handlers without telemetry.
 */
export class PgCdcInstrumentation {
  readonly instrumentationName = INSTRUMENTATION_NAME;
  readonly instrumentationVersion = INSTRUMENTATION_VERSION;
  private config: PgCdcInstrumentationConfig;
  private tracerProvider: TracerProvider | undefined;
  private tracer: Tracer | undefined;

  constructor(config: PgCdcInstrumentationConfig = {}) {
    this.config = { enabled: true, ...config };
  }

  enable(): void {
    this.config = { ...this.config, enabled: true };
  }

  disable(): void {
    this.config = { ...this.config, enabled: false };
  }

  setTracerProvider(tracerProvider: TracerProvider): void {
    this.tracerProvider = tracerProvider;
    this.tracer = undefined;
  }

  /** Metrics go through @threadline/core's collector, which startTelemetry wires to the meter provider. */
  setMeterProvider(_meterProvider: MeterProvider): void {}

  setConfig(config: PgCdcInstrumentationConfig): void {
    this.config = { enabled: true, ...config };
  }

  getConfig(): PgCdcInstrumentationConfig {
    return this.config;
  }

  /** A consumer reporting through this instrumentation's tracer provider and enabled state. */
  createConsumer(options: CdcConsumerOptions): CdcConsumer {
    return buildConsumer(options, () => (this.tracer ??= (this.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION)), () => this.config.enabled !== false);
  }
}

/** A consumer reporting through `options.tracerProvider` or the global tracer provider. */
export function createCdcConsumer(options: CdcConsumerOptions): CdcConsumer {
  let tracer: Tracer | undefined;
  return buildConsumer(options, () => (tracer ??= (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION)), () => true);
}

function buildConsumer(options: CdcConsumerOptions, tracer: () => Tracer, enabled: () => boolean): CdcConsumer {
  const database = databaseOf(options.connection);
  const recordError = errorRecording(options, '@threadline/pg-cdc');
  const telemetry = new CdcTelemetry({ slot: options?.slot, database, link: options?.link === true, tracer, enabled, recordError });
  return new CdcConsumer(options, telemetry);
}

function databaseOf(connection: CdcConsumerOptions['connection'] | undefined): string | undefined {
  try {
    if (typeof connection === 'string') return decodeURIComponent(new URL(connection).pathname.slice(1)) || undefined;
    return connection?.database ?? undefined;
  } catch {
    return undefined;
  }
}
