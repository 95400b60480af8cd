import { trace, type MeterProvider, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { errorRecording, type RecordErrorOptions } from '@threadline/core';
import type { TemporalInstrumentationConfig } from './types.js';

export const INSTRUMENTATION_NAME = '@threadline/temporal';
// Stamped from package.json by the build (tsup `define`); `dev` when running from sources (tests).
declare const __THREADLINE_PACKAGE_VERSION__: string | undefined;
export const INSTRUMENTATION_VERSION = typeof __THREADLINE_PACKAGE_VERSION__ === 'string' ? __THREADLINE_PACKAGE_VERSION__ : 'dev';

/**
 * OTel's Instrumentation interface for Temporal. Temporal has its own hook point (interceptors),
 * so nothing is patched: this holds the tracer provider and the on/off switch the interceptors
 * read, so it works in startTelemetry, NodeSDK and registerInstrumentations alike.
 */
// The root and `/worker` entries are separate bundles, each with its own copy of this class.
const BRAND = Symbol.for('threadline.temporal.instrumentation');

export class TemporalInstrumentation {
  /** `instanceof` holds for an instance made by either entry's copy of this class. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  readonly instrumentationName = INSTRUMENTATION_NAME;
  readonly instrumentationVersion = INSTRUMENTATION_VERSION;
  private config: TemporalInstrumentationConfig;
  private provider: TracerProvider | undefined;
  private cachedTracer: { provider: TracerProvider; tracer: Tracer } | undefined;

  constructor(config: TemporalInstrumentationConfig = {}) {
    Object.defineProperty(this, BRAND, { value: true });
    this.config = validateConfig(config);
    this.provider = config.tracerProvider;
  }

  /** How failures are recorded on spans, from `recordErrorMessages`. */
  get recordError(): RecordErrorOptions {
    return errorRecording(this.config, INSTRUMENTATION_NAME);
  }

  get enabled(): boolean {
    return this.config.enabled !== false;
  }

  /** The tracer to use now, or undefined while disabled. */
  get tracer(): Tracer | undefined {
    if (!this.enabled) return undefined;
    const provider = this.provider ?? trace.getTracerProvider();
    if (this.cachedTracer?.provider !== provider) {
      this.cachedTracer = { provider, tracer: provider.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION) };
    }
    return this.cachedTracer.tracer;
  }

  enable(): void {
    this.config = { ...this.config, enabled: true };
  }

  disable(): void {
    this.config = { ...this.config, enabled: false };
  }

  setTracerProvider(tracerProvider: TracerProvider): void {
    this.provider = tracerProvider;
  }

  /** Metrics go through the threadline collector, not an OTel meter. */
  setMeterProvider(_meterProvider: MeterProvider): void {}

  setConfig(config: TemporalInstrumentationConfig): void {
    this.config = validateConfig(config);
    if (config.tracerProvider) this.provider = config.tracerProvider;
  }

  getConfig(): TemporalInstrumentationConfig {
    return this.config;
  }
}

function validateConfig(config: TemporalInstrumentationConfig): TemporalInstrumentationConfig {
  if (config === null || typeof config !== 'object') {
    throw new TypeError('@threadline/temporal: options must be an object, e.g. createWorkerTelemetry({})');
  }
  if (config.enabled !== undefined && typeof config.enabled !== 'boolean') {
    throw new TypeError(`@threadline/temporal: "enabled" must be a boolean, got ${typeof config.enabled}`);
  }
  if (config.tracerProvider !== undefined && typeof config.tracerProvider?.getTracer !== 'function') {
    throw new TypeError('@threadline/temporal: "tracerProvider" must be an OTel TracerProvider (an object with getTracer())');
  }
  errorRecording(config, INSTRUMENTATION_NAME);
  return { ...config };
}
