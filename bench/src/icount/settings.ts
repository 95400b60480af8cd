import { context, propagation, ProxyTracerProvider, ROOT_CONTEXT, trace, TraceFlags, type Context, type Tracer, type TracerProvider as ApiTracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { declareParentBasedSampling, MetricsCollector, setCollector } from '@threadline/core';
import { DroppingProcessor } from '../otel-fixtures.js';

/**
 * The three ways production runs the plugins: every span sampled, a ParentBased(TraceIdRatio 0.1)
 * sampler (OTEL_TRACES_SAMPLER=parentbased_traceidratio, arg 0.1), and metrics only (no tracer
 * provider registered: the API's no-op tracer).
 */
export const SETTINGS = ['sampled', 'ratio-0.1', 'metrics-only'] as const;
export type Setting = (typeof SETTINGS)[number];

export function isSetting(value: string): value is Setting {
  return (SETTINGS as readonly string[]).includes(value);
}

let current: Setting = 'sampled';

/** The tracer a setting's app would get: an SDK tracer (two samplers) or the API's no-op one. */
class SwitchingTracer implements Tracer {
  constructor(private readonly bySetting: Record<Setting, Tracer>) {}
  startSpan(...args: Parameters<Tracer['startSpan']>) {
    return this.bySetting[current].startSpan(...args);
  }
  startActiveSpan: Tracer['startActiveSpan'] = (...args: unknown[]) => (this.bySetting[current].startActiveSpan as (...a: unknown[]) => never)(...args);
}

/**
 * Registers one process-wide OTel setup whose tracers follow `useSetting`: every setting is counted
 * in one process (one startup under valgrind instead of three), every row under the same setting,
 * as every instrumentation in an app shares the app's provider and sampler. Returns the processor
 * that counts recorded spans.
 */
export function installSettings(): DroppingProcessor {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  setCollector(new MetricsCollector());
  // Both SDK setups sample ParentBased (the SDK default and parentbased_traceidratio), as
  // @threadline/node declares for the samplers it builds.
  declareParentBasedSampling();
  const processor = new DroppingProcessor();
  const sampled = new TracerProvider({ spanProcessors: [processor] });
  const ratio = new TracerProvider({ spanProcessors: [processor], sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) }) });
  const none = new ProxyTracerProvider();
  const provider: ApiTracerProvider = {
    getTracer: (name, version, options) =>
      new SwitchingTracer({ sampled: sampled.getTracer(name, version, options), 'ratio-0.1': ratio.getTracer(name, version, options), 'metrics-only': none.getTracer(name, version, options) }),
  };
  trace.setGlobalTracerProvider(provider);
  return processor;
}

export function useSetting(setting: Setting): void {
  current = setting;
}

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const requestParent = (flags: TraceFlags) => trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceFlags: flags, isRemote: true }));
const SAMPLED_REQUEST = requestParent(TraceFlags.SAMPLED);
const UNSAMPLED_REQUEST = requestParent(TraceFlags.NONE);

/**
 * The context of the request an operation serves, as an incoming W3C traceparent leaves it: sampled
 * for every op (sampled, metrics-only), or for exactly one op in ten (ratio-0.1, where the parent's
 * decision is what a ParentBased sampler follows). Deterministic, so instruction counts repeat.
 */
export function requestContext(op: number): Context {
  return current === 'ratio-0.1' && op % 10 !== 0 ? UNSAMPLED_REQUEST : SAMPLED_REQUEST;
}
