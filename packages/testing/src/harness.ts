import { context, metrics, propagation, trace, type Attributes, type TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader, type DataPoint, type MetricData } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type IdGenerator, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createOtelMetricProducer, declareParentBasedSampling, MetricsCollector, setCollector, type CollectorOptions } from '@threadline/core';
import { recordCollector } from './conformance/api.js';
import { recorder } from './conformance/recorder.js';
import { ConformanceSpanProcessor } from './conformance/span-processor.js';

/** A reader collected on demand by the harness (tests read points, nothing is exported). */
class OnDemandMetricReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

export interface TelemetryHarness {
  readonly tracerProvider: TracerProvider;
  readonly exporter: InMemorySpanExporter;
  readonly meterProvider: MeterProvider;
  readonly metricReader: MetricReader;
  /** The process collector; replaced by a fresh one on every reset(). */
  readonly collector: MetricsCollector;
  /** Every finished span, oldest first. */
  spans(): ReadableSpan[];
  /** The one finished span with this name; fails listing the names present. */
  span(name: string): ReadableSpan;
  spansNamed(name: string): ReadableSpan[];
  /** Waits until `count` spans named `name` finished (default timeout 10 s). */
  waitForSpans(name: string, count?: number, timeoutMs?: number): Promise<ReadableSpan[]>;
  /** Collects through the OTel reader: what an OTLP or Prometheus exporter would see. */
  collectMetrics(): Promise<MetricData[]>;
  /** The data point of `name` whose attributes include `attributes`; fails listing what exists. */
  metricPoint<T = unknown>(name: string, attributes?: Attributes): Promise<DataPoint<T>>;
  /** Like metricPoint, but undefined instead of failing. */
  findMetricPoint<T = unknown>(name: string, attributes?: Attributes): Promise<DataPoint<T> | undefined>;
  /** Runs `fn` with `propagator` as the global propagator, then puts the harness's W3C one back. */
  withPropagator<T>(propagator: TextMapPropagator, fn: () => T | Promise<T>): Promise<T>;
  /** Clears spans and installs a fresh collector. */
  reset(options?: CollectorOptions): void;
  shutdown(): Promise<void>;
}

export interface HarnessOptions extends CollectorOptions {
  /** Span / trace id source of the tracer provider (first setup in a process only), e.g. temporalIdGenerator(). */
  readonly idGenerator?: IdGenerator;
}

const HARNESS_KEY = Symbol.for('threadline.testing.harness');
type HarnessSlot = { [HARNESS_KEY]?: TelemetryHarness };

/**
 * Sets up in-memory telemetry for tests, once per process: a tracer provider with an in-memory
 * exporter, W3C trace-context + baggage propagators, an AsyncLocalStorage context manager, a
 * metric reader and a fresh collector. Later calls return the same harness, reset.
 */
export function setupTelemetry(options: HarnessOptions = {}): TelemetryHarness {
  const slot = globalThis as HarnessSlot;
  const existing = slot[HARNESS_KEY];
  if (existing) {
    existing.reset(options);
    return existing;
  }
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    // Every ended span also goes to the conformance check (the suites' vitest setup file).
    spanProcessors: [new SimpleSpanProcessor({ exporter }), new ConformanceSpanProcessor()],
    ...(options.idGenerator ? { idGenerator: options.idGenerator } : {}),
  });
  let collector = new MetricsCollector({ maxSeriesPerInstrument: options.maxSeriesPerInstrument });
  setCollector(collector);
  // The SDK's default sampler is ParentBased, which @threadline/node declares: plugins run as in an app.
  declareParentBasedSampling();
  const flushMetrics = () => recordCollector(collector, 'harness');
  recorder().flushers.add(flushMetrics);
  const metricReader = new OnDemandMetricReader({
    metricProducers: [{ collect: (o) => createOtelMetricProducer(collector).collect(o) as never }],
  });
  const meterProvider = new MeterProvider({ readers: [metricReader] });

  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const w3c = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
  propagation.setGlobalPropagator(w3c);
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);

  const spans = () => exporter.getFinishedSpans();
  const spansNamed = (name: string) => spans().filter((s) => s.name === name);

  const collectMetrics = async (): Promise<MetricData[]> => {
    const { resourceMetrics } = await metricReader.collect();
    return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
  };

  const findMetricPoint = async <T>(name: string, attributes: Attributes = {}) => {
    const metric = (await collectMetrics()).find((m) => m.descriptor.name === name);
    const points = (metric?.dataPoints ?? []) as DataPoint<T>[];
    return points.find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
  };

  const harness: TelemetryHarness = {
    tracerProvider,
    exporter,
    meterProvider,
    metricReader,
    get collector() {
      return collector;
    },
    spans,
    spansNamed,
    span(name) {
      const found = spansNamed(name);
      if (found.length !== 1) {
        throw new Error(
          `expected exactly one span named "${name}", found ${found.length}; finished spans: [${spans()
            .map((s) => s.name)
            .join(', ')}]`,
        );
      }
      return found[0] as ReadableSpan;
    },
    async waitForSpans(name, count = 1, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (spansNamed(name).length < count) {
        if (Date.now() > deadline) {
          throw new Error(
            `timed out waiting for ${count} span(s) named "${name}"; finished: [${spans()
              .map((s) => s.name)
              .join(', ')}]`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return spansNamed(name);
    },
    collectMetrics,
    findMetricPoint,
    async metricPoint(name, attributes = {}) {
      const point = await findMetricPoint(name, attributes);
      if (point) return point as never;
      const all = await collectMetrics();
      const metric = all.find((m) => m.descriptor.name === name);
      throw new Error(
        metric
          ? `metric "${name}" has no point with ${JSON.stringify(attributes)}; points: ${JSON.stringify(metric.dataPoints.map((p) => p.attributes))}`
          : `no metric named "${name}"; metrics: [${all.map((m) => m.descriptor.name).join(', ')}]`,
      );
    },
    async withPropagator(propagator, fn) {
      propagation.disable();
      propagation.setGlobalPropagator(propagator);
      try {
        return await fn();
      } finally {
        propagation.disable();
        propagation.setGlobalPropagator(w3c);
      }
    },
    reset(resetOptions = {}) {
      flushMetrics();
      exporter.reset();
      collector = new MetricsCollector(resetOptions);
      setCollector(collector);
    },
    async shutdown() {
      flushMetrics();
      recorder().flushers.delete(flushMetrics);
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      delete slot[HARNESS_KEY];
    },
  };
  slot[HARNESS_KEY] = harness;
  return harness;
}
